// The gRPC API of one node of a mixed cluster (two sio-server nodes and a
// Node socket.io 4.8 node with @socket.io/redis-adapter 8, on a real
// redis-server of the test's own): CountSockets and the per-socket
// EmitWithAck act on the whole cluster unless the target is local.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import grpc from '@grpc/grpc-js';
import { io } from 'socket.io-client';
import { grpcClient, payload } from './grpc_api.js';
import { nextEvent, startServer, withTimeout } from './server.js';
import { freePort, startMixedCluster, startRedis } from './redis.js';

const T = 5000;

/** A client of `server` that answers "q" with its id and the argument, unless `silent`. */
async function client(server, clients, silent = false) {
  const s = io(server.url, { transports: ['websocket'], reconnection: false, forceNew: true });
  clients.add(s);
  s.on('q', (x, cb) => { if (!silent) cb(`${s.id}:${x}`); });
  await nextEvent(s, 'connect', T, 'connect');
  return s;
}

const call = (s, ...args) => withTimeout(s.emitWithAck(...args), T + 2000, `ack of ${args[0]}`);

describe('gRPC on a node of a mixed cluster: CountSockets and EmitWithAck', () => {
  let cluster; let rpc;
  const clients = new Set();
  let a; let c; let b; let quiet;

  before(async () => {
    cluster = await startMixedCluster();
    const { ours, ours2, node } = cluster;
    a = await client(ours, clients);
    c = await client(ours2, clients);
    b = await client(node, clients);
    quiet = await client(node, clients, true);
    for (const s of [a, c, b]) assert.equal(await call(s, 'join', 'r'), true);
    rpc = grpcClient(cluster.grpcAddress);
  });

  after(async () => {
    rpc?.close();
    for (const s of clients) s.disconnect();
    await cluster?.stop();
  });

  test('CountSockets counts every node\'s sockets; local counts this node\'s', async () => {
    const count = async (target) => (await rpc.call('CountSockets', { target })).sockets;
    assert.equal(await count({ namespace: '/' }), 4);
    assert.equal(await count({ namespace: '/', rooms: ['r'] }), 3);
    assert.equal(await count({ namespace: '/', rooms: ['r'], except_rooms: [b.id] }), 2);
    assert.equal(await count({ namespace: '/', rooms: [b.id, c.id] }), 2);
    assert.equal(await count({ namespace: '/', local: true }), 1);
    assert.equal(await count({ namespace: '/', rooms: ['nobody'] }), 0);
  });

  test('EmitWithAck gets each socket\'s answer on whichever node it lives', async () => {
    const reply = await rpc.call('EmitWithAck', {
      target: { namespace: '/', rooms: ['r'] }, event: 'q', payload: payload('x'), timeout_ms: 3000,
    });
    const expected = [a, c, b].map((s) => s.id).sort();
    assert.deepEqual(reply.acks.map((x) => x.socket_id), expected);
    for (const x of reply.acks) {
      assert.equal(x.status, 'ACK_STATUS_ACKED');
      assert.deepEqual(x.payload.args.map((v) => JSON.parse(v.json)), [`${x.socket_id}:x`]);
    }
    assert.deepEqual([reply.expected, reply.acked, reply.complete], [3, 3, true]);
    const local = await rpc.call('EmitWithAck', {
      target: { namespace: '/', rooms: ['r'], local: true }, event: 'q', payload: payload('y'), timeout_ms: 3000,
    });
    assert.deepEqual(local.acks.map((x) => [x.socket_id, x.status]), [[a.id, 'ACK_STATUS_ACKED']]);
  });

  test('EmitWithAck: a socket on another node that never answers times out, the others answer', async () => {
    const t0 = Date.now();
    const reply = await rpc.call('EmitWithAck', {
      target: { namespace: '/', rooms: [quiet.id, c.id] }, event: 'q', payload: payload('z'), timeout_ms: 1000,
    });
    const took = Date.now() - t0;
    const byId = Object.fromEntries(reply.acks.map((x) => [x.socket_id, x.status]));
    assert.deepEqual(byId, { [quiet.id]: 'ACK_STATUS_TIMED_OUT', [c.id]: 'ACK_STATUS_ACKED' });
    assert.deepEqual([reply.expected, reply.acked, reply.complete], [2, 1, false]);
    assert.ok(took >= 900 && took < 3000, `took ${took} ms`);
  });
});

describe('gRPC on a node whose Redis is down', () => {
  let redis; let ours; let rpc;
  const clients = new Set();

  before(async () => {
    redis = await startRedis();
    await redis.kill();
    const grpcPort = await freePort();
    ours = await startServer({
      app: 'contract', path: '/socket.io/', adapter: 'redis', 'redis-url': redis.url(),
      'grpc-listen': `127.0.0.1:${grpcPort}`,
    });
    rpc = grpcClient(`127.0.0.1:${grpcPort}`);
  });

  after(async () => {
    rpc?.close();
    for (const s of clients) s.disconnect();
    if (ours) await ours.stop();
  });

  test('CountSockets of the cluster fails fast with UNAVAILABLE; a local one still counts', async () => {
    await client(ours, clients);
    const t0 = Date.now();
    const err = await rpc.call('CountSockets', { target: { namespace: '/' } }).then(() => null, (e) => e);
    assert.ok(err, 'the count succeeded without the cluster');
    assert.equal(grpc.status[err.code], 'UNAVAILABLE');
    assert.equal(String(err.metadata.get('sio-error-reason')[0]), 'CLUSTER_UNAVAILABLE');
    assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
    assert.equal((await rpc.call('CountSockets', { target: { namespace: '/', local: true } })).sockets, 1);
  });
});
