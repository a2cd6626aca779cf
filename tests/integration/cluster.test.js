// The Redis cluster: sio-server (app contract, --adapter redis) next to a Node
// socket.io 4.8 node with @socket.io/redis-adapter 8 and an
// @socket.io/redis-emitter 5 publisher, all on a real redis-server of the
// test's own. Every delivery is counted: each client gets each broadcast
// exactly once. Then the faults: Redis down at start, killed (also in the
// middle of a burst) and restarted empty, the subscribers killed, paused,
// garbage on the channels; after each, one subscription per node.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { io } from 'socket.io-client';
import { createClient } from 'redis';
import { Emitter } from '@socket.io/redis-emitter';
import { nextEvent, startServer, withTimeout } from './server.js';
import { eventually, startNodeNode, startRedis } from './redis.js';

const T = 5000;
const QUIET_MS = 300; // how long to wait to be confident that no duplicate arrives
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function startOurs(redis, extra = {}) {
  return startServer({
    app: 'contract', path: '/socket.io/', adapter: 'redis', 'redis-url': redis.url(), ...extra,
  });
}

/** A client of `server` that records every msg / msg-all / msg-ack it gets. */
async function client(server, clients, opts = {}) {
  const s = io(server.url, { transports: ['websocket'], reconnection: false, ...opts });
  clients.add(s);
  s.received = [];
  for (const ev of ['msg', 'msg-all']) s.on(ev, (payload) => s.received.push([ev, payload]));
  s.on('msg-ack', (payload, cb) => { s.received.push(['msg-ack', payload]); cb(s.id); });
  await nextEvent(s, 'connect', T, 'connect');
  return s;
}

/** The cluster's counters on `server`'s /metrics, by name without the prefix. */
async function clusterCounters(server) {
  const res = await fetch(`${server.url}/metrics`);
  assert.equal(res.status, 200);
  const counters = {};
  for (const [, name, v] of (await res.text()).matchAll(/^socketio_cluster_(\w+)_total (\d+)$/gm)) {
    counters[name] = Number(v);
  }
  return counters;
}

const call = (s, ...args) => withTimeout(s.emitWithAck(...args), T, `ack of ${args[0]}`);
// While the cluster forms again, a request may count a node that is not yet
// listening: the server answers when its 5 s request timeout ends, so the
// client waits past that.
const callPastRequestTimeout = (s, ...args) =>
  withTimeout(s.emitWithAck(...args), T + 3000, `ack of ${args[0]}`);

/** Waits until every client in `who` received `payload` once; then that nobody got a copy more. */
async function expectDelivered(all, who, ev, payload) {
  const count = (s) => s.received.filter(([e, p]) => e === ev && JSON.stringify(p) === JSON.stringify(payload)).length;
  await eventually(() => who.every((s) => count(s) >= 1), T, `${ev} ${JSON.stringify(payload)} everywhere`);
  await sleep(QUIET_MS);
  for (const s of all) assert.equal(count(s), who.includes(s) ? 1 : 0, `deliveries of ${JSON.stringify(payload)} to ${s.id}`);
}

async function numsub(redisClient, channel = 'socket.io-request#/#') {
  const r = await redisClient.pubSubNumSub(channel);
  return r[channel];
}

/** The subscriptions on `redis`: [request channel, response channel, patterns]. */
async function subscriptions(redis) {
  const rc = createClient({ url: redis.url() });
  rc.on('error', () => {});
  await rc.connect();
  try {
    return [await numsub(rc), await numsub(rc, 'socket.io-response#/#'), await rc.pubSubNumPat()];
  } finally {
    await rc.quit().catch(() => {});
  }
}

/** Waits until each of `n` nodes holds exactly one of each subscription, and that it stays so. */
async function expectOneSubscriptionEach(redis, n) {
  const want = JSON.stringify([n, n, n]);
  await eventually(async () => JSON.stringify(await subscriptions(redis)) === want, T, `${want} subscriptions`);
  await sleep(QUIET_MS);
  assert.deepEqual(await subscriptions(redis), [n, n, n]);
}

const lines = (text, re) => text.split('\n').filter((l) => re.test(l)).length;

