// The gRPC API of one node of a mixed cluster (two sio-server nodes and a
// Node socket.io 4.8 node with @socket.io/redis-adapter 8, on a real
// redis-server of the test's own): CountSockets, the per-socket
// EmitWithAck, Emit, SocketsJoin/Leave and DisconnectSockets act on the whole
// cluster unless the target is local; FetchSockets and CountSockets fail
// when a node does not answer, as fetchSockets() rejects.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import grpc from '@grpc/grpc-js';
import { io } from 'socket.io-client';
import { grpcClient, payload } from './grpc_api.js';
import { nextEvent, startServer, withTimeout } from './server.js';
import { eventually, freePort, startMixedCluster, startRedis } from './redis.js';

const T = 5000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A client of `server` that answers "q" with its id and the argument, and "msg-ack" with its id, unless `silent`. */
async function client(server, clients, silent = false) {
  const s = io(server.url, { transports: ['websocket'], reconnection: false, forceNew: true });
  clients.add(s);
  s.on('q', (x, cb) => { if (!silent) cb(`${s.id}:${x}`); });
  s.on('msg-ack', (x, cb) => { if (!silent) cb(s.id); });
  s.got = [];
  s.on('msg', (x) => s.got.push(x));
  await nextEvent(s, 'connect', T, 'connect');
  return s;
}

const call = (s, ...args) => withTimeout(s.emitWithAck(...args), T + 2000, `ack of ${args[0]}`);

/** `err` is the failure of a cluster query some node could not answer. */
function assertClusterUnavailable(err, what) {
  assert.ok(err, `${what} succeeded without every node`);
  assert.equal(grpc.status[err.code], 'UNAVAILABLE', `${what}: ${err.message}`);
  assert.equal(String(err.metadata.get('sio-error-reason')[0]), 'CLUSTER_UNAVAILABLE');
}

/**
 * A mixed cluster with a client on each of our nodes (a, c) and one on the
 * Node node (b), all three in room "r", and a gRPC client of the first node.
 */
async function clusterWithMembers(clients) {
  const cluster = await startMixedCluster();
  const { ours, ours2, node } = cluster;
  const a = await client(ours, clients);
  const c = await client(ours2, clients);
  const b = await client(node, clients);
  for (const s of [a, c, b]) assert.equal(await call(s, 'join', 'r'), true);
  return { cluster, a, c, b, rpc: grpcClient(cluster.grpcAddress) };
}

