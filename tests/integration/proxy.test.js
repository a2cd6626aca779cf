// Integration tests of the backend proxy (socketio.v1.BackendService): the real
// sio-server with `--app proxy` calls a real gRPC backend written here with
// @grpc/grpc-js, and npm's socket.io-client sockets play the clients.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import { io } from 'socket.io-client';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { SERVER_BIN, nextEvent, startServer, withTimeout } from './server.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const PROTO_DIR = path.resolve(here, '../../protocol/proto');
const T = 5000;

const loaded = protoLoader.loadSync('socketio/v1/socketio.proto', {
  includeDirs: [PROTO_DIR], keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true,
});
const pkg = grpc.loadPackageDefinition(loaded).socketio.v1;

const json = (v) => ({ json: JSON.stringify(v) });
const payload = (...args) => ({ args: args.map((a) => (Buffer.isBuffer(a) ? { binary: a } : json(a))), attachments: [] });
const delay = (ms) => new Promise((r) => setTimeout(r, ms));

/** A promise with its resolve function, for waits that the backend ends. */
function signal() {
  let resolve;
  const promise = new Promise((r) => { resolve = r; });
  return { promise, resolve };
}

/**
 * The test backend. Connect decides by the client's auth.mode; Event by the
 * event's name. It records what it saw so that tests can check order,
 * concurrency, cancellation and disconnect notices.
 */
function startBackend({ label = 'backend', credentials = grpc.ServerCredentials.createInsecure(), port = 0 } = {}) {
  const seen = { events: [], disconnects: new Map(), cancelled: new Map(), concurrent: 0, maxConcurrent: 0, token: [] };
  const waiters = { disconnect: new Map(), cancelled: new Map() };
  const wake = (kind, id, value) => {
    seen[kind === 'disconnect' ? 'disconnects' : 'cancelled'].set(id, value);
    waiters[kind].get(id)?.resolve(value);
  };
  const server = new grpc.Server();
  server.addService(pkg.BackendService.service, {
    Connect(call, cb) {
      seen.token.push(call.metadata.get('authorization')[0]);
      const auth = JSON.parse(call.request.handshake.auth_json);
      switch (auth.mode) {
        case 'reject':
          return cb(null, { reject: { message: 'not allowed', data_json: JSON.stringify({ reason: 'banned', user: auth.user }) } });
        case 'none':
          return cb(null, {});
        case 'slow':
          return setTimeout(() => cb(null, { accept: {} }), 2000);
        case 'handshake': {
          const h = call.request.handshake;
          return cb(null, { accept: { data_json: JSON.stringify({ headers: h.headers, query: h.query, auth, ns: call.request.namespace, transport: call.request.transport }) } });
        }
        case 'garbage':
          return cb(null, { accept: { data_json: '{not json' } });
        default:
          return cb(null, { accept: { data_json: JSON.stringify({ user: auth.user ?? 'anon' }), rooms: ['lobby', `user:${auth.user}`] } });
      }
    },
    Event(call, cb) {
      const r = call.request;
      seen.events.push({ event: r.event, seq: r.seq, socket: r.socket_id, namespace: r.namespace });
      seen.concurrent += 1;
      seen.maxConcurrent = Math.max(seen.maxConcurrent, seen.concurrent);
      const reply = (err, value) => { seen.concurrent -= 1; cb(err, value); };
      switch (r.event) {
        case 'echo':
          return reply(null, { ack: r.payload });
        case 'whoami':
          return reply(null, { ack: payload({ data: JSON.parse(r.data_json), rooms: [...r.rooms].sort(), seq: r.seq, wantsAck: r.wants_ack }) });
        case 'shout':
          return reply(null, { emits: [{ target: { rooms: ['lobby'] }, event: 'announce', payload: r.payload }], ack: payload('sent') });
        case 'sequence':
          // Replies in reverse order of arrival unless the server serialises.
          return setTimeout(() => reply(null, { ack: payload(r.seq, JSON.parse(r.payload.args[0].json)) }), 40 - (r.seq % 4) * 10);
        case 'moves':
          return reply(null, {
            leave: ['lobby'],
            join: ['stage'],
            set_data_json: JSON.stringify({ moved: true }),
            emits: [{ target: { rooms: ['stage'] }, event: 'onstage', payload: payload('hello stage') }],
            ack: payload('moved'),
            disconnect: r.payload.args.length > 0 && JSON.parse(r.payload.args[0].json) === 'and-leave',
          });
        case 'slow':
          return setTimeout(() => reply(null, { ack: payload(r.seq) }), 3);
        case 'fail':
          return reply({ code: grpc.status.FAILED_PRECONDITION, details: 'boom' });
        case 'badreply':
          return reply(null, { set_data_json: 'nope', ack: payload('never') });
        case 'hang':
          call.on('cancelled', () => { seen.concurrent -= 1; wake('cancelled', r.socket_id, true); });
          return undefined;
        default:
          return reply(null, { ack: payload({ backend: label, event: r.event, namespace: r.namespace, token: call.metadata.get('authorization')[0] ?? null, data: r.data_json, rooms: r.rooms.length }) });
      }
    },
    Disconnect(call, cb) {
      const r = call.request;
      wake('disconnect', r.socket_id, { reason: r.reason, rooms: [...r.rooms].sort(), data: JSON.parse(r.data_json), connected: r.connected_unix_ms, disconnected: r.disconnected_unix_ms });
      cb(null, {});
    },
  });
  const ready = new Promise((resolve, reject) => {
    server.bindAsync(`127.0.0.1:${port}`, credentials, (err, bound) => {
      if (err) return reject(err);
      server.start?.();
      return resolve(bound);
    });
  });
  const waitFor = (kind, id) => {
    const have = (kind === 'disconnect' ? seen.disconnects : seen.cancelled).get(id);
    if (have !== undefined) return Promise.resolve(have);
    const s = signal();
    waiters[kind].set(id, s);
    return withTimeout(s.promise, T, `backend ${kind} of ${id}`);
  };
  return { ready, seen, waitFor, stop: () => new Promise((r) => server.tryShutdown(() => r())) };
}