describe('a mixed cluster: sio-server, a Node node, an emitter', () => {
  let redis; let ours; let node; let rc; let emitter;
  const clients = new Set();
  let a1; let a2; let b1; let b2; let all;

  before(async () => {
    redis = await startRedis();
    ours = await startOurs(redis);
    node = await startNodeNode(redis);
    rc = createClient({ url: redis.url() });
    rc.on('error', () => {});
    await rc.connect();
    emitter = new Emitter(rc);
    // One subscription per node: two in all.
    await eventually(async () => (await numsub(rc)) === 2, T, 'both nodes subscribed');
    a1 = await client(ours, clients); a2 = await client(ours, clients);
    b1 = await client(node, clients); b2 = await client(node, clients);
    all = [a1, a2, b1, b2];
    for (const s of [a1, b1]) assert.equal(await call(s, 'join', 'r'), true);
  });

  after(async () => {
    for (const s of clients) s.disconnect();
    await rc?.quit().catch(() => {});
    await node?.stop();
    if (ours) {
      const how = await ours.stop();
      assert.equal(how.forced, false, ours.output());
    }
    await redis?.kill();
  });

  test('exactly one subscription per node on the request channel, one adapter per namespace', async () => {
    assert.equal(await numsub(rc), 2);
    // Only our node has the contract's /custom.
    assert.equal(await numsub(rc, 'socket.io-request#/custom#'), 1);
    assert.equal(await numsub(rc, 'socket.io-response#/custom#'), 1);
  });

  test('a room broadcast from our node reaches the room on both nodes once', async () => {
    a2.emit('broadcast', 'r', 'from-ours');
    await expectDelivered(all, [a1, b1], 'msg', 'from-ours');
  });

  test('a room broadcast from the Node node reaches the room on both nodes once', async () => {
    b2.emit('broadcast', 'r', 'from-node');
    await expectDelivered(all, [a1, b1], 'msg', 'from-node');
  });

  test('a broadcast to everyone, both ways', async () => {
    a1.emit('broadcast-all', { n: 1, f: 1.5 });
    await expectDelivered(all, all, 'msg-all', { n: 1, f: 1.5 });
    b1.emit('broadcast-all', 'x');
    await expectDelivered(all, all, 'msg-all', 'x');
  });

  test('binary payloads cross in both directions', async () => {
    const bin = Buffer.from([0, 1, 2, 255]);
    for (const from of [a2, b2]) {
      const before = all.map((s) => s.received.length);
      from.emit('broadcast', 'r', bin);
      await eventually(() => [a1, b1].every((s) => s.received.some(([e, p]) => e === 'msg' && Buffer.isBuffer(p) && p.equals(bin))), T, 'binary');
      await sleep(QUIET_MS);
      assert.deepEqual(all.map((s, i) => s.received.length - before[i]), [1, 0, 1, 0]);
      for (const s of [a1, b1]) s.received.length = 0;
    }
    const before = all.map((s) => s.received.length);
    emitter.to('r').emit('msg', bin);
    await eventually(() => [a1, b1].every((s) => s.received.some(([e, p]) => e === 'msg' && Buffer.isBuffer(p) && p.equals(bin))), T, 'binary from the emitter');
    await sleep(QUIET_MS);
    assert.deepEqual(all.map((s, i) => s.received.length - before[i]), [1, 0, 1, 0]);
    for (const s of [a1, b1]) s.received.length = 0;
  });

  test('a broadcast from the Node node with except leaves out the excepted room on our node too', async () => {
    b2.emit('broadcast-except', 'r', a1.id, 'not-a1');
    await expectDelivered(all, [b1], 'msg', 'not-a1');
    b2.emit('broadcast-except', 'r', 'nobody', 'all-of-r');
    await expectDelivered(all, [a1, b1], 'msg', 'all-of-r');
  });

  test('the emitter reaches both nodes, with rooms and except', async () => {
    emitter.to('r').emit('msg', 'emitted');
    await expectDelivered(all, [a1, b1], 'msg', 'emitted');
    emitter.except('r').emit('msg-all', 'not-r');
    await expectDelivered(all, [a2, b2], 'msg-all', 'not-r');
    emitter.to(a2.id).to(b2.id).emit('msg', 'two-ids');
    await expectDelivered(all, [a2, b2], 'msg', 'two-ids');
  });

  test('fetchSockets counts the sockets of both nodes, asked from either', async () => {
    assert.equal(await call(a1, 'room-size', 'r'), 2);
    assert.equal(await call(b1, 'room-size', 'r'), 2);
    assert.equal(await call(a1, 'room-size', 'nobody'), 0);
  });

  test('allRooms from the Node node lists the rooms of our node too', async () => {
    const rooms = await call(b1, 'all-rooms');
    for (const room of ['r', a1.id, a2.id, b1.id]) assert.ok(rooms.includes(room), `${room} in ${rooms}`);
  });

  test('socketsJoin from either node and from the emitter acts on both nodes', async () => {
    assert.equal(await call(a1, 'join-all', 'j1'), true);
    await eventually(async () => (await call(b1, 'room-size', 'j1')) === 4, T, 'j1 has everyone');
    assert.equal(await call(b1, 'join-all', 'j2'), true);
    await eventually(async () => (await call(a1, 'room-size', 'j2')) === 4, T, 'j2 has everyone');
    emitter.in('r').socketsJoin('j3');
    await eventually(async () => (await call(a2, 'room-size', 'j3')) === 2, T, 'j3 has room r');
    emitter.in('j3').socketsLeave('j3');
    await eventually(async () => (await call(b2, 'room-size', 'j3')) === 0, T, 'j3 empty');
  });

  test('sockets fetched from the other node act through the cluster (RemoteSocket.join)', async () => {
    assert.equal(await call(a1, 'fetch-join', 'r', 'fj1'), 2);
    await eventually(async () => (await call(b2, 'room-size', 'fj1')) === 2, T, 'fj1 has room r');
    assert.equal(await call(b1, 'fetch-join', 'r', 'fj2'), 2);
    await eventually(async () => (await call(a2, 'room-size', 'fj2')) === 2, T, 'fj2 has room r');
  });

  test('a broadcast with acks gathers the replies of both nodes', async () => {
    for (const from of [a2, b2]) {
      const res = await call(from, 'broadcast-ack', 'r', 'ack-me');
      assert.equal(res.err, null);
      assert.deepEqual([...res.replies].sort(), [a1.id, b1.id].sort());
    }
    // Every node counts its clients, 0 included, so nobody waits for the timeout.
    for (const from of [a2, b2]) {
      const t0 = Date.now();
      const none = await call(from, 'broadcast-ack', 'nobody', 'x');
      assert.deepEqual(none, { err: null, replies: [] });
      assert.ok(Date.now() - t0 < 1500, `took ${Date.now() - t0} ms`);
    }
  });

  test('broadcasts with acks and the broadcasts between them arrive in order on every node', async () => {
    for (const from of [a2, b2]) {
      for (const s of all) s.received.length = 0;
      const sent = [];
      const acks = [];
      for (let i = 0; i < 5; i++) {
        acks.push(from.emitWithAck('broadcast-ack', 'r', `with-ack-${i}`));
        from.emit('broadcast', 'r', `plain-${i}`);
        sent.push(`msg-ack:with-ack-${i}`, `msg:plain-${i}`);
      }
      await eventually(() => [a1, b1].every((s) => s.received.length >= sent.length), T, 'every broadcast');
      for (const s of [a1, b1]) {
        assert.deepEqual(s.received.map(([e, p]) => `${e}:${p}`), sent,
                         `order at ${s === a1 ? 'our node' : 'the Node node'}, sent from ${from === a2 ? 'ours' : 'Node'}`);
      }
      for (const res of await withTimeout(Promise.all(acks), T, 'the acks')) {
        assert.deepEqual([res.err, [...res.replies].sort()], [null, [a1.id, b1.id].sort()]);
      }
    }
  });

  test('a broadcast with acks tells the other nodes how long its sender waits, as Node does', async () => {
    // PSUBSCRIBE is not counted by PUBSUB NUMSUB: the cluster stays as it is.
    const spy = rc.duplicate();
    spy.on('error', () => {});
    await spy.connect();
    const requests = [];
    await spy.pSubscribe('socket.io-request#/#*', (message) => requests.push(message), true);
    try {
      // msgpack of "timeout": 2000, the contract's timeout.
      const timeout2000 = Buffer.concat([Buffer.from([0xa7]), Buffer.from('timeout'), Buffer.from([0xcd, 0x07, 0xd0])]);
      const asked = (marker) => requests.find((m) => m.includes(Buffer.from(marker)));
      for (const from of [a2, b2]) {
        const marker = `timeout-from-${from.id}`;
        await eventually(async () => {
          await call(from, 'broadcast-ack', 'nobody', marker);
          return asked(marker) !== undefined;
        }, T, 'the request seen');
        assert.ok(asked(marker).includes(timeout2000), `flags.timeout of ${asked(marker).toString('hex')}`);
      }
    } finally {
      await spy.quit().catch(() => {});
    }
  });

  test('socketsLeave from the Node node acts on both nodes', async () => {
    assert.equal(await call(b1, 'join-all', 'lv'), true);
    await eventually(async () => (await call(a1, 'room-size', 'lv')) === 4, T, 'lv has everyone');
    assert.equal(await call(b1, 'leave-all', 'r', 'lv'), true);
    await eventually(async () => (await call(a2, 'room-size', 'lv')) === 2, T, 'room r left lv');
    assert.equal(await call(a2, 'room-size', 'lv'), 2);
    assert.equal(await call(b2, 'room-size', 'lv'), 2);
  });

  test('disconnectSockets from the emitter closes sockets on both nodes', async () => {
    const gone = [a2, b2].map((s) => nextEvent(s, 'disconnect', T));
    emitter.in(a2.id).disconnectSockets();
    emitter.in(b2.id).disconnectSockets();
    const reasons = (await Promise.all(gone)).map(([r]) => r);
    assert.deepEqual(reasons, ['io server disconnect', 'io server disconnect']);
    assert.equal(await call(a1, 'room-size', 'j1'), 2);
  });

  test('disconnectSockets from the Node node closes a socket on our node', async () => {
    const gone = nextEvent(a1, 'disconnect', T);
    assert.equal(await call(b1, 'disconnect-all', a1.id), true);
    assert.equal((await gone)[0], 'io server disconnect');
    assert.equal(b1.connected, true);
    assert.equal(await call(b1, 'room-size', 'j1'), 1);
  });
});

