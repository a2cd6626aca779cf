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
    closeAll([b]);
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
    ] });
    assert.equal(r.results[0].code, 0);
    assert.equal(r.results[0].sockets_join.sockets, 1);
    assert.equal(r.results[1].emit.recipients, 1);
    assert.deepEqual([r.results[2].code, r.results[2].reason], [grpc.status.INVALID_ARGUMENT, 'RESERVED_EVENT_NAME']);
    assert.deepEqual(await got, ['in']);
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
      [() => api.call('FetchSockets', { target, page_token: 'garbage' }), 'INVALID_ARGUMENT', 'BAD_PAGE_TOKEN'],
      [() => api.call('EmitWithAck', { target, event: 'x', payload: payload(), timeout_ms: 0 }), 'INVALID_ARGUMENT', 'BAD_TIMEOUT'],
      [() => api.call('EmitWithAck', { target, event: 'x', payload: payload(), timeout_ms: 100000000 }), 'INVALID_ARGUMENT', 'BAD_TIMEOUT'],
      [() => api.call('Emit', { target: { namespace: '/nowhere' }, event: 'x', payload: payload() }), 'NOT_FOUND', 'UNKNOWN_NAMESPACE'],
    ];
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