/** A port nothing listens on (bound, then closed). */
async function deadPort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

function connect(server, auth, nsp = '/') {
  return io(`http://127.0.0.1:${server.port}${nsp}`, { transports: ['websocket'], forceNew: true, reconnection: false, auth });
}

async function connected(socket) {
  if (!socket.connected) await nextEvent(socket, 'connect', T);
  return socket;
}

describe('proxy to a Node backend', () => {
  let backend;
  let server;
  const sockets = [];
  const open = async (auth, nsp) => {
    const s = connect(server, auth, nsp);
    sockets.push(s);
    return connected(s);
  };

  before(async () => {
    backend = startBackend();
    const port = await backend.ready;
    server = await startServer({ app: 'proxy', path: '/socket.io/', backend: `127.0.0.1:${port}`, 'backend-token': 'b-secret', 'backend-headers': 'x-team, X-Other' });
  });
  after(async () => {
    for (const s of sockets) s.disconnect();
    await server?.stop();
    await backend?.stop();
  });

  test('an accepted socket has the data and rooms of the answer, and receives a room emit', async () => {
    const a = await open({ user: 'ann' });
    const b = await open({ user: 'bob' });
    const me = await a.timeout(T).emitWithAck('whoami');
    assert.deepEqual(me, { data: { user: 'ann' }, rooms: ['lobby', 'user:ann'], seq: 1, wantsAck: true });
    const announced = nextEvent(a, 'announce', T);
    assert.equal(await b.timeout(T).emitWithAck('shout', 'hi all', { n: 1 }), 'sent');
    assert.deepEqual(await announced, ['hi all', { n: 1 }]);
    assert.equal(backend.seen.token.at(-1), 'Bearer b-secret');
  });

  test('the backend sees the allow-listed headers, the query and the auth, and no other header', async () => {
    const s = io(`http://127.0.0.1:${server.port}/?room=blue`, {
      transports: ['websocket'], forceNew: true, reconnection: false,
      auth: { mode: 'handshake', token: 't1' }, extraHeaders: { 'x-team': 'blue', 'x-secret': 'hidden' },
    });
    sockets.push(s);
    await connected(s);
    const me = await s.timeout(T).emitWithAck('whoami');
    assert.deepEqual(me.data.headers, { 'x-team': 'blue' });
    assert.equal(me.data.query.room, 'blue');
    assert.deepEqual(me.data.auth, { mode: 'handshake', token: 't1' });
    assert.equal(me.data.ns, '/');
    assert.equal(me.data.transport, 'TRANSPORT_WEBSOCKET');
    const p = io(`http://127.0.0.1:${server.port}/`, { transports: ['polling'], forceNew: true, reconnection: false, auth: { mode: 'handshake' } });
    sockets.push(p);
    await connected(p);
    assert.equal((await p.timeout(T).emitWithAck('whoami')).data.transport, 'TRANSPORT_POLLING');
  });

  test('a dynamic namespace is played by the backend too', async () => {
    const s = await open({ user: 'nsp' }, '/anything');
    const me = await s.timeout(T).emitWithAck('whoami');
    assert.deepEqual(me.rooms, ['lobby', 'user:nsp']);
  });

  test('a rejection reaches the client as CONNECT_ERROR with its message and data verbatim', async () => {
    const s = connect(server, { mode: 'reject', user: 'eve' });
    sockets.push(s);
    const [err] = await nextEvent(s, 'connect_error', T);
    assert.equal(err.message, 'not allowed');
    assert.deepEqual(err.data, { reason: 'banned', user: 'eve' });
  });

  test('an answer without a decision is a rejection with NO_DECISION', async () => {
    const s = connect(server, { mode: 'none' });
    sockets.push(s);
    const [err] = await nextEvent(s, 'connect_error', T);
    assert.equal(err.message, 'backend unavailable');
    assert.deepEqual(err.data, { code: 'NO_DECISION', retryable: false });
  });

  test('ack payloads carry JSON and binary arguments both ways', async () => {
    const s = await open({ user: 'bin' });
    const reply = await s.timeout(T).emitWithAck('echo', { a: [1, 'two', null] }, Buffer.from([1, 2, 3]), { nested: Buffer.from('xyz') });
    assert.deepEqual(reply, { a: [1, 'two', null] });
    const all = await new Promise((resolve) => s.emit('echo', 'x', Buffer.from([9, 8]), { deep: [Buffer.from([7])] }, (...args) => resolve(args)));
    assert.equal(all[0], 'x');
    assert.deepEqual([...all[1]], [9, 8]);
    assert.deepEqual([...all[2].deep[0]], [7]);
  });

  test('an answer acts in order: leave, join, set data, emits, then the ack', async () => {
    const s = await open({ user: 'mover' });
    const order = [];
    s.on('onstage', (text) => order.push(`onstage:${text}`));
    const ack = await s.timeout(T).emitWithAck('moves');
    order.push(`ack:${ack}`);
    // The emit to "stage" reached the socket: it had joined before the emit.
    assert.deepEqual(order, ['onstage:hello stage', 'ack:moved']);
    const me = await s.timeout(T).emitWithAck('whoami');
    assert.deepEqual(me.data, { moved: true });
    assert.deepEqual(me.rooms, ['stage', 'user:mover']);
  });

  test('a disconnect in the answer comes after the ack', async () => {
    const s = await open({ user: 'leaver' });
    const id = s.id;
    const events = [];
    const gone = nextEvent(s, 'disconnect', T);
    s.emit('moves', 'and-leave', (ack) => events.push(`ack:${ack}`));
    const [reason] = await gone;
    events.push(`disconnect:${reason}`);
    assert.deepEqual(events, ['ack:moved', 'disconnect:io server disconnect']);
    const notice = await backend.waitFor('disconnect', id);
    assert.equal(notice.reason, 'server namespace disconnect');
  });

  test('events of one socket reach the backend one at a time, in order, with seq', async () => {
    const s = await open({ user: 'seq' });
    const before = backend.seen.events.length;
    backend.seen.maxConcurrent = 0;
    const acks = await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map((i) => s.timeout(T).emitWithAck('sequence', i)));
    assert.deepEqual(acks, [1, 2, 3, 4, 5, 6, 7, 8]);
    const mine = backend.seen.events.slice(before).filter((e) => e.event === 'sequence');
    assert.deepEqual(mine.map((e) => e.seq), [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.equal(backend.seen.maxConcurrent, 1);
  });

  test('a failing backend call answers the ack with an error object', async () => {
    const s = await open({ user: 'f' });
    assert.deepEqual(await s.timeout(T).emitWithAck('fail'), { error: { code: 'FAILED_PRECONDITION', message: 'boom' } });
    const bad = await s.timeout(T).emitWithAck('badreply');
    assert.equal(bad.error.code, 'INTERNAL');
    // The bad answer changed nothing.
    assert.deepEqual((await s.timeout(T).emitWithAck('whoami')).data, { user: 'f' });
  });

  test('a disconnect notice names the reason, the rooms (not the own one) and the data', async () => {
    const s = await open({ user: 'dora' });
    const id = s.id;
    s.disconnect();
    const notice = await backend.waitFor('disconnect', id);
    assert.equal(notice.reason, 'client namespace disconnect');
    assert.deepEqual(notice.rooms, ['lobby', 'user:dora']);
    assert.deepEqual(notice.data, { user: 'dora' });
    assert.ok(notice.disconnected >= notice.connected && notice.connected > 0);
  });

  test('a call in flight is cancelled when its socket goes away', async () => {
    const s = await open({ user: 'hang' });
    const id = s.id;
    s.emit('hang');
    // The call is at the backend once its seq shows there.
    await withTimeout((async () => { while (!backend.seen.events.some((e) => e.socket === id && e.event === 'hang')) await delay(10); })(), T, 'the hang event at the backend');
    s.disconnect();
    assert.equal(await backend.waitFor('cancelled', id), true);
  });
});

describe('proxy when the backend fails', () => {
  test('a backend that is down: CONNECT_ERROR UNAVAILABLE, retryable; fail-open accepts', async () => {
    const port = await deadPort();
    const server = await startServer({ app: 'proxy', path: '/socket.io/', backend: `127.0.0.1:${port}`, 'backend-connect-timeout': 2000 });
    const open = await startServer({ app: 'proxy', path: '/socket.io/', backend: `127.0.0.1:${port}`, 'backend-on-error': 'accept', 'backend-event-timeout': 1000 });
    try {
      const s = connect(server, {});
      const [err] = await nextEvent(s, 'connect_error', T);
      s.disconnect();
      assert.equal(err.message, 'backend unavailable');
      assert.deepEqual(err.data, { code: 'UNAVAILABLE', retryable: true });
      const t = await connected(connect(open, {}));
      const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => t.timeout(T).emitWithAck('echo', i)));
      t.disconnect();
      for (const reply of replies) assert.equal(reply.error.code, 'UNAVAILABLE');
      // Logged once for the burst, not once per event (the line may reach
      // the pipe after the acks).
      await until(() => /event=backend_event_failed/.test(open.output()), T, 'the failure logged');
      assert.equal(open.output().match(/event=backend_event_failed/g)?.length, 1, open.output());
    } finally {
      await server.stop();
      await open.stop();
    }
  });

  test('a backend slower than the timeouts: DEADLINE_EXCEEDED for connects and acks; others do not notice', async () => {
    const backend = startBackend();
    const port = await backend.ready;
    const server = await startServer({ app: 'proxy', path: '/socket.io/', backend: `127.0.0.1:${port}`, 'backend-connect-timeout': 300, 'backend-event-timeout': 300 });
    const sockets = [];
    try {
      const slow = connect(server, { mode: 'slow' });
      sockets.push(slow);
      const [err] = await nextEvent(slow, 'connect_error', T);
      assert.deepEqual(err.data, { code: 'DEADLINE_EXCEEDED', retryable: true });
      const s = await connected(connect(server, { user: 'h' }));
      const other = await connected(connect(server, { user: 'o' }));
      sockets.push(s, other);
      const hung = s.timeout(T).emitWithAck('hang');
      assert.equal(await other.timeout(T).emitWithAck('echo', 'fine'), 'fine');
      assert.equal((await hung).error.code, 'DEADLINE_EXCEEDED');
      const garbage = connect(server, { mode: 'garbage' });
      sockets.push(garbage);
      const [g] = await nextEvent(garbage, 'connect_error', T);
      assert.equal(g.message, 'backend unavailable');
    } finally {
      for (const s of sockets) s.disconnect();
      await server.stop();
      await backend.stop();
    }
  });

  test('with max_inflight 4 a socket has up to 4 events at the backend, each ack going to its own event', async () => {
    const backend = startBackend();
    const port = await backend.ready;
    const server = await startServer({ app: 'proxy', path: '/socket.io/', backend: `127.0.0.1:${port}`, 'backend-max-inflight': 4 });
    const s = await connected(connect(server, { user: 'par' }));
    try {
      const replies = await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map((i) =>
        new Promise((resolve) => s.emit('sequence', i, (seq, echoed) => resolve([seq, echoed])))));
      // seq follows the client's order; the backend answered out of order.
      assert.deepEqual(replies, [[1, 0], [2, 1], [3, 2], [4, 3], [5, 4], [6, 5], [7, 6], [8, 7]]);
      assert.ok(backend.seen.maxConcurrent > 1 && backend.seen.maxConcurrent <= 4, `at once: ${backend.seen.maxConcurrent}`);
    } finally {
      s.disconnect();
      await server.stop();
      await backend.stop();
    }
  });

  test('a socket over its queue gets RESOURCE_EXHAUSTED acks, and only it', async () => {
    const backend = startBackend();
    const port = await backend.ready;
    // Without pausing: the error acks are the only backpressure.
    const server = await startServer({ app: 'proxy', path: '/socket.io/', backend: `127.0.0.1:${port}`, 'backend-queue': 2, 'backend-event-timeout': 300, 'backend-pause-reading=false': true });
    const sockets = [];
    try {
      const s = await connected(connect(server, { user: 'flood' }));
      const other = await connected(connect(server, { user: 'calm' }));
      sockets.push(s, other);
      // One at the backend (hanging), two queued, the fourth over the bound.
      const acks = [0, 1, 2, 3].map(() => s.timeout(T).emitWithAck('hang'));
      assert.equal((await acks[3]).error.code, 'RESOURCE_EXHAUSTED');
      assert.equal(await other.timeout(T).emitWithAck('echo', 'ok'), 'ok');
      // The queued ones go one after the other, each to its own deadline.
      for (const ack of acks.slice(0, 3)) assert.equal((await ack).error.code, 'DEADLINE_EXCEEDED');
    } finally {
      for (const s of sockets) s.disconnect();
      await server.stop();
      await backend.stop();
    }
  });
});