describe('a cluster on its own key (--redis-key)', () => {
  let redis; let ours; let node; let rc;
  const clients = new Set();

  after(async () => {
    for (const s of clients) s.disconnect();
    await rc?.quit().catch(() => {});
    await node?.stop();
    if (ours) await ours.stop();
    await redis?.kill();
  });

  test('our node, a Node node and an emitter meet on the channels of the key, and only there', async () => {
    redis = await startRedis();
    ours = await startOurs(redis, { 'redis-key': 'myapp' });
    node = await startNodeNode(redis, 'myapp');
    rc = createClient({ url: redis.url() });
    rc.on('error', () => {});
    await rc.connect();
    await eventually(async () => (await numsub(rc, 'myapp-request#/#')) === 2, T, 'both nodes on myapp');
    assert.equal(await numsub(rc, 'socket.io-request#/#'), 0);
    const a = await client(ours, clients);
    const b = await client(node, clients);
    for (const s of [a, b]) assert.equal(await call(s, 'join', 'k'), true);
    a.emit('broadcast', 'k', 'key-from-ours');
    await expectDelivered([a, b], [a, b], 'msg', 'key-from-ours');
    b.emit('broadcast', 'k', 'key-from-node');
    await expectDelivered([a, b], [a, b], 'msg', 'key-from-node');
    new Emitter(rc, { key: 'myapp' }).to('k').emit('msg', 'key-from-emitter');
    await expectDelivered([a, b], [a, b], 'msg', 'key-from-emitter');
    assert.equal(await call(a, 'room-size', 'k'), 2);
  });
});