describe('gRPC on a node of a mixed cluster: CountSockets and EmitWithAck', () => {
  let cluster; let rpc;
  const clients = new Set();
  let a; let c; let b; let quiet;

  before(async () => {
    ({ cluster, a, c, b, rpc } = await clusterWithMembers(clients));
    quiet = await client(cluster.node, clients, true);
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

  test('Emit (except, local), SocketsJoin/Leave and DisconnectSockets act on the Node node too', async () => {
    const all = [a, c, b];
    const expectGot = async (who, x) => {
      await eventually(() => who.every((s) => s.got.includes(x)), T, `${x} delivered`);
      await sleep(300);
      assert.deepEqual(all.map((s) => s.got.filter((y) => y === x).length), all.map((s) => (who.includes(s) ? 1 : 0)), x);
    };
    await rpc.call('Emit', { target: { namespace: '/', rooms: ['r'], except_rooms: [c.id] }, event: 'msg', payload: payload('except-c') });
    await expectGot([a, b], 'except-c');
    await rpc.call('Emit', { target: { namespace: '/', rooms: ['r'], local: true }, event: 'msg', payload: payload('here-only') });
    await expectGot([a], 'here-only');
    const count = async (rooms) => (await rpc.call('CountSockets', { target: { namespace: '/', rooms } })).sockets;
    await rpc.call('SocketsJoin', { target: { namespace: '/', rooms: [b.id, c.id, quiet.id] }, rooms: ['g'] });
    await eventually(async () => (await count(['g'])) === 3, T, 'g joined on both nodes');
    await rpc.call('SocketsLeave', { target: { namespace: '/', rooms: ['g'], except_rooms: [c.id] }, rooms: ['g'] });
    await eventually(async () => (await count(['g'])) === 1, T, 'g left on the Node node');
    assert.equal(await count([c.id, 'g']), 1);
    const gone = nextEvent(quiet, 'disconnect', T);
    await rpc.call('DisconnectSockets', { target: { namespace: '/', rooms: [quiet.id] }, close: true });
    assert.equal((await gone)[0], 'io server disconnect');
    assert.equal(b.connected, true);
    await eventually(async () => (await count([])) === 3, T, 'three sockets left');
  });
});

describe('a node that never answers (an extra subscriber on the request channel)', () => {
  let cluster; let rpc; let silent;
  const clients = new Set();
  let a; let c; let b;

  before(async () => {
    ({ cluster, a, c, b, rpc } = await clusterWithMembers(clients));
    silent = cluster.rc.duplicate();
    silent.on('error', () => {});
    await silent.connect();
    await silent.subscribe('socket.io-request#/#', () => {});
  });

  after(async () => {
    await silent?.quit().catch(() => {});
    rpc?.close();
    for (const s of clients) s.disconnect();
    await cluster?.stop();
  });

  // As the reference: fetchSockets rejects at the request timeout (Node's
  // node here has 3 s, ours 5 s), a broadcast with acks ends at its own
  // timeout (2 s) with "operation has timed out" and every reply that came.
  test('fetches fail at their timeout, on every node and over gRPC; broadcasts with acks time out with the replies', async () => {
    const bound = (p, what) => withTimeout(p, 9000, what);
    const failure = (p) => p.then(() => null, (e) => e);
    const t0 = Date.now();
    const took = (p) => p.then((v) => [v, Date.now() - t0]);
    const [[fetchErr, fetchMs], [countErr], [ourSize, ourMs], [nodeSize], [ourAcks, ackMs], [nodeAcks]] =
      await Promise.all([
        // A deadline well past the request timeout: the node fails the call, not the deadline.
        took(failure(rpc.call('FetchSockets', { target: { namespace: '/', rooms: ['r'] } }, 9000))),
        took(failure(rpc.call('CountSockets', { target: { namespace: '/', rooms: ['r'] } }, 9000))),
        took(bound(a.emitWithAck('room-size', 'r'), 'room-size at our node')),
        took(bound(b.emitWithAck('room-size', 'r'), 'room-size at the Node node')),
        took(bound(c.emitWithAck('broadcast-ack', 'r', 'from-ours'), 'broadcast-ack at our node')),
        took(bound(b.emitWithAck('broadcast-ack', 'r', 'from-node'), 'broadcast-ack at the Node node')),
      ]);
    assertClusterUnavailable(fetchErr, 'FetchSockets');
    assertClusterUnavailable(countErr, 'CountSockets');
    assert.ok(fetchMs >= 4500 && fetchMs < 8000, `FetchSockets failed after ${fetchMs} ms`);
    assert.deepEqual([ourSize, nodeSize], [-1, -1]);
    assert.ok(ourMs >= 4500, `room-size failed after ${ourMs} ms`);
    const ids = [a, c, b].map((s) => s.id).sort();
    for (const res of [ourAcks, nodeAcks]) {
      assert.equal(res.err, 'operation has timed out');
      assert.deepEqual([...res.replies].sort(), ids);
    }
    assert.ok(ackMs >= 1800 && ackMs < 4000, `broadcast-ack ended after ${ackMs} ms`);
    // Without the silent one, the same work again.
    await silent.quit();
    silent = null;
    await eventually(async () => (await cluster.rc.pubSubNumSub('socket.io-request#/#'))['socket.io-request#/#'] === 3,
                     T, 'the silent subscriber gone');
    assert.equal((await rpc.call('FetchSockets', { target: { namespace: '/', rooms: ['r'] } })).sockets.length, 3);
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
    assertClusterUnavailable(err, 'CountSockets');
    assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
    assert.equal((await rpc.call('CountSockets', { target: { namespace: '/', local: true } })).sockets, 1);
  });

  test('FetchSockets of the cluster fails fast with UNAVAILABLE; a local one still lists', async () => {
    const t0 = Date.now();
    const err = await rpc.call('FetchSockets', { target: { namespace: '/' } }).then(() => null, (e) => e);
    assertClusterUnavailable(err, 'FetchSockets');
    assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
    assert.equal((await rpc.call('FetchSockets', { target: { namespace: '/', local: true } })).sockets.length, 1);
  });
});