/** The value of an unlabelled sample in the server's /metrics. */
async function metric(server, name) {
  const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
  const m = text.match(new RegExp(`^${name} (\\S+)$`, 'm'));
  assert.ok(m, `${name} in /metrics`);
  return Number(m[1]);
}

/** Polls `probe` until it returns a truthy value, within `ms`. */
async function until(probe, ms, what) {
  return withTimeout((async () => {
    for (;;) {
      const v = await probe();
      if (v) return v;
      await delay(20);
    }
  })(), ms, what);
}

describe('proxy backpressure and reconnects', () => {
  for (const transport of ['websocket', 'polling']) {
    test(`a ${transport} client flooding a slow backend is paused, not refused: every ack, in order; others unaffected`, async () => {
      const backend = startBackend();
      const port = await backend.ready;
      const server = await startServer({ app: 'proxy', path: '/socket.io/', backend: `127.0.0.1:${port}`, 'backend-queue': 4 });
      const flood = io(`http://127.0.0.1:${server.port}/`, { transports: [transport], forceNew: true, reconnection: false, auth: { user: 'flood' } });
      const calm = connect(server, { user: 'calm' });
      try {
        await Promise.all([connected(flood), connected(calm)]);
        const n = 300;
        const filler = 'x'.repeat(2000);
        const acks = Array.from({ length: n }, (_, i) => flood.timeout(30000).emitWithAck('slow', i, filler));
        let most = 0;
        await until(async () => {
          most = Math.max(most, await metric(server, 'socketio_backend_queued_events'));
          return (await metric(server, 'socketio_reads_paused')) === 1;
        }, T, 'the flooding connection paused');
        // The other client is served while the flood waits.
        assert.equal(await calm.timeout(T).emitWithAck('echo', 'ok'), 'ok');
        while (backend.seen.events.filter((e) => e.event === 'slow').length < n / 2) {
          most = Math.max(most, await metric(server, 'socketio_backend_queued_events'));
          await delay(20);
        }
        const replies = await withTimeout(Promise.all(acks), 30000, 'every ack of the flood');
        assert.deepEqual(replies, Array.from({ length: n }, (_, i) => i + 1));
        const mine = backend.seen.events.filter((e) => e.event === 'slow').map((e) => e.seq);
        assert.deepEqual(mine, Array.from({ length: n }, (_, i) => i + 1));
        // The queue holds what the gateway had read before the pause reached
        // it, within the bound past which events would fail (4 + 4096).
        assert.ok(most <= 4 + 4096, `queued at most ${most}`);
        assert.equal(await metric(server, 'socketio_reads_paused'), 0);
        assert.equal(await metric(server, 'socketio_backend_queued_events'), 0);
      } finally {
        flood.disconnect();
        calm.disconnect();
        await server.stop();
        await backend.stop();
      }
    });
  }

  test('a backend restarted: the server connects again by itself, counted in /metrics, and calls reach it', async () => {
    const first = startBackend({ label: 'first' });
    const port = await first.ready;
    const server = await startServer({ app: 'proxy', path: '/socket.io/', backend: `127.0.0.1:${port}`, 'backend-connect-timeout': 1000 });
    let second;
    try {
      const s = await connected(connect(server, { user: 'r' }));
      assert.equal((await s.timeout(T).emitWithAck('where')).backend, 'first');
      s.disconnect();
      const reconnects = await metric(server, 'socketio_backend_reconnects_total');
      await first.stop();
      await until(async () => (await metric(server, 'socketio_backend_connect_failures_total')) >= 1, T, 'the lost backend counted');
      second = startBackend({ label: 'second', port });
      await second.ready;
      // No client call needed: the server retries with backoff on its own.
      await until(async () => (await metric(server, 'socketio_backend_reconnects_total')) === reconnects + 1, 10000, 'the reconnect counted');
      const t = await connected(connect(server, { user: 'r2' }));
      assert.equal((await t.timeout(T).emitWithAck('where')).backend, 'second');
      t.disconnect();
      assert.match(server.output(), /event=backend_link_lost/);
      assert.match(server.output(), /event=backend_reconnected/);
    } finally {
      await server.stop();
      await second?.stop();
    }
  });
});

