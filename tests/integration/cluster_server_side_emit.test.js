// serverSideEmit across a mixed cluster: two sio-server nodes (app contract,
// whose host listeners turn "sse-hello" into a local "sse-got" broadcast and
// answer "sse-ping") and a Node socket.io 4.8 node with
// @socket.io/redis-adapter 8 doing the same, an @socket.io/redis-emitter 5
// publisher, and the gRPC ServerSideEmit of our first node, on a real
// redis-server of the test's own.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import grpc from '@grpc/grpc-js';
import { io } from 'socket.io-client';
import { grpcClient, payload } from './grpc_api.js';
import { Emitter } from '@socket.io/redis-emitter';
import { nextEvent, startServer, withTimeout } from './server.js';
import { eventually, startMixedCluster, startRedis } from './redis.js';

const T = 5000;
const QUIET_MS = 300; // how long to wait to be confident that no duplicate arrives
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A client of `server` that records every sse-got it gets. */
async function client(server, clients) {
  const s = io(server.url, { transports: ['websocket'], reconnection: false, forceNew: true });
  clients.add(s);
  s.got = [];
  s.on('sse-got', (payload) => s.got.push(payload));
  await nextEvent(s, 'connect', T, 'connect');
  return s;
}

const call = (s, ...args) => withTimeout(s.emitWithAck(...args), T + 2000, `ack of ${args[0]}`);

/** Waits until every client in `who` got `payload` once; then that nobody got a copy more. */
async function expectGot(all, who, payload) {
  const count = (s) => s.got.filter((p) => JSON.stringify(p) === JSON.stringify(payload)).length;
  await eventually(() => who.every((s) => count(s) >= 1), T, `sse-got ${JSON.stringify(payload)}`);
  await sleep(QUIET_MS);
  assert.deepEqual(all.map(count), all.map((s) => (who.includes(s) ? 1 : 0)),
                   `deliveries of ${JSON.stringify(payload)}`);
}

describe('serverSideEmit in a mixed cluster: two of our nodes, a Node node, an emitter', () => {
  let cluster; let emitter; let rpc;
  const clients = new Set();
  let a; let c; let b; let all;

  before(async () => {
    cluster = await startMixedCluster();
    const { ours, ours2, node } = cluster;
    emitter = new Emitter(cluster.rc);
    a = await client(ours, clients);
    c = await client(ours2, clients);
    b = await client(node, clients);
    all = [a, c, b];
    rpc = grpcClient(cluster.grpcAddress);
  });

  after(async () => {
    rpc?.close();
    for (const s of clients) s.disconnect();
    await cluster?.stop();
  });

  test('from our node: every other node\'s listener runs, ours does not', async () => {
    assert.equal(await call(a, 'sse', 'from-ours'), true);
    await expectGot(all, [c, b], 'from-ours');
  });

  test('from the Node node: both of our nodes\' listeners run', async () => {
    assert.equal(await call(b, 'sse', { from: 'node', n: 2 }), true);
    await expectGot(all, [a, c], { from: 'node', n: 2 });
  });

  test('from the emitter: the listeners of every node run', async () => {
    emitter.serverSideEmit('sse-hello', 'from-emitter');
    await expectGot(all, [a, c, b], 'from-emitter');
  });

  test('with acks from our node: one answer from each other node', async () => {
    const res = await call(a, 'sse-ack', 'p1');
    assert.equal(res.err, null);
    assert.deepEqual(res.replies.map((r) => r.from).sort(), ['node', 'ours']);
    for (const r of res.replies) assert.equal(r.got, 'p1');
  });

  test('with acks from the Node node: both of our nodes answer', async () => {
    const res = await call(b, 'sse-ack', [1, 2.5]);
    assert.equal(res.err, null);
    assert.deepEqual(res.replies, [{ from: 'ours', got: [1, 2.5] }, { from: 'ours', got: [1, 2.5] }]);
  });

  test('gRPC ServerSideEmit reaches this node\'s listener and every other node\'s', async () => {
    const reply = await rpc.call('ServerSideEmit', { event: 'sse-hello', payload: payload('from-rpc') });
    assert.equal(reply.receivers, 1);
    await expectGot(all, [a, c, b], 'from-rpc');
    const nobody = await rpc.call('ServerSideEmit', { event: 'no-listener', payload: payload(1) });
    assert.equal(nobody.receivers, 0);
  });

  test('gRPC ServerSideEmit refuses a reserved or empty event name', async () => {
    for (const [event, reason] of [['disconnect', 'RESERVED_EVENT_NAME'], ['', 'EMPTY_EVENT_NAME']]) {
      const err = await rpc.call('ServerSideEmit', { event, payload: payload() }).then(() => null, (e) => e);
      assert.ok(err, `${event || '(empty)'} was accepted`);
      assert.equal(grpc.status[err.code], 'INVALID_ARGUMENT');
      assert.equal(String(err.metadata.get('sio-error-reason')[0]), reason);
    }
  });

  test('a Batch\'s server_side_emit runs in order with the other commands', async () => {
    const reply = await rpc.call('Batch', {
      commands: [
        { server_side_emit: { event: 'sse-hello', payload: payload('batch-1') } },
        { server_side_emit: { event: 'disconnect', payload: payload() } },
        { server_side_emit: { event: 'sse-hello', payload: payload('batch-2') } },
      ],
    });
    assert.deepEqual(reply.results.map((r) => [r.code, r.reason, r.server_side_emit?.receivers ?? null]),
                     [[0, '', 1], [3, 'RESERVED_EVENT_NAME', null], [0, '', 1]]);
    await expectGot(all, [a, c, b], 'batch-1');
    await expectGot(all, [a, c, b], 'batch-2');
    for (const s of all) {
      const i = s.got.indexOf('batch-1');
      assert.ok(i >= 0 && i < s.got.indexOf('batch-2'), `order at ${s.id}`);
    }
  });

  test('a node that never answers: the emit with acks ends at the request timeout with what came', async () => {
    // An extra subscriber counts as a node that never answers.
    const silent = cluster.rc.duplicate();
    silent.on('error', () => {});
    await silent.connect();
    await silent.subscribe('socket.io-request#/#', () => {});
    try {
      const t0 = Date.now();
      const res = await withTimeout(a.emitWithAck('sse-ack', 'p2'), 9000, 'the ack past the timeout');
      const took = Date.now() - t0;
      assert.equal(res.err, 'timeout reached: only 2 responses received out of 3');
      assert.deepEqual(res.replies.map((r) => r.from).sort(), ['node', 'ours']);
      assert.ok(took >= 4500 && took < 8000, `took ${took} ms`);
    } finally {
      await silent.quit().catch(() => {});
    }
  });
});

describe('serverSideEmit while Redis is down', () => {
  let redis; let ours;
  const clients = new Set();

  before(async () => {
    redis = await startRedis();
    await redis.kill();
    ours = await startServer({ app: 'contract', path: '/socket.io/', adapter: 'redis', 'redis-url': redis.url() });
  });

  after(async () => {
    for (const s of clients) s.disconnect();
    if (ours) await ours.stop();
  });

  test('the emit with acks fails fast with a clear error; the node stays up', async () => {
    const a = await client(ours, clients);
    const t0 = Date.now();
    const res = await call(a, 'sse-ack', 'x');
    assert.match(res.err, /unreachable/);
    assert.deepEqual(res.replies, []);
    assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
    assert.equal(await call(a, 'sse', 'y'), true);
    assert.equal(await call(a, 'echo', 'still-up'), 'still-up');
  });
});
