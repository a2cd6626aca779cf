// Integration tests of the gRPC API (socketio.v1.ServerService): the real sio-server
// (app "contract") with npm's socket.io-client sockets connected, driven by a real
// gRPC client (@grpc/grpc-js with @grpc/proto-loader reading the committed .proto).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import { io } from 'socket.io-client';
import { SERVER_BIN, nextEvent, startServer, withTimeout } from './server.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const PROTO_DIR = path.resolve(here, '../../protocol/proto');
const T = 5000;
const ABSENCE_MS = 300;
const TOKEN = 'admin-secret-1';
const TOKENS = [
  `${TOKEN}:admin`,
  'emit-only-secret:emit',
  'chat-only-secret:emit,read:/custom*',
].join(';');

const loaded = protoLoader.loadSync('socketio/v1/socketio.proto', {
  includeDirs: [PROTO_DIR], keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true,
});
const pkg = grpc.loadPackageDefinition(loaded).socketio.v1;

const scratch = mkdtempSync(path.join(os.tmpdir(), 'sio-grpc-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function client(address, token = TOKEN) {
  const c = new pkg.ServerService(address, grpc.credentials.createInsecure());
  const call = (method, request, { metadataToken = token, deadlineMs = T } = {}) =>
    new Promise((resolve, reject) => {
      const md = new grpc.Metadata();
      if (metadataToken !== null) md.set('authorization', `Bearer ${metadataToken}`);
      c[method](request, md, { deadline: Date.now() + deadlineMs }, (err, reply) => (err ? reject(err) : resolve(reply)));
    });
  return { raw: c, call, close: () => c.close() };
}

// The gRPC error of a call that must fail: its code name and sio-error-reason.
async function failure(promise) {
  try {
    await promise;
  } catch (err) {
    const reason = err.metadata?.get('sio-error-reason')?.[0];
    return { code: grpc.status[err.code], reason: reason === undefined ? undefined : String(reason) };
  }
  assert.fail('the call succeeded');
}

const json = (v) => ({ json: JSON.stringify(v) });
const payload = (...args) => ({ args: args.map((a) => (Buffer.isBuffer(a) ? { binary: a } : json(a))), attachments: [] });

async function connectSockets(port, n, nsp = '/') {
  const sockets = [];
  for (let i = 0; i < n; ++i) {
    const s = io(`http://127.0.0.1:${port}${nsp}`, { path: '/socket.io/', transports: ['websocket'], forceNew: true, reconnection: false });
    sockets.push(s);
  }
  await withTimeout(Promise.all(sockets.map((s) => (s.connected ? null : nextEvent(s, 'connect', T)))), T, 'sockets to connect');
  return sockets;
}

async function join(socket, room) {
  assert.equal(await socket.timeout(T).emitWithAck('join', room), true);
}

function expectNothing(socket, event) {
  let got = null;
  const h = (...a) => { got = a; };
  socket.on(event, h);
  return new Promise((r) => setTimeout(r, ABSENCE_MS)).then(() => {
    socket.off(event, h);
    assert.equal(got, null, `unexpected '${event}' ${JSON.stringify(got)}`);
  });
}

// A WatchEvents stream: its messages as they come, `ready` once the server
// sent its headers (from then on every event reaches it), `ended` with the
// error that ended it (null for a clean end).
function watch(api, request, token = TOKEN) {
  const md = new grpc.Metadata();
  if (token !== null) md.set('authorization', `Bearer ${token}`);
  const call = api.raw.WatchEvents(request, md);
  const messages = [];
  let waiters = [];
  const check = () => { waiters = waiters.filter((w) => !w()); };
  call.on('data', (m) => { messages.push(m); check(); });
  const ended = new Promise((resolve) => {
    call.on('error', (err) => resolve(err));
    call.on('end', () => resolve(null));
  });
  const ready = withTimeout(Promise.race([
    new Promise((resolve) => call.once('metadata', resolve)),
    ended.then((err) => { throw err ?? new Error('the stream ended before its headers'); }),
  ]), T, 'the WatchEvents headers');
  ready.catch(() => {});  // a refused stream is awaited through `ended`
  // Waits until pred(messages) holds.
  const until = (pred, what) => withTimeout(new Promise((resolve) => {
    const w = () => (pred(messages) ? (resolve(messages), true) : false);
    if (!w()) waiters.push(w);
  }), T, what);
  return { call, messages, ready, ended, until, close: () => call.cancel() };
}

// The seq rule: +1 per message, a gap of n takes n + 1.
function assertSeqs(messages) {
  let prev = 0;
  for (const m of messages) {
    const step = m.event === 'gap' ? Number(m.gap.dropped) + 1 : 1;
    assert.equal(Number(m.seq), prev + step, `seq after ${prev} for ${m.event}`);
    prev = Number(m.seq);
  }
}

// The error of a stream that must fail: its code name and sio-error-reason.
function streamFailure(err) {
  assert.ok(err, 'the stream ended without an error');
  const reason = err.metadata?.get('sio-error-reason')?.[0];
  return { code: grpc.status[err.code], reason: reason === undefined ? undefined : String(reason) };
}

// Every message of a server stream, or its error.
function readStream(call) {
  return new Promise((resolve) => {
    const messages = [];
    call.on('data', (m) => messages.push(m));
    call.on('error', (error) => resolve({ messages, error }));
    call.on('end', () => resolve({ messages, error: null }));
  });
}

// A Socket.IO socket over bare long-polling that polls only once, for its
// CONNECT reply: from then on no GET is pending, so the server cannot write to
// it now (a volatile event for it is dropped).
async function idlePollingSocket(port) {
  const base = `http://127.0.0.1:${port}/socket.io/?EIO=4&transport=polling`;
  const opened = await (await fetch(base, { signal: AbortSignal.timeout(T) })).text();
  const url = `${base}&sid=${JSON.parse(opened.slice(1)).sid}`;
  await fetch(url, { method: 'POST', body: '40', signal: AbortSignal.timeout(T) });
  const packets = (await (await fetch(url, { signal: AbortSignal.timeout(T) })).text()).split('\x1e');
  const connect = packets.find((p) => p.startsWith('40'));
  assert.ok(connect, `no CONNECT reply in ${packets}`);
  return {
    id: JSON.parse(connect.slice(2)).sid,
    close: () => fetch(url, { method: 'POST', body: '1', signal: AbortSignal.timeout(T) }),
  };
}

describe('gRPC API with tokens', () => {
  let server;
  let api;
  let sockets = [];
  const socketPath = path.join(scratch, 'api.sock');

  before(async () => {
    server = await startServer({ app: 'contract', path: '/socket.io/', 'grpc-listen': `unix:${socketPath}`, 'grpc-tokens': TOKENS });
    api = client(`unix:${socketPath}`);
  });
  after(async () => {
    for (const s of sockets) s.disconnect();
    api?.close();
    await server?.stop();
  });
  const open = async (n, nsp) => {
    const s = await connectSockets(server.port, n, nsp);
    sockets.push(...s);
    return s;
  };
  const closeAll = (list) => { for (const s of list) s.disconnect(); };

  test('Emit reaches a room, minus except_rooms, and a socket id', async () => {
    const [a, b, c] = await open(3);
    await join(a, 'r1');
    await join(b, 'r1');
    const gotA = nextEvent(a, 'news', T);
    const noB = expectNothing(b, 'news');
    const noC = expectNothing(c, 'news');
    const r = await api.call('Emit', { target: { rooms: ['r1'], except_rooms: [b.id] }, event: 'news', payload: payload('hello', { n: 1 }) });
    assert.equal(r.recipients, 1);
    assert.deepEqual(await gotA, ['hello', { n: 1 }]);
    await noB;
    await noC;
    const gotC = nextEvent(c, 'direct', T);
    const byId = await api.call('Emit', { target: { rooms: [c.id] }, event: 'direct', payload: payload(42) });
    assert.equal(byId.recipients, 1);
    assert.deepEqual(await gotC, [42]);
    const all = await api.call('Emit', { target: {}, event: 'everyone', payload: payload() });
    assert.ok(all.recipients >= 3);
    closeAll([a, b, c]);
  });

  test('binary arguments and nested placeholders arrive as Buffers', async () => {
    const [a] = await open(1);
    const got = nextEvent(a, 'files', T);
    await api.call('Emit', {
      target: { rooms: [a.id] }, event: 'files',
      payload: { args: [{ binary: Buffer.from([1, 2, 3]) }, json({ doc: { _placeholder: true, num: 0 }, name: 'x' })], attachments: [Buffer.from('abc')] },
    });
    const [first, second] = await got;
    assert.ok(Buffer.isBuffer(first));
    assert.deepEqual([...first], [1, 2, 3]);
    assert.ok(Buffer.isBuffer(second.doc));
    assert.equal(second.doc.toString(), 'abc');
    assert.equal(second.name, 'x');
    closeAll([a]);
  });

  test('an idempotency key sends once within its window; reused with another request it fails', async () => {
    const [a] = await open(1);
    const seen = [];
    a.on('once', (v) => seen.push(v));
    const req = { target: { rooms: [a.id] }, event: 'once', payload: payload(1), idempotency_key: 'k-1' };
    const first = await api.call('Emit', req);
    const second = await api.call('Emit', req);
    assert.deepEqual([first.recipients, first.deduplicated], [1, false]);
    assert.deepEqual([second.recipients, second.deduplicated], [1, true]);
    await new Promise((r) => setTimeout(r, ABSENCE_MS));
    assert.deepEqual(seen, [1]);
    assert.deepEqual(await failure(api.call('Emit', { ...req, payload: payload(2) })),
      { code: 'FAILED_PRECONDITION', reason: 'IDEMPOTENCY_KEY_REUSED' });
    closeAll([a]);
  });

  test('SocketsJoin, CountSockets, SocketsLeave and FetchSockets see the same rooms', async () => {
    const list = await open(5);
    const ids = list.map((s) => s.id);
    const joined = await api.call('SocketsJoin', { target: { rooms: ids.slice(0, 3) }, rooms: ['team'] });
    assert.equal(joined.sockets, 3);
    assert.equal((await api.call('CountSockets', { target: { rooms: ['team'] } })).sockets, 3);
    const got = nextEvent(list[0], 'team-news', T);
    const noLast = expectNothing(list[4], 'team-news');
    assert.equal((await api.call('Emit', { target: { rooms: ['team'] }, event: 'team-news', payload: payload('x') })).recipients, 3);
    await got;
    await noLast;
    // FetchSockets pages in id order.
    const seen = [];
    let page_token = '';
    do {
      const r = await api.call('FetchSockets', { target: { rooms: ['team'] }, limit: 2, page_token, include_data: true, include_handshake: true });
      assert.ok(r.sockets.length <= 2);
      for (const s of r.sockets) {
        assert.deepEqual(s.rooms, ['team']);
        assert.equal(s.namespace, '/');
        assert.equal(s.data_json, 'null');
        assert.ok(s.handshake.headers['user-agent'] !== undefined || s.handshake.headers.host !== undefined);
        assert.equal(s.handshake.headers.cookie, undefined);
        assert.equal(s.handshake.query.EIO, '4');
        assert.equal(s.handshake.auth_json, '{}');
        assert.match(s.handshake.url, /^\/socket\.io\/\?/);
        assert.match(s.handshake.address, /127\.0\.0\.1/);
        assert.equal(s.handshake.secure, false);
        assert.ok(Math.abs(Number(s.handshake.issued_unix_ms) - Date.now()) < 60000);
        seen.push(s.id);
      }
      page_token = r.next_page_token;
    } while (page_token);
    assert.deepEqual(seen, [...ids.slice(0, 3)].sort());
    const left = await api.call('SocketsLeave', { target: { rooms: [ids[0]] }, rooms: ['team'] });
    assert.equal(left.sockets, 1);
    assert.equal((await api.call('CountSockets', { target: { rooms: ['team'] } })).sockets, 2);
    closeAll(list);
  });

  test('DisconnectSockets: clients see "io server disconnect"', async () => {
    const [a, b] = await open(2);
    await join(a, 'bye');
    const gone = nextEvent(a, 'disconnect', T);
    const stays = expectNothing(b, 'disconnect');
    assert.equal((await api.call('DisconnectSockets', { target: { rooms: ['bye'] }, close: false })).sockets, 1);
    assert.equal((await gone)[0], 'io server disconnect');
    await stays;
    // close: the whole connection ends; as with socket.io's disconnectSockets(true),
    // its DISCONNECT comes first.
    const closed = nextEvent(b, 'disconnect', T);
    assert.equal((await api.call('DisconnectSockets', { target: { rooms: [b.id] }, close: true })).sockets, 1);
    assert.equal((await closed)[0], 'io server disconnect');
  });

  test('EmitWithAck: one socket acks, one stays silent, one disconnects', async () => {
    const [acker, silent, leaver] = await open(3);
    for (const s of [acker, silent, leaver]) await join(s, 'ask');
    // A client forgets its id when it disconnects.
    const ids = { acker: acker.id, silent: silent.id, leaver: leaver.id };
    acker.on('question', (q, cb) => cb({ answer: q * 2 }, Buffer.from([7])));
    silent.on('question', () => {});
    leaver.on('question', () => leaver.disconnect());
    const r = await api.call('EmitWithAck', { target: { rooms: ['ask'] }, event: 'question', payload: payload(21), timeout_ms: 800 });
    assert.equal(r.expected, 3);
    assert.equal(r.acked, 1);
    assert.equal(r.complete, false);
    const by = Object.fromEntries(r.acks.map((a) => [a.socket_id, a]));
    assert.equal(by[ids.acker].status, 'ACK_STATUS_ACKED');
    assert.deepEqual(JSON.parse(by[ids.acker].payload.args[0].json), { answer: 42 });
    assert.deepEqual([...by[ids.acker].payload.args[1].binary], [7]);
    assert.equal(by[ids.silent].status, 'ACK_STATUS_TIMED_OUT');
    assert.equal(by[ids.leaver].status, 'ACK_STATUS_DISCONNECTED');
    assert.deepEqual(r.acks.map((a) => a.socket_id), Object.values(ids).sort());
    closeAll([acker, silent]);
  });

  test('volatile: a socket that cannot take the event now is DROPPED and not a recipient; FetchSockets names each transport', async () => {
    const [ws] = await open(1);
    const poller = await idlePollingSocket(server.port);
    try {
      assert.equal((await api.call('SocketsJoin', { target: { rooms: [ws.id, poller.id] }, rooms: ['vol'] })).sockets, 2);
      ws.on('vq', (cb) => cb('ok'));
      const r = await api.call('EmitWithAck', { target: { rooms: ['vol'] }, event: 'vq', payload: payload(), timeout_ms: 3000, volatile: true });
      const by = Object.fromEntries(r.acks.map((a) => [a.socket_id, a.status]));
      assert.deepEqual(by, { [ws.id]: 'ACK_STATUS_ACKED', [poller.id]: 'ACK_STATUS_DROPPED' });
      assert.deepEqual([r.expected, r.acked, r.complete], [2, 1, true]);
      const got = nextEvent(ws, 'v', T);
      assert.equal((await api.call('Emit', { target: { rooms: ['vol'] }, event: 'v', payload: payload(1), volatile: true })).recipients, 1);
      assert.deepEqual(await got, [1]);
      const f = await api.call('FetchSockets', { target: { rooms: ['vol'] } });
      assert.deepEqual(Object.fromEntries(f.sockets.map((s) => [s.id, s.transport])),
        { [ws.id]: 'TRANSPORT_WEBSOCKET', [poller.id]: 'TRANSPORT_POLLING' });
      for (const s of f.sockets) {
        assert.equal(s.node_id, 'sio-1');
        assert.ok(Math.abs(Number(s.connected_unix_ms) - Date.now()) < 60000, `connected_unix_ms ${s.connected_unix_ms}`);
      }
    } finally {
      await poller.close();
      closeAll([ws]);
    }
  });

  test('EmitWithAck answers before a call deadline shorter than its timeout', async () => {
    const [silent] = await open(1);
    silent.on('q', () => {});
    const started = Date.now();
    const r = await api.call('EmitWithAck', { target: { rooms: [silent.id] }, event: 'q', payload: payload(), timeout_ms: 60000 }, { deadlineMs: 1000 });
    assert.ok(Date.now() - started < 1000);
    assert.equal(r.complete, false);
    assert.equal(r.acks[0].status, 'ACK_STATUS_TIMED_OUT');
    closeAll([silent]);
  });

  test('Batch: join then emit, each after the previous took effect', async () => {
    const [a, b] = await open(2);
    const got = nextEvent(a, 'welcome', T);
    const r = await api.call('Batch', { commands: [
      { sockets_join: { target: { rooms: [a.id] }, rooms: ['lobby'] } },
      { emit: { target: { rooms: ['lobby'] }, event: 'welcome', payload: payload('in') } },
      { emit: { target: { rooms: ['lobby'] }, event: 'connect', payload: payload() } },
      {},
    ] });
    assert.equal(r.results[0].code, 0);
    assert.equal(r.results[0].sockets_join.sockets, 1);
    assert.equal(r.results[1].emit.recipients, 1);
    assert.deepEqual([r.results[2].code, r.results[2].reason], [grpc.status.INVALID_ARGUMENT, 'RESERVED_EVENT_NAME']);
    // A command this server does not know (here: none at all).
    assert.deepEqual([r.results[3].code, r.results[3].reason], [grpc.status.UNIMPLEMENTED, 'UNIMPLEMENTED']);
    assert.deepEqual(await got, ['in']);
    // A Batch may carry several payloads that each stay within the limit.
    const big = { target: { rooms: [b.id] }, event: 'big', payload: { args: [{ binary: Buffer.alloc(900000) }] } };
    const bigs = [];
    b.on('big', (x) => bigs.push(x.length));
    const three = await api.call('Batch', { commands: [{ emit: big }, { emit: big }, { emit: big }] });
    assert.deepEqual(three.results.map((x) => [x.code, x.emit.recipients]), [[0, 1], [0, 1], [0, 1]]);
    assert.equal(await b.timeout(T).emitWithAck('echo', 'after'), 'after');
    assert.deepEqual(bigs, [900000, 900000, 900000]);
    closeAll([a, b]);
  });

  test('SetSocketData replaces or merges socket.data, which FetchSockets then shows', async () => {
    const [a] = await open(1);
    const set = await api.call('SetSocketData', { namespace: '/', socket_id: a.id, data_json: '{"user":"ann","tags":["x"],"n":1}' });
    assert.equal(set.data_json, '{"user":"ann","tags":["x"],"n":1}');
    const merged = await api.call('SetSocketData', { namespace: '/', socket_id: a.id, data_json: '{"n":null,"role":"admin"}', merge: true });
    assert.equal(merged.data_json, '{"user":"ann","tags":["x"],"role":"admin"}');
    const r = await api.call('FetchSockets', { target: { rooms: [a.id] }, include_data: true });
    assert.equal(r.sockets[0].data_json, '{"user":"ann","tags":["x"],"role":"admin"}');
    assert.deepEqual(await failure(api.call('SetSocketData', { namespace: '/', socket_id: 'no-such-socket', data_json: '1' })),
      { code: 'NOT_FOUND', reason: 'SOCKET_NOT_FOUND' });
    assert.deepEqual(await failure(api.call('SetSocketData', { namespace: '/', socket_id: a.id, data_json: '{' })),
      { code: 'INVALID_ARGUMENT', reason: 'INVALID_JSON' });
    closeAll([a]);
  });

  test('ListRooms lists rooms and sizes by name, paged, without sockets\' own rooms', async () => {
    const list = await open(3);
    await api.call('SocketsJoin', { target: { rooms: [list[0].id, list[1].id] }, rooms: ['lr-a', 'lr-b'] });
    await api.call('SocketsJoin', { target: { rooms: [list[2].id] }, rooms: ['lr-c', 'other'] });
    const first = await api.call('ListRooms', { namespace: '/', prefix: 'lr-', limit: 2 });
    assert.deepEqual(first.rooms.map((r) => [r.name, r.sockets]), [['lr-a', 2], ['lr-b', 2]]);
    assert.notEqual(first.next_page_token, '');
    const second = await api.call('ListRooms', { namespace: '/', prefix: 'lr-', limit: 2, page_token: first.next_page_token });
    assert.deepEqual(second.rooms.map((r) => [r.name, r.sockets]), [['lr-c', 1]]);
    assert.equal(second.next_page_token, '');
    const all = await api.call('ListRooms', { namespace: '/' });
    const ids = new Set(list.map((s) => s.id));
    assert.ok(all.rooms.every((r) => !ids.has(r.name)));
    assert.deepEqual(await failure(api.call('ListRooms', { namespace: '/', page_token: 'p1.!!' })),
      { code: 'INVALID_ARGUMENT', reason: 'BAD_PAGE_TOKEN' });
    closeAll(list);
  });

  test('every bad request gets its status and reason, and connected clients notice nothing', async () => {
    const [watcher] = await open(1);
    let disconnected = false;
    watcher.on('disconnect', () => { disconnected = true; });
    const target = { rooms: [watcher.id] };
    const cases = [
      [() => api.call('Emit', { target, event: 'x', payload: payload() }, { metadataToken: null }), 'UNAUTHENTICATED', 'MISSING_TOKEN'],
      [() => api.call('Emit', { target, event: 'x', payload: payload() }, { metadataToken: 'wrong-secret' }), 'UNAUTHENTICATED', 'INVALID_TOKEN'],
      [() => api.call('CountSockets', { target }, { metadataToken: 'emit-only-secret' }), 'PERMISSION_DENIED', 'SCOPE_REQUIRED'],
      [() => api.call('Emit', { target, event: 'x', payload: payload() }, { metadataToken: 'chat-only-secret' }), 'PERMISSION_DENIED', 'NAMESPACE_FORBIDDEN'],
      [() => api.call('Emit', { target, event: 'x', payload: { args: [{ json: '{nope' }], attachments: [] } }), 'INVALID_ARGUMENT', 'INVALID_JSON'],
      [() => api.call('Emit', { target, event: 'disconnect', payload: payload() }), 'INVALID_ARGUMENT', 'RESERVED_EVENT_NAME'],
      [() => api.call('Emit', { target, event: '', payload: payload() }), 'INVALID_ARGUMENT', 'EMPTY_EVENT_NAME'],
      [() => api.call('Emit', { target, event: 'x', payload: { args: [json({ _placeholder: true, num: 3 })], attachments: [Buffer.from('a')] } }), 'INVALID_ARGUMENT', 'INVALID_PLACEHOLDER'],
      [() => api.call('Emit', { target, event: 'x', payload: { args: [{ binary: Buffer.alloc(1000001) }], attachments: [] } }), 'INVALID_ARGUMENT', 'PAYLOAD_TOO_LARGE'],
      [() => api.call('Emit', { target, event: 'x', payload: { args: [{ binary: Buffer.alloc(5000000) }], attachments: [] } }), 'INVALID_ARGUMENT', 'PAYLOAD_TOO_LARGE'],
      [() => api.call('FetchSockets', { target, page_token: 'garbage' }), 'INVALID_ARGUMENT', 'BAD_PAGE_TOKEN'],
      [() => api.call('EmitWithAck', { target, event: 'x', payload: payload(), timeout_ms: 0 }), 'INVALID_ARGUMENT', 'BAD_TIMEOUT'],
      [() => api.call('EmitWithAck', { target, event: 'x', payload: payload(), timeout_ms: 100000000 }), 'INVALID_ARGUMENT', 'BAD_TIMEOUT'],
      [() => api.call('Emit', { target: { namespace: '/nowhere' }, event: 'x', payload: payload() }), 'NOT_FOUND', 'UNKNOWN_NAMESPACE'],
      [() => api.call('SocketsJoin', { target, rooms: ['ok', ''] }), 'INVALID_ARGUMENT', 'EMPTY_ROOM_NAME'],
    ];
    for (const name of ['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener'])
      cases.push([() => api.call('Emit', { target, event: name, payload: payload() }), 'INVALID_ARGUMENT', 'RESERVED_EVENT_NAME']);
    for (const [call, code, reason] of cases) assert.deepEqual(await failure(call()), { code, reason }, reason);
    // A token limited to /custom* may use /custom.
    const custom = client(`unix:${socketPath}`, 'chat-only-secret');
    assert.equal((await custom.call('CountSockets', { target: { namespace: '/custom' } })).sockets, 0);
    custom.close();
    await expectNothing(watcher, 'x');
    assert.equal(disconnected, false);
    assert.equal(watcher.connected, true);
    closeAll([watcher]);
  });

  test('WatchEvents: connect, join, leave and disconnect of a socket, in order, seq +1 each', async () => {
    const w = watch(api, { namespaces: ['/'] });
    await w.ready;
    const [a] = await open(1);
    const id = a.id;
    await join(a, 'w1');
    await join(a, 'w2');
    assert.equal(await a.timeout(T).emitWithAck('leave', 'w1'), true);
    a.disconnect();
    const mine = () => w.messages.filter((m) => m.socket_id === id);
    await w.until(() => mine().some((m) => m.event === 'disconnected'), 'the disconnect');
    assert.deepEqual(mine().map((m) => m.event), ['connected', 'joined', 'joined', 'left', 'disconnected']);
    const [connected, j1, j2, left, gone] = mine();
    assert.equal(connected.connected.id, id);
    assert.equal(connected.namespace, '/');
    assert.equal(connected.connected.handshake.auth_json, '{}');
    assert.equal(connected.connected.transport, 'TRANSPORT_WEBSOCKET');
    assert.deepEqual([j1.joined, j2.joined, left.left], ['w1', 'w2', 'w1']);
    // The rooms it was in when it left, never its own; no leave for them.
    assert.deepEqual(gone.disconnected, { reason: 'client namespace disconnect', rooms: ['w2'] });
    for (const m of w.messages) assert.ok(Number(m.time_unix_ms) > 0);
    assert.equal(w.messages.filter((m) => m.event === 'client_event').length, 0, 'client events only when asked for');
    assertSeqs(w.messages);
    w.close();
    assert.equal(streamFailure(await w.ended).code, 'CANCELLED');
  });

  test('WatchEvents: client events by name, with payload and wants_ack', async () => {
    const [a] = await open(1);
    const w = watch(api, { kinds: ['WATCH_KIND_CLIENT_EVENT'], event_names: ['hello'], include_payload: true });
    await w.ready;
    a.emit('other', 1);
    a.emit('hello', { x: 1 }, Buffer.from([9, 8]));
    a.emit('hello', 'again', () => {});
    await w.until((ms) => ms.length >= 2, 'two hello events');
    assert.deepEqual(w.messages.map((m) => [m.event, m.client_event.event, m.socket_id]), [
      ['client_event', 'hello', a.id], ['client_event', 'hello', a.id]]);
    const [first, second] = w.messages.map((m) => m.client_event);
    assert.deepEqual(JSON.parse(first.payload.args[0].json), { x: 1 });
    assert.deepEqual([...first.payload.args[1].binary], [9, 8]);
    assert.equal(first.wants_ack, false);
    assert.equal(second.wants_ack, true);
    assertSeqs(w.messages);
    w.close();
    closeAll([a]);
  });

  test('WatchEvents: heartbeats on a quiet stream take the next seq', async () => {
    const w = watch(api, { namespaces: ['/custom'], kinds: ['WATCH_KIND_CONNECT'], heartbeat_ms: 100 });
    await w.ready;
    await w.until((ms) => ms.filter((m) => m.event === 'heartbeat').length >= 3, 'three heartbeats');
    assert.deepEqual(w.messages.slice(0, 3).map((m) => [m.event, Number(m.seq)]), [['heartbeat', 1], ['heartbeat', 2], ['heartbeat', 3]]);
    w.close();
  });

  // A watcher that stops reading while 60 events of 200 kB each come: its
  // buffer of 4 fills once the transport's windows are full.
  const flood = async (socket, n) => {
    const blob = 'x'.repeat(200000);
    for (let i = 0; i < n; ++i) socket.emit('blob', blob, i);
    // Handled in order: once this is answered, every blob was reported.
    assert.equal(await socket.timeout(T).emitWithAck('echo', 'done'), 'done');
  };

  test('WatchEvents DROP: a slow reader gets one gap with the exact count, seq advanced by it', async () => {
    const [a] = await open(1);
    const w = watch(api, { kinds: ['WATCH_KIND_CLIENT_EVENT'], event_names: ['blob'], include_payload: true, buffer: 4, overflow: 'WATCH_OVERFLOW_DROP' });
    await w.ready;
    w.call.pause();
    await flood(a, 60);
    w.call.resume();
    const counted = (ms) => ms.reduce((n, m) => n + (m.event === 'gap' ? Number(m.gap.dropped) : 1), 0);
    await w.until((ms) => counted(ms) === 60, 'all 60 blobs received or counted as dropped');
    const gaps = w.messages.filter((m) => m.event === 'gap');
    assert.ok(gaps.length >= 1, 'a gap');
    assert.ok(w.messages.length < 60);
    // The blobs that came are in order, none twice.
    const got = w.messages.filter((m) => m.event === 'client_event').map((m) => JSON.parse(m.client_event.payload.args[1].json));
    assert.deepEqual(got, [...got].sort((x, y) => x - y));
    assert.equal(new Set(got).size, got.length);
    assertSeqs(w.messages);
    w.close();
    closeAll([a]);
  });

  test('WatchEvents CLOSE: a slow reader\'s stream ends RESOURCE_EXHAUSTED / WATCHER_TOO_SLOW', async () => {
    const [a] = await open(1);
    const w = watch(api, { kinds: ['WATCH_KIND_CLIENT_EVENT'], event_names: ['blob'], include_payload: true, buffer: 4, overflow: 'WATCH_OVERFLOW_CLOSE' });
    await w.ready;
    w.call.pause();
    await flood(a, 60);
    w.call.resume();
    assert.deepEqual(streamFailure(await withTimeout(w.ended, T, 'the stream to end')), { code: 'RESOURCE_EXHAUSTED', reason: 'WATCHER_TOO_SLOW' });
    assert.ok(w.messages.length < 60);
    assertSeqs(w.messages);
    // The server and the client go on.
    assert.equal(await a.timeout(T).emitWithAck('echo', 1), 1);
    closeAll([a]);
  });

  test('WatchEvents refuses an unknown kind, a buffer above the bound and an unknown namespace', async () => {
    const unknownKind = watch(api, { kinds: [99] });
    assert.deepEqual(streamFailure(await withTimeout(unknownKind.ended, T, 'a refusal')), { code: 'INVALID_ARGUMENT', reason: 'BAD_WATCH_KIND' });
    const huge = watch(api, { buffer: 100001 });
    assert.deepEqual(streamFailure(await withTimeout(huge.ended, T, 'a refusal')), { code: 'INVALID_ARGUMENT', reason: 'BAD_BUFFER' });
    const nowhere = watch(api, { namespaces: ['/custom', '/nowhere'] });
    assert.deepEqual(streamFailure(await withTimeout(nowhere.ended, T, 'a refusal')), { code: 'NOT_FOUND', reason: 'UNKNOWN_NAMESPACE' });
  });

  test('WatchEvents: a token sees only its namespaces; one without watch scope is refused', async () => {
    const limited = client(`unix:${socketPath}`, 'chat-only-secret');
    const denied = watch(limited, { namespaces: ['/custom'] }, 'chat-only-secret');
    assert.deepEqual(streamFailure(await withTimeout(denied.ended, T, 'a refusal')), { code: 'PERMISSION_DENIED', reason: 'SCOPE_REQUIRED' });
    const watcherOfCustom = watch(api, { namespaces: ['/custom'], kinds: ['WATCH_KIND_CONNECT'] });
    await watcherOfCustom.ready;
    const [main] = await open(1);
    const [custom] = await open(1, '/custom');
    await watcherOfCustom.until((ms) => ms.length >= 1, 'the /custom connect');
    assert.deepEqual(watcherOfCustom.messages.map((m) => [m.namespace, m.socket_id]), [['/custom', custom.id]]);
    assert.notEqual(main.id, custom.id);
    watcherOfCustom.close();
    limited.close();
    closeAll([main, custom]);
  });

  test('EmitWithAckStream: dispatched first, acks as they come, the summary last', async () => {
    const [acker, silent, leaver] = await open(3);
    for (const s of [acker, silent, leaver]) await join(s, 'stream-ask');
    const ids = { acker: acker.id, silent: silent.id, leaver: leaver.id };
    acker.on('q', (n, cb) => cb(n + 1));
    silent.on('q', () => {});
    leaver.on('q', () => leaver.disconnect());
    const md = new grpc.Metadata();
    md.set('authorization', `Bearer ${TOKEN}`);
    const call = api.raw.EmitWithAckStream({ request: { target: { rooms: ['stream-ask'] }, event: 'q', payload: payload(1), timeout_ms: 800 } }, md, { deadline: Date.now() + T });
    const { messages, error } = await withTimeout(readStream(call), T, 'the stream');
    assert.equal(error, null);
    assert.deepEqual(messages.map((m) => m.item), ['dispatched', 'ack', 'ack', 'summary']);
    assert.equal(messages[0].dispatched, 3);
    const streamed = Object.fromEntries(messages.slice(1, 3).map((m) => [m.ack.socket_id, m.ack]));
    assert.equal(streamed[ids.acker].status, 'ACK_STATUS_ACKED');
    assert.deepEqual(JSON.parse(streamed[ids.acker].payload.args[0].json), 2);
    assert.equal(streamed[ids.leaver].status, 'ACK_STATUS_DISCONNECTED');
    const { summary } = messages[3];
    assert.deepEqual([summary.expected, summary.acked, summary.complete], [3, 1, false]);
    assert.equal(summary.acks.find((a) => a.socket_id === ids.silent).status, 'ACK_STATUS_TIMED_OUT');
    // Its errors come as the stream's status.
    const bad = api.raw.EmitWithAckStream({ request: { target: {}, event: 'q', payload: payload(), timeout_ms: 0 } }, md);
    assert.deepEqual(streamFailure((await withTimeout(readStream(bad), T, 'the refusal')).error), { code: 'INVALID_ARGUMENT', reason: 'BAD_TIMEOUT' });
    closeAll([acker, silent]);
  });

  test('EmitWithAck(Stream): a caller that goes away mid-call leaves the server and its clients unharmed', async () => {
    const [late, other] = await open(2);
    let answer = null;
    const asked = new Promise((resolve) => late.on('slow', (cb) => { answer = cb; resolve(); }));
    const md = new grpc.Metadata();
    md.set('authorization', `Bearer ${TOKEN}`);
    const call = api.raw.EmitWithAckStream({ request: { target: { rooms: [late.id] }, event: 'slow', payload: payload(), timeout_ms: 60000 } }, md, { deadline: Date.now() + 30000 });
    const dispatched = new Promise((resolve) => call.on('data', (m) => { if (m.item === 'dispatched') resolve(m.dispatched); }));
    const ended = readStream(call);
    assert.equal(await withTimeout(dispatched, T, 'dispatched'), 1);
    await withTimeout(asked, T, 'the event at the client');
    call.cancel();
    assert.equal(streamFailure((await withTimeout(ended, T, 'the stream to end')).error).code, 'CANCELLED');
    // The ack that comes after the caller left goes nowhere, harmlessly.
    answer('too late');
    // So with a unary call.
    const askedAgain = new Promise((resolve) => late.once('slow2', (cb) => { answer = cb; resolve(); }));
    const unary = new Promise((resolve) => {
      const c = api.raw.EmitWithAck({ target: { rooms: [late.id] }, event: 'slow2', payload: payload(), timeout_ms: 60000 }, md,
        { deadline: Date.now() + 30000 }, (err) => resolve(err));
      askedAgain.then(() => c.cancel());
    });
    assert.equal(grpc.status[(await withTimeout(unary, T, 'the unary call to end'))?.code], 'CANCELLED');
    answer('too late');
    other.on('q', (cb) => cb('fine'));
    const r = await api.call('EmitWithAck', { target: { rooms: [other.id] }, event: 'q', payload: payload(), timeout_ms: 2000 });
    assert.deepEqual([r.acked, r.complete], [1, true]);
    assert.equal(await late.timeout(T).emitWithAck('echo', 'still here'), 'still here');
    closeAll([late, other]);
  });

  test('WatchEvents: a ServerSideEmit reaches a watcher of SERVER_SIDE_EMIT, counted in receivers', async () => {
    const w = watch(api, { kinds: ['WATCH_KIND_SERVER_SIDE_EMIT'], include_payload: true });
    await w.ready;
    const r = await api.call('ServerSideEmit', { event: 'ops-note', payload: payload('x', Buffer.from([5])) });
    assert.ok(r.receivers >= 1, `receivers ${r.receivers}`);
    await w.until((ms) => ms.length >= 1, 'the server-side emit');
    const [m] = w.messages;
    assert.equal(m.event, 'server_side_emit');
    assert.equal(m.server_side_emit.event, 'ops-note');
    assert.deepEqual(JSON.parse(m.server_side_emit.payload.args[0].json), 'x');
    assert.deepEqual([...m.server_side_emit.payload.args[1].binary], [5]);
    assertSeqs(w.messages);
    w.close();
    await w.ended;
  });

  test('reflection is off without --grpc-reflection', async () => {
    assert.equal(await reflectionFailure(`unix:${socketPath}`), 'UNIMPLEMENTED');
  });

  test('GetStats: clients, namespaces with sockets and rooms, events, watchers', async () => {
    const [a, b] = await open(2);
    await join(a, 'stats-room');
    const w = watch(api, { heartbeat_ms: 60000 });
    await w.ready;
    const r = await api.call('GetStats', {});
    assert.equal(r.node_id, 'sio-1');
    assert.match(r.version, /^\d+\.\d+/);
    assert.ok(Number(r.uptime_ms) > 0);
    assert.ok(r.clients >= 2);
    const main = r.namespaces.find((n) => n.name === '/');
    assert.ok(main.sockets >= 2);
    assert.ok(main.rooms >= 1);
    assert.ok(Number(r.events_received) >= 1);
    assert.ok(Number(r.events_sent) >= 1);
    assert.ok(r.watchers >= 1);
    assert.equal(r.pending_acks, 0);
    w.close();
    await w.ended;
    assert.deepEqual(await failure(api.call('GetStats', {}, { metadataToken: 'emit-only-secret' })), { code: 'PERMISSION_DENIED', reason: 'SCOPE_REQUIRED' });
    closeAll([a, b]);
  });

  test('grpc.health.v1 answers SERVING', async () => {
    const healthProto = path.join(scratch, 'health.proto');
    writeFileSync(healthProto, `syntax = "proto3";
package grpc.health.v1;
message HealthCheckRequest { string service = 1; }
message HealthCheckResponse { enum ServingStatus { UNKNOWN = 0; SERVING = 1; NOT_SERVING = 2; SERVICE_UNKNOWN = 3; } ServingStatus status = 1; }
service Health { rpc Check(HealthCheckRequest) returns (HealthCheckResponse); }
`);
    const health = grpc.loadPackageDefinition(protoLoader.loadSync(healthProto, { enums: String })).grpc.health.v1;
    const c = new health.Health(`unix:${socketPath}`, grpc.credentials.createInsecure());
    const r = await new Promise((resolve, reject) =>
      c.Check({ service: '' }, { deadline: Date.now() + T }, (e, v) => (e ? reject(e) : resolve(v))));
    assert.equal(r.status, 'SERVING');
    c.close();
  });
});

// grpc.reflection.v1alpha, the part grpcurl's `list` uses.
function reflectionClient(address) {
  const file = path.join(scratch, 'reflection.proto');
  writeFileSync(file, `syntax = "proto3";
package grpc.reflection.v1alpha;
service ServerReflection { rpc ServerReflectionInfo(stream ServerReflectionRequest) returns (stream ServerReflectionResponse); }
message ServerReflectionRequest { string host = 1; oneof message_request { string list_services = 7; } }
message ServerReflectionResponse { string valid_host = 1; ServerReflectionRequest original_request = 2;
  oneof message_response { ListServiceResponse list_services_response = 6; ErrorResponse error_response = 7; } }
message ListServiceResponse { repeated ServiceResponse service = 1; }
message ServiceResponse { string name = 1; }
message ErrorResponse { int32 error_code = 1; string error_message = 2; }
`);
  const { ServerReflection } = grpc.loadPackageDefinition(protoLoader.loadSync(file, { keepCase: true })).grpc.reflection.v1alpha;
  return new ServerReflection(address, grpc.credentials.createInsecure());
}

// The services the reflection of `address` lists.
async function reflectedServices(address) {
  const c = reflectionClient(address);
  try {
    const call = c.ServerReflectionInfo({ deadline: Date.now() + T });
    const reply = new Promise((resolve, reject) => { call.once('data', resolve); call.once('error', reject); });
    call.write({ list_services: '' });
    const r = await reply;
    call.end();
    return r.list_services_response.service.map((x) => x.name);
  } finally {
    c.close();
  }
}

// The status code name a reflection call at `address` fails with.
async function reflectionFailure(address) {
  try {
    await reflectedServices(address);
  } catch (err) {
    return grpc.status[err.code];
  }
  assert.fail('reflection answered');
}

describe('gRPC API set up by the config file', () => {
  test('its tokens guard a non-loopback address; --grpc-reflection lists the services', async () => {
    const dir = mkdtempSync(path.join(scratch, 'config-'));
    const file = path.join(dir, 'server.toml');
    const port = await freePort();
    writeFileSync(file, `grpc-listen = "0.0.0.0:${port}"\ngrpc-tokens = "file-secret-1:read"\ngrpc-reflection = true\n`);
    const server = await startServer({ app: 'contract', path: '/socket.io/', config: file });
    const address = `127.0.0.1:${port}`;
    const api = client(address, 'file-secret-1');
    try {
      assert.equal((await api.call('CountSockets', { target: {} })).sockets, 0);
      assert.deepEqual(await failure(api.call('CountSockets', { target: {} }, { metadataToken: null })),
        { code: 'UNAUTHENTICATED', reason: 'MISSING_TOKEN' });
      assert.deepEqual(await failure(api.call('Emit', { target: {}, event: 'x', payload: payload() })),
        { code: 'PERMISSION_DENIED', reason: 'SCOPE_REQUIRED' });
      const services = await reflectedServices(address);
      for (const name of ['socketio.v1.ServerService', 'grpc.health.v1.Health'])
        assert.ok(services.includes(name), `${name} in ${services}`);
    } finally {
      api.close();
      await server.stop();
    }
  });
});

describe('gRPC API limits', () => {
  let server;
  let api;
  const sockets = [];
  const socketPath = path.join(scratch, 'limits.sock');
  before(async () => {
    server = await startServer({
      app: 'contract', path: '/socket.io/', 'grpc-listen': `unix:${socketPath}`,
      'grpc-tokens': `${TOKEN}:admin;rate-secret:admin`, 'grpc-max-watchers': 1, 'grpc-max-ack-recipients': 2,
      'grpc-max-pending-acks': 1,
    });
    api = client(`unix:${socketPath}`);
  });
  after(async () => {
    for (const s of sockets) s.disconnect();
    api?.close();
    await server?.stop();
  });
  const open = async (n) => {
    const s = await connectSockets(server.port, n);
    sockets.push(...s);
    return s;
  };

  test('TOO_MANY_RECIPIENTS for a unary EmitWithAck; the stream takes them', async () => {
    const three = await open(3);
    for (const s of three) {
      await join(s, 'crowd');
      s.on('q', (cb) => cb('ok'));
    }
    let asked = 0;
    for (const s of three) s.on('q', () => { asked += 1; });
    const req = { target: { rooms: ['crowd'] }, event: 'q', payload: payload(), timeout_ms: 2000 };
    assert.deepEqual(await failure(api.call('EmitWithAck', req)), { code: 'FAILED_PRECONDITION', reason: 'TOO_MANY_RECIPIENTS' });
    const md = new grpc.Metadata();
    md.set('authorization', `Bearer ${TOKEN}`);
    const { messages, error } = await withTimeout(readStream(api.raw.EmitWithAckStream({ request: req }, md)), T, 'the stream');
    assert.equal(error, null);
    assert.deepEqual(messages.at(-1).summary.acked, 3);
    // The refused call sent nothing.
    assert.equal(asked, 3);
    for (const s of three) s.disconnect();
  });

  test('TOO_MANY_PENDING_ACKS while another call awaits its ack', async () => {
    const [silent] = await open(1);
    const reached = nextEvent(silent, 'hold', T);
    const first = api.call('EmitWithAck', { target: { rooms: [silent.id] }, event: 'hold', payload: payload(), timeout_ms: 1500 });
    await reached;
    assert.deepEqual(await failure(api.call('EmitWithAck', { target: { rooms: [silent.id] }, event: 'hold', payload: payload(), timeout_ms: 100 })),
      { code: 'RESOURCE_EXHAUSTED', reason: 'TOO_MANY_PENDING_ACKS' });
    const r = await first;
    assert.equal(r.complete, false);
    // Timed out, it no longer counts.
    const again = await api.call('EmitWithAck', { target: { rooms: [silent.id] }, event: 'hold', payload: payload(), timeout_ms: 100 });
    assert.equal(again.acks[0].status, 'ACK_STATUS_TIMED_OUT');
    silent.disconnect();
  });

  test('TOO_MANY_WATCHERS past the limit; a slot frees when a watcher ends', async () => {
    const w1 = watch(api, {});
    await w1.ready;
    const w2 = watch(api, {});
    assert.deepEqual(streamFailure(await withTimeout(w2.ended, T, 'the refusal')), { code: 'RESOURCE_EXHAUSTED', reason: 'TOO_MANY_WATCHERS' });
    w1.close();
    await w1.ended;
    // The slot frees once the server saw the cancel: retry within the bound.
    const deadline = Date.now() + T;
    for (;;) {
      const w3 = watch(api, {});
      const outcome = await withTimeout(Promise.race([w3.ready.then(() => 'ready'), w3.ended.then(() => 'refused')]), T, 'a watcher');
      if (outcome === 'ready') { w3.close(); break; }
      assert.ok(Date.now() < deadline, 'the slot never freed');
      await new Promise((r) => setTimeout(r, 50));
    }
  });
});

describe('gRPC API rate limit', () => {
  test('RATE_LIMITED past a token\'s rate; other tokens are not limited by it', async () => {
    const socketPath = path.join(scratch, 'rate.sock');
    const server = await startServer({ app: 'contract', path: '/socket.io/', 'grpc-listen': `unix:${socketPath}`,
      'grpc-tokens': `${TOKEN}:admin;rate-secret:admin`, 'grpc-rate-limit': 2, 'grpc-rate-burst': 5 });
    const api = client(`unix:${socketPath}`);
    const limited = client(`unix:${socketPath}`, 'rate-secret');
    try {
      const outcomes = await Promise.all(Array.from({ length: 10 }, () =>
        limited.call('CountSockets', { target: {} }).then(() => 'ok', (err) => `${grpc.status[err.code]}/${err.metadata.get('sio-error-reason')[0]}`)));
      assert.ok(outcomes.filter((o) => o === 'ok').length >= 5, outcomes.join());
      assert.deepEqual([...new Set(outcomes)].sort(), ['RESOURCE_EXHAUSTED/RATE_LIMITED', 'ok']);
      assert.equal((await api.call('CountSockets', { target: {} })).sockets, 0);
    } finally {
      limited.close();
      api.close();
      await server.stop();
    }
  });
});

describe('gRPC API with WatchEvents off', () => {
  test('DISABLED for WatchEvents with --grpc-max-watchers 0; the other RPCs still answer', async () => {
    const socketPath = path.join(scratch, 'nowatch.sock');
    const server = await startServer({ app: 'contract', path: '/socket.io/', 'grpc-listen': `unix:${socketPath}`,
      'grpc-tokens': `${TOKEN}:admin`, 'grpc-max-watchers': 0 });
    const api = client(`unix:${socketPath}`);
    try {
      const w = watch(api, {});
      assert.deepEqual(streamFailure(await withTimeout(w.ended, T, 'the refusal')),
        { code: 'FAILED_PRECONDITION', reason: 'DISABLED' });
      assert.equal((await api.call('CountSockets', { target: {} })).sockets, 0);
    } finally {
      api.close();
      await server.stop();
    }
  });
});

describe('gRPC API during a shutdown', () => {
  test('waiting calls and streams end UNAVAILABLE / SHUTTING_DOWN, nothing hangs', async () => {
    const socketPath = path.join(scratch, 'shutdown.sock');
    const server = await startServer({ app: 'contract', path: '/socket.io/', 'grpc-listen': `unix:${socketPath}`, 'grpc-tokens': `${TOKEN}:admin` });
    const api = client(`unix:${socketPath}`);
    const [silent] = await connectSockets(server.port, 1);
    try {
      const w = watch(api, {});
      await w.ready;
      const reached = nextEvent(silent, 'hold', T);
      const pending = failure(api.call('EmitWithAck', { target: { rooms: [silent.id] }, event: 'hold', payload: payload(), timeout_ms: 60000 }, { deadlineMs: 30000 }));
      await reached;
      const md = new grpc.Metadata();
      md.set('authorization', `Bearer ${TOKEN}`);
      const stream = readStream(api.raw.EmitWithAckStream({ request: { target: { rooms: [silent.id] }, event: 'hold', payload: payload(), timeout_ms: 60000 } }, md));
      await nextEvent(silent, 'hold', T);
      const started = Date.now();
      const stopped = server.stop();
      const expected = { code: 'UNAVAILABLE', reason: 'SHUTTING_DOWN' };
      assert.deepEqual(await withTimeout(pending, T, 'EmitWithAck to end'), expected);
      assert.deepEqual(streamFailure(await withTimeout(w.ended, T, 'WatchEvents to end')), expected);
      const { messages, error } = await withTimeout(stream, T, 'EmitWithAckStream to end');
      assert.equal(messages[0].dispatched, 1);
      assert.deepEqual(streamFailure(error), expected);
      await stopped;
      assert.ok(Date.now() - started < T);
    } finally {
      silent.disconnect();
      api.close();
      await server.stop();
    }
  });
});

describe('gRPC API and dynamic namespaces', () => {
  test('a namespace of a dynamic rule is found, created or not yet; others are NOT_FOUND', async () => {
    const socketPath = path.join(scratch, 'dynamic.sock');
    const server = await startServer({ app: 'features', path: '/socket.io/', 'grpc-listen': `unix:${socketPath}`, 'grpc-tokens': `${TOKEN}:admin` });
    const api = client(`unix:${socketPath}`);
    try {
      const [a] = await connectSockets(server.port, 1, '/dyn-1');
      assert.equal((await api.call('CountSockets', { target: { namespace: '/dyn-1' } })).sockets, 1);
      const got = nextEvent(a, 'pushed', T);
      assert.equal((await api.call('Emit', { target: { namespace: '/dyn-1' }, event: 'pushed', payload: payload(7) })).recipients, 1);
      assert.deepEqual(await got, [7]);
      assert.equal((await api.call('Emit', { target: { namespace: '/dyn-2' }, event: 'x', payload: payload() })).recipients, 0);
      assert.deepEqual(await failure(api.call('CountSockets', { target: { namespace: '/dyn-x' } })), { code: 'NOT_FOUND', reason: 'UNKNOWN_NAMESPACE' });
      // GetStats lists every namespace of the server, one never connected to included.
      const stats = await api.call('GetStats', {});
      const sockets = Object.fromEntries(stats.namespaces.map((n) => [n.name, n.sockets]));
      assert.deepEqual([sockets['/'], sockets['/dyn-1'], sockets['/dyn-2'], sockets['/dyn-x']], [0, 1, 0, undefined]);
      // A watcher of a namespace a rule makes, and of one no rule makes.
      const w = watch(api, { namespaces: ['/dyn-3'], kinds: ['WATCH_KIND_CONNECT'] });
      await w.ready;
      const [c] = await connectSockets(server.port, 1, '/dyn-3');
      await w.until((ms) => ms.length >= 1, 'the /dyn-3 connect');
      assert.deepEqual([w.messages[0].namespace, w.messages[0].connected.id], ['/dyn-3', c.id]);
      w.close();
      c.disconnect();
      const refused = watch(api, { namespaces: ['/dyn-x'] });
      assert.deepEqual(streamFailure(await withTimeout(refused.ended, T, 'a refusal')), { code: 'NOT_FOUND', reason: 'UNKNOWN_NAMESPACE' });
      a.disconnect();
    } finally {
      api.close();
      await server.stop();
    }
  });
});

// A free TCP port on loopback, found by binding port 0.
function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function runServer(args) {
  return new Promise((resolve) => {
    const child = spawn(SERVER_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), T);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('gRPC API without tokens', () => {
  test('refuses a non-loopback address with a usage error naming why', async () => {
    const { code, stderr } = await runServer(['--app', 'contract', '--port', '0', '--grpc-listen', '0.0.0.0:0']);
    assert.equal(code, 2);
    assert.match(stderr, /--grpc-listen 0\.0\.0\.0:0: without --grpc-tokens/);
  });

  test('refuses a malformed token list without echoing secrets', async () => {
    const { code, stderr } = await runServer(['--app', 'contract', '--port', '0', '--grpc-listen', '127.0.0.1:0', '--grpc-tokens', 'longsecret1:fly']);
    assert.equal(code, 2);
    assert.match(stderr, /unknown scope 'fly'/);
    assert.doesNotMatch(stderr, /longsecret1/);
  });

  test('serves loopback TCP without a token', async () => {
    const port = await freePort();
    const server = await startServer({ app: 'contract', path: '/socket.io/', 'grpc-listen': `127.0.0.1:${port}` });
    const api = client(`127.0.0.1:${port}`, null);
    try {
      const [a] = await connectSockets(server.port, 1);
      assert.equal((await api.call('CountSockets', { target: {} })).sockets, 1);
      a.disconnect();
    } finally {
      api.close();
      await server.stop();
    }
  });
});

// The README's examples, run as written against a server with a socket in 'lobby'.
describe('README "Drive it from another service"', () => {
  const readme = readFileSync(path.resolve(here, '../../README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Drive it from another service'));
  const block = (lang) => {
    const m = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(section);
    assert.ok(m, `no ${lang} example in the README section`);
    return m[1];
  };
  let server;
  let member;
  const socketPath = path.join(scratch, 'readme.sock');
  const env = { ...process.env, SIO_GRPC: `unix:${socketPath}`, SIO_TOKEN: 'change-me-please', PROTO_DIR };

  before(async () => {
    server = await startServer({ app: 'contract', path: '/socket.io/', 'grpc-listen': `unix:${socketPath}`,
                                 'grpc-tokens': 'change-me-please:emit,read' });
    [member] = await connectSockets(server.port, 1);
    await join(member, 'lobby');
  });
  after(async () => {
    member?.disconnect();
    await server?.stop();
  });

  const run = (cmd, args, extraEnv = {}) => new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: here, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20000);
    child.once('exit', (code) => { clearTimeout(timer); resolve({ code, out }); });
  });

  test('the Node example emits to the room', async () => {
    const got = nextEvent(member, 'msg', T);
    const { code, out } = await run(process.execPath, ['--input-type=module', '-e', block('js')]);
    assert.equal(code, 0, out);
    assert.match(out, /sent to 1 sockets/);
    assert.deepEqual(await got, ['hello from a backend']);
  });

  test('the Python example emits to the room', async () => {
    const stubs = mkdtempSync(path.join(scratch, 'py-'));
    const gen = await run('/usr/bin/python3', ['-m', 'grpc_tools.protoc',
      `--proto_path=caf_socketio/v1=${PROTO_DIR}/socketio/v1`, `--python_out=${stubs}`,
      `--grpc_python_out=${stubs}`, 'caf_socketio/v1/socketio.proto']);
    assert.equal(gen.code, 0, gen.out);
    const got = nextEvent(member, 'msg', T);
    const { code, out } = await run('/usr/bin/python3', ['-c', block('python')], { PYTHONPATH: stubs });
    assert.equal(code, 0, out);
    assert.match(out, /sent to 1 sockets/);
    assert.deepEqual(await got, ['hello from a backend']);
  });
});