describe('proxy next to an app\'s own handlers', () => {
  test('events with a local handler stay local; the others and the connect go to the backend', async () => {
    const backend = startBackend();
    const port = await backend.ready;
    const server = await startServer({ app: 'contract', path: '/socket.io/', backend: `127.0.0.1:${port}` });
    const s = await connected(connect(server, { user: 'mix' }));
    try {
      const before = backend.seen.events.length;
      assert.equal(await s.timeout(T).emitWithAck('echo', 'local'), 'local');
      const me = await s.timeout(T).emitWithAck('whoami');
      assert.deepEqual(me.data, { user: 'mix' });
      assert.deepEqual(backend.seen.events.slice(before).map((e) => e.event), ['whoami']);
      const refused = connect(server, { mode: 'reject', user: 'x' });
      const [err] = await nextEvent(refused, 'connect_error', T);
      refused.disconnect();
      assert.equal(err.message, 'not allowed');
    } finally {
      s.disconnect();
      await server.stop();
      await backend.stop();
    }
  });
});

describe('proxy flags', () => {
  for (const [what, argv, message] of [
    ['--app proxy without --backend', ['--app', 'proxy'], /--app proxy needs --backend/],
    ['--backend-on-error with an unknown policy', ['--app', 'proxy', '--backend', '127.0.0.1:1', '--backend-on-error', 'maybe'], /backend-on-error/],
  ]) {
    test(`${what} is a usage error: exit code 2 before anything listens`, () => {
      const r = spawnSync(SERVER_BIN, [...argv, '--port', '0', '--bind', '127.0.0.1'], { encoding: 'utf8', timeout: T });
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stdout, /listening/);
    });
  }
});