// Only our nodes here: a Node node throws on some of the garbage below.
describe('faults: Redis down, killed, restarted, paused; garbage on the channels', () => {
  let redis; let ours; let ours2;
  const clients = new Set();

  after(async () => {
    for (const s of clients) s.disconnect();
    for (const s of [ours, ours2]) if (s) await s.stop();
    await redis?.kill();
  });

  test('down at start: local delivery works, the cluster forms once Redis is up', async () => {
    redis = await startRedis();
    await redis.kill();
    ours = await startOurs(redis);
    const a = await client(ours, clients);
    const b = await client(ours, clients);
    await call(a, 'join', 'r'); await call(b, 'join', 'r');
    a.emit('broadcast', 'r', 'local-1');
    await expectDelivered([a, b], [a, b], 'msg', 'local-1');
    // A cluster request fails fast instead of hanging.
    const t0 = Date.now();
    assert.equal(await call(a, 'room-size', 'r'), -1);
    assert.ok(Date.now() - t0 < 3000, `room-size took ${Date.now() - t0} ms`);

    await redis.start();
    ours2 = await startOurs(redis);
    const c = await client(ours2, clients);
    await call(c, 'join', 'r');
    await eventually(async () => (await callPastRequestTimeout(c, 'room-size', 'r')) === 3, 20000,
                     'both nodes count the room');
    c.emit('broadcast', 'r', 'cross-1');
    await expectDelivered([a, b, c], [a, b, c], 'msg', 'cross-1');
    // Exactly one subscription per node, whatever the retries before.
    await expectOneSubscriptionEach(redis, 2);
  });

  test('killed mid-run: local delivery goes on, the link comes back', async () => {
    const [a, b, c] = [...clients];
    const mark = ours.output().length;
    const before = await clusterCounters(ours);
    await redis.kill();
    a.emit('broadcast', 'r', 'during-outage');
    // Delivered here at once; lost for the other node, once each.
    await expectDelivered([a, b, c], [a, b], 'msg', 'during-outage');
    const t0 = Date.now();
    assert.equal(await call(a, 'room-size', 'r'), -1);
    assert.ok(Date.now() - t0 < 3000);
    assert.match(ours.output(), /event=redis_link_down/);

    await redis.start();
    await eventually(async () => (await callPastRequestTimeout(a, 'room-size', 'r')) === 3, 20000,
                     'the cluster back');
    c.emit('broadcast', 'r', 'after-restart');
    await expectDelivered([a, b, c], [a, b, c], 'msg', 'after-restart');
    // The publish lost in the outage is counted, and told once, whether the
    // link had noticed the outage when it was sent or not.
    await eventually(() => /event=redis_link_up detail="command: 1 publishes dropped while down"/.test(ours.output().slice(mark)),
                     T, `the loss told: ${ours.output().slice(mark)}`);
    await expectOneSubscriptionEach(redis, 2);
    // /metrics counts the same: one lost publish, the failed request, retries.
    const after = await clusterCounters(ours);
    assert.equal(after.publishes_dropped - before.publishes_dropped, 1);
    assert.ok(after.requests_failed > before.requests_failed, 'the failed room-size counted');
    assert.ok(after.reconnects > before.reconnects, 'the reconnects counted');
  });

  test('killed in the middle of a burst: every local delivery, nothing twice across, the loss told once', async () => {
    const [a, b, c] = [...clients];
    for (const s of [a, b, c]) s.received.length = 0;
    const N = 200;
    for (let i = 0; i < N / 2; i++) a.emit('broadcast', 'r', `burst-${i}`);
    await eventually(() => b.received.length >= N / 4, T, 'the burst under way');
    const mark = ours.output().length;
    await redis.kill();
    for (let i = N / 2; i < N; i++) a.emit('broadcast', 'r', `burst-${i}`);
    const burst = Array.from({ length: N }, (_, i) => `burst-${i}`);
    await eventually(() => [a, b].every((s) => s.received.length >= N), T, 'every local delivery');
    // Broadcasts with acks fail fast meanwhile, with the local replies only.
    const t0 = Date.now();
    const res = await call(a, 'broadcast-ack', 'r', 'acks-while-down');
    assert.equal(res.err, 'operation has timed out');
    assert.ok(Date.now() - t0 < 1500, `broadcast-ack took ${Date.now() - t0} ms`);
    await sleep(QUIET_MS);
    for (const s of [a, b]) {
      assert.deepEqual(s.received.filter(([e]) => e === 'msg').map(([, p]) => p), burst);
    }
    // The other node got some, in order, none twice.
    const across = c.received.map(([, p]) => p);
    assert.deepEqual(across, burst.filter((p) => across.includes(p)));
    assert.ok(across.length < N, `${across.length} of ${N} crossed while Redis was down`);

    await redis.start();
    await eventually(async () => (await callPastRequestTimeout(a, 'room-size', 'r')) === 3, 20000,
                     'the cluster back');
    await expectOneSubscriptionEach(redis, 2);
    c.emit('broadcast', 'r', 'after-burst');
    await expectDelivered([a, b, c], [a, b, c], 'msg', 'after-burst');
    // At most a line down and one up for each of the two connections (the
    // log holds back a repeat within a second), not one per message; the
    // command connection's up line counts the publishes lost meanwhile:
    // the burst's that did not cross and the broadcast with acks'.
    const up = /event=redis_link_up detail="command: (\d+) publishes dropped while down"/;
    await eventually(() => up.test(ours.output().slice(mark)), T, 'the loss told');
    const out = ours.output().slice(mark);
    assert.ok(lines(out, /event=redis_link_down/) <= 2, out);
    const told = [...out.matchAll(new RegExp(up.source, 'g'))];
    assert.equal(told.length, 1, out);
    const dropped = Number(told[0][1]);
    assert.ok(dropped >= N / 2 && dropped <= N + 1 - across.length, `${told[0][0]}, ${across.length} crossed`);
  });

  test('the subscribers killed (CLIENT KILL TYPE pubsub): resubscribed, one subscription per node', async () => {
    const [a, b, c] = [...clients];
    const rc = createClient({ url: redis.url() });
    rc.on('error', () => {});
    await rc.connect();
    try {
      assert.equal(await rc.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub']), 2);
      // Local delivery does not notice.
      a.emit('broadcast', 'r', 'local-while-resubscribing');
      await eventually(() => [a, b].every((s) => s.received.some(([, p]) => p === 'local-while-resubscribing')), T,
                       'local delivery');
      await expectOneSubscriptionEach(redis, 2);
    } finally {
      await rc.quit().catch(() => {});
    }
    c.emit('broadcast', 'r', 'after-client-kill');
    await expectDelivered([a, b, c], [a, b, c], 'msg', 'after-client-kill');
  });

  test('paused (SIGSTOP): local delivery goes on, cluster requests end at their timeout', async () => {
    const [a, b, c] = [...clients];
    redis.pause();
    try {
      a.emit('broadcast', 'r', 'while-paused');
      await expectDelivered([a, b], [a, b], 'msg', 'while-paused');
      const t0 = Date.now();
      assert.equal(await call(a, 'room-size', 'r'), -1);
      const took = Date.now() - t0;
      assert.ok(took < 4000, `room-size took ${took} ms`);
      // A broadcast with acks goes out here at once too, and ends at its
      // timeout with the replies of this node.
      const acks = call(a, 'broadcast-ack', 'r', 'ack-while-paused');
      const got = (s) => s.received.some(([e, p]) => e === 'msg-ack' && p === 'ack-while-paused');
      await eventually(() => got(a) && got(b), 1500, 'the local part of the broadcast with acks');
      const res = await acks;
      assert.equal(res.err, 'operation has timed out');
      assert.deepEqual([...res.replies].sort(), [a.id, b.id].sort());
    } finally {
      redis.resume();
    }
    await eventually(async () => (await callPastRequestTimeout(c, 'room-size', 'r')) === 3, 20000,
                     'the cluster back');
  });

  test('garbage on the channels is dropped and counted; the node goes on', async () => {
    const before = await clusterCounters(ours);
    const rc = createClient({ url: redis.url() });
    rc.on('error', () => {});
    await rc.connect();
    await rc.publish('socket.io#/#', 'not msgpack');
    await rc.publish('socket.io#/#', Buffer.from([0xdd, 0xff, 0xff, 0xff, 0xff]));
    await rc.publish('socket.io#/#r#', Buffer.from('91'.repeat(5000), 'hex'));
    await rc.publish('socket.io-request#/#', '{"type":42,"uid":"zzzzzz"}');
    await rc.publish('socket.io-request#/#', '{"type":2,"opts":{"rooms":"r"},"rooms":[1.5]}');
    await rc.publish('socket.io-response#/#', '\xc1');
    await eventually(() => /event=cluster_message_dropped/.test(ours.output()), T, 'the drop logged');
    await eventually(async () => (await clusterCounters(ours)).messages_dropped - before.messages_dropped === 6,
                     T, 'all six counted on /metrics');
    await rc.quit();
    const [a, b, c] = [...clients];
    a.emit('broadcast', 'r', 'still-works');
    await expectDelivered([a, b, c], [a, b, c], 'msg', 'still-works');
  });
});