describe('routes in the config file', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sio-routes-'));
  const writeConfig = (name, text) => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('two backends, by namespace and by event, next to local handlers, each with its token; headers allow-listed', async () => {
    const a = startBackend({ label: 'a' });
    const b = startBackend({ label: 'b' });
    const [pa, pb] = await Promise.all([a.ready, b.ready]);
    const config = writeConfig('two.toml', `
[[backends]]
name = "a"
endpoint = "127.0.0.1:${pa}"
metadata = { authorization = "Bearer token-a" }

[[backends]]
name = "b"
endpoint = "127.0.0.1:${pb}"
[backends.metadata]
Authorization = "Bearer token-b"

[[routes]]
namespace = "/"
connect = "a"
disconnect = "a"
events = { "*" = "a", score = "b" }
headers = ["X-Team"]

[[routes]]
namespace = "/game"
connect = "b"
events = { "*" = "b" }
`);
    // The contract app: "/" has local handlers (echo among them).
    const server = await startServer({ app: 'contract', path: '/socket.io/', config });
    const sockets = [];
    const open = async (auth, nsp = '/', extraHeaders = {}) => {
      const s = io(`http://127.0.0.1:${server.port}${nsp}`, { transports: ['websocket'], forceNew: true, reconnection: false, auth, extraHeaders });
      sockets.push(s);
      return connected(s);
    };
    try {
      const s = await open({ user: 'mix' });
      assert.equal(a.seen.token.at(-1), 'Bearer token-a');
      assert.equal(b.seen.token.length, 0, 'b decides no connect of /');
      assert.equal(await s.timeout(T).emitWithAck('echo', 'local'), 'local');
      const toA = await s.timeout(T).emitWithAck('other');
      assert.deepEqual([toA.backend, toA.event, toA.namespace, toA.token], ['a', 'other', '/', 'Bearer token-a']);
      const toB = await s.timeout(T).emitWithAck('score');
      assert.deepEqual([toB.backend, toB.event, toB.namespace, toB.token], ['b', 'score', '/', 'Bearer token-b']);
      // socket.data and rooms travel with events by default.
      assert.deepEqual(JSON.parse(toB.data), { user: 'mix' });
      assert.equal(toB.rooms, 2);
      // The local handler kept its event: neither backend saw an echo.
      assert.deepEqual([...a.seen.events, ...b.seen.events].filter((e) => e.event === 'echo'), []);

      const h = await open({ mode: 'handshake' }, '/', { 'x-team': 'blue', 'x-secret': 'hidden' });
      assert.deepEqual((await h.timeout(T).emitWithAck('whoami')).data.headers, { 'x-team': 'blue' });

      const g = await open({ user: 'gamer' }, '/game');
      assert.equal(b.seen.token.at(-1), 'Bearer token-b');
      const inGame = await g.timeout(T).emitWithAck('move');
      assert.deepEqual([inGame.backend, inGame.namespace], ['b', '/game']);

      const id = s.id;
      s.disconnect();
      assert.equal((await a.waitFor('disconnect', id)).reason, 'client namespace disconnect');
    } finally {
      for (const s of sockets) s.disconnect();
      await server.stop();
      await a.stop();
      await b.stop();
    }
  });

  test('a "*" route: every namespace; its timeouts, failure policies and what travels with events', async () => {
    const a = startBackend({ label: 'a' });
    const pa = await a.ready;
    const dead = await deadPort();
    const config = writeConfig('star.toml', `
[[backends]]
name = "a"
endpoint = "127.0.0.1:${pa}"

[[backends]]
name = "down"
endpoint = "127.0.0.1:${dead}"

[[routes]]
namespace = "*"
connect = "a"
events = { "*" = "a" }
with_data = false
with_rooms = false
event_timeout_ms = 300
ack_on_error = "none"

[[routes]]
namespace = "/open"
connect = "down"
on_error = "accept"
connect_timeout_ms = 2000
`);
    const server = await startServer({ app: 'proxy', path: '/socket.io/', config });
    const sockets = [];
    try {
      for (const nsp of ['/', '/anything']) {
        const s = await connected(connect(server, { user: 'star' }, nsp));
        sockets.push(s);
        const reply = await s.timeout(T).emitWithAck('plain');
        assert.deepEqual([reply.backend, reply.namespace, reply.data, reply.rooms], ['a', nsp, '', 0]);
      }
      // No ack when the backend fails: the client's own timeout fires.
      await assert.rejects(sockets[0].timeout(1000).emitWithAck('hang'), /operation has timed out/);
      // A connect that the (down) backend should decide is accepted: fail-open.
      const open = await connected(connect(server, {}, '/open'));
      sockets.push(open);
      assert.ok(open.connected);
    } finally {
      for (const s of sockets) s.disconnect();
      await server.stop();
      await a.stop();
    }
  });

  test('a backend over TLS: the certificate checked against tls_ca and tls_server_name', async () => {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=backend.test', '-addext', 'subjectAltName=DNS:backend.test'], { encoding: 'utf8', timeout: T });
    assert.equal(made.status, 0, made.stderr);
    const credentials = grpc.ServerCredentials.createSsl(null, [{ cert_chain: readFileSync(cert), private_key: readFileSync(key) }]);
    const a = startBackend({ label: 'tls', credentials });
    const pa = await a.ready;
    const base = `
[[backends]]
name = "a"
endpoint = "127.0.0.1:${pa}"
tls = true
tls_ca = "${cert}"
tls_server_name = "backend.test"

[[routes]]
namespace = "/"
connect = "a"
events = { "*" = "a" }
`;
    const good = await startServer({ app: 'proxy', path: '/socket.io/', config: writeConfig('tls.toml', base) });
    // The same backend under a name its certificate does not have.
    const wrong = await startServer({ app: 'proxy', path: '/socket.io/', config: writeConfig('tls-wrong.toml', base.replace('"backend.test"', '"other.test"')) });
    try {
      const s = await connected(connect(good, { user: 'sec' }));
      const reply = await s.timeout(T).emitWithAck('over-tls');
      s.disconnect();
      assert.equal(reply.backend, 'tls');
      const t = connect(wrong, {});
      const [err] = await nextEvent(t, 'connect_error', T);
      t.disconnect();
      assert.deepEqual(err.data, { code: 'UNAVAILABLE', retryable: true });
    } finally {
      await good.stop();
      await wrong.stop();
      await a.stop();
    }
  });

  for (const [what, text, message] of [
    ['a route naming no backend', '[[routes]]\nnamespace = "/"\nconnect = "ghost"\n', /connect names no \[\[backends\]\]: ghost/],
    ['an unknown key in a route', '[[backends]]\nname = "a"\nendpoint = "127.0.0.1:1"\n[[routes]]\nnamespace = "/"\ntimeout = 5\n', /line 6: \[\[routes\]\]: unknown key timeout/],
    ['a backend without an endpoint', '[[backends]]\nname = "a"\n', /backend a needs an endpoint/],
    ['a bad on_error', '[[backends]]\nname = "a"\nendpoint = "x:1"\n[[routes]]\nnamespace = "/"\non_error = "maybe"\n', /on_error must be/],
    ['TOML that does not parse', '[[routes]\n', /parse/],
  ]) {
    test(`${what} is a usage error: exit code 2 before anything listens`, () => {
      const file = writeConfig('bad.toml', text);
      const r = spawnSync(SERVER_BIN, ['--app', 'proxy', '--config', file, '--port', '0', '--bind', '127.0.0.1'], { encoding: 'utf8', timeout: T });
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stdout, /listening/);
    });
  }

  test('--backend next to [[routes]] is a usage error', () => {
    const file = writeConfig('both.toml', '[[backends]]\nname = "a"\nendpoint = "127.0.0.1:1"\n[[routes]]\nnamespace = "/"\nconnect = "a"\n');
    const r = spawnSync(SERVER_BIN, ['--app', 'proxy', '--config', file, '--backend', '127.0.0.1:2', '--port', '0'], { encoding: 'utf8', timeout: T });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /--backend and \[\[routes\]\]/);
  });
});
