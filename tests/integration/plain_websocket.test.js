// Integration tests: plain WebSocket clients (npm's ws, Debian's python3-websocket)
// on sio-server's --ws-path, as sockets of a namespace next to socket.io-client
// sockets: events both ways, rooms, disconnect reasons, bad input, and the
// chat and ws-echo apps.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { io } from 'socket.io-client';
import WebSocket from 'ws';
import { SERVER_BIN, nextEvent, queueMessages, startServer, stopClientsAndServer, withTimeout } from './server.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const TERMINAL_CLIENT = path.resolve(here, '../../examples/chat/ws_client.py');
const PYTHON = '/usr/bin/python3';
const T = 5000;
const MAX_PAYLOAD = 1000;

const clients = new Set();
const plains = new Set();

function ioClient(server, opts = {}) {
  const s = io(server.url, { path: '/socket.io/', forceNew: true, reconnection: false,
    transports: ['websocket'], ...opts });
  clients.add(s);
  return s;
}

async function connectedIo(server) {
  const s = ioClient(server);
  await nextEvent(s, 'connect', T, 'socket.io connect');
  return s;
}

/** A ws client on the plain path: {ws, next, close} once open. */
async function plainClient(server, target = '/ws') {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}${target}`);
  plains.add(ws);
  const next = queueMessages(ws);
  const closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  await nextEvent(ws, 'open', T, 'plain ws open');
  return { ws, next, closed: () => withTimeout(closed, T, 'plain ws close') };
}

/** A plain client of the features app: its socket's id comes in its "hello". */
async function featuresPlain(server) {
  const c = await plainClient(server);
  const first = await c.next(T, 'hello frame');
  const [event, hello] = JSON.parse(first);
  assert.equal(event, 'hello');
  return { ...c, id: hello.id, hello };
}

function emitAck(socket, ...args) {
  return withTimeout(new Promise((resolve) => socket.emit(...args, (...reply) => resolve(reply))), T,
    `ack of ${args[0]}`);
}

// Client frames written by hand (masked with a zero key, which RFC 6455 allows).
function rawFrame(opcode, payload, { fin = true, masked = true } = {}) {
  const body = Buffer.from(payload);
  const head = [(fin ? 0x80 : 0) | opcode];
  if (body.length < 126) head.push((masked ? 0x80 : 0) | body.length);
  else head.push((masked ? 0x80 : 0) | 126, body.length >> 8, body.length & 0xff);
  return Buffer.concat([Buffer.from(head), masked ? Buffer.alloc(4) : Buffer.alloc(0), body]);
}

/**
 * Everything `emitter` emits as `event`, kept: until(pred) resolves with the
 * first entry (array of args) that pred accepts, dropping those before it.
 */
function eventQueue(emitter, event) {
  const seen = [];
  const waiters = new Set();
  emitter.on(event, (...args) => {
    seen.push(args);
    for (const w of [...waiters]) w();
  });
  return {
    until: (pred, what) => withTimeout(new Promise((resolve) => {
      const check = () => {
        while (seen.length) {
          const args = seen.shift();
          if (pred(...args)) {
            waiters.delete(check);
            resolve(args);
            return;
          }
        }
      };
      waiters.add(check);
      check();
    }), T, what),
  };
}

/** Resolves once `pred` of the value `poll()` resolves with holds (bounded). */
async function eventually(poll, pred, what) {
  await withTimeout((async () => {
    for (;;) {
      if (pred(await poll())) return;
      await new Promise((r) => setTimeout(r, 10));
    }
  })(), T, what);
}

/** A plain client's next frame that pred accepts (JSON-parsed), skipping others. */
async function nextMatching(c, pred, what) {
  for (;;) {
    const x = JSON.parse(await c.next(T, what));
    if (pred(x)) return x;
  }
}

async function stopAll(server) {
  for (const ws of plains) ws.terminate();
  plains.clear();
  await stopClientsAndServer(server, clients);
}

describe('plain WebSocket clients (app features, --ws-path /ws)', () => {
  let server;
  let listener; // a socket.io client in room "listeners" and "observers"
  let steady; // a plain client that lives through every bad input below

  before(async () => {
    server = await startServer({ app: 'features', path: '/socket.io/', 'ws-path': '/ws',
      'ping-interval': 300, 'ping-timeout': 200, 'max-payload': MAX_PAYLOAD });
    listener = await connectedIo(server);
    await emitAck(listener, 'join', ['listeners']);
    await emitAck(listener, 'observe');
    steady = await featuresPlain(server);
  });
  after(() => stopAll(server));

  // Nothing done to another client reaches these two.
  async function othersUnaffected() {
    const heard = nextEvent(listener, 'heard', T, 'heard from the steady client');
    steady.ws.send('still here');
    assert.deepEqual(await heard, [steady.id, 'still here']);
    listener.emit('emit-to', steady.id, 'message', 'and you');
    assert.equal(await steady.next(T, 'steady client answer'), 'and you');
  }

  test('is a socket of the namespace, with the handshake of its request', async () => {
    const c = await featuresPlain(server);
    assert.match(c.id, /^[\w-]{20}$/);
    assert.equal(c.hello.handshake.url, '/ws');
    const sockets = await emitAck(listener, 'fetch', c.id);
    assert.equal(sockets[0].length, 1);
    assert.equal(sockets[0][0].id, c.id);
    c.ws.close();
  });

  test('its text and binary frames arrive as the event "message"', async () => {
    const c = await featuresPlain(server);
    let heard = nextEvent(listener, 'heard', T);
    c.ws.send('héllo "wörld"\n');
    assert.deepEqual(await heard, [c.id, 'héllo "wörld"\n']);
    heard = nextEvent(listener, 'heard', T);
    c.ws.send(Buffer.from([0, 1, 2, 255]));
    const [id, bytes] = await heard;
    assert.equal(id, c.id);
    assert.deepEqual(Buffer.from(bytes), Buffer.from([0, 1, 2, 255]));
    c.ws.close();
  });

  test('emit("message", x) sends x as one frame; other events go as [event, ...args]', async () => {
    const c = await featuresPlain(server);
    listener.emit('emit-to', c.id, 'message', 'plain text ✓');
    assert.equal(await c.next(T), 'plain text ✓');
    listener.emit('emit-to', c.id, 'message', { a: 1, b: [true, null] });
    assert.equal(await c.next(T), '{"a":1,"b":[true,null]}');
    listener.emit('emit-to', c.id, 'message', Buffer.from([9, 8, 7]));
    const bin = await c.next(T);
    assert.ok(Buffer.isBuffer(bin), 'a binary frame');
    assert.deepEqual(bin, Buffer.from([9, 8, 7]));
    listener.emit('emit-to', c.id, 'message', 'a', 2);
    assert.equal(await c.next(T), '["message","a",2]');
    listener.emit('emit-to', c.id, 'news', { x: 'y' });
    assert.equal(await c.next(T), '["news",{"x":"y"}]');
    c.ws.close();
  });

  test('joins rooms and gets room broadcasts next to socket.io clients', async () => {
    const c = await featuresPlain(server);
    const member = await connectedIo(server);
    await emitAck(member, 'join', ['room-r']);
    await emitAck(listener, 'sockets-join', c.id, ['room-r']);
    const ids = async () => (await emitAck(listener, 'fetch', 'room-r'))[0].map((s) => s.id).sort();
    await eventually(ids, (x) => x.join() === [c.id, member.id].sort().join(), 'both in room-r');
    const ioGot = nextEvent(member, 'room-msg', T);
    listener.emit('to-room', 'room-r', { n: 1 });
    assert.deepEqual(await ioGot, [{ n: 1 }]);
    assert.equal(await c.next(T), '["room-msg",{"n":1}]');
    // Several broadcasts in a row reach both kinds, in order.
    for (let i = 0; i < 20; i++) listener.emit('to-room', 'room-r', i);
    for (let i = 0; i < 20; i++) assert.equal(await c.next(T), `["room-msg",${i}]`);
    await emitAck(listener, 'sockets-leave', c.id, ['room-r']);
    await eventually(ids, (x) => x.join() === member.id, 'the plain client out of room-r');
    listener.emit('to-room', 'room-r', 'not for the plain client');
    listener.emit('emit-to', c.id, 'message', 'direct');
    assert.equal(await c.next(T), 'direct');
    c.ws.close();
  });

  test('disconnect reasons: transport close, server namespace disconnect, ping timeout', async () => {
    // Clients of the tests before may still be leaving: only the one in
    // question counts.
    const leftWhere = (match, ms) => new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        listener.off('left', on);
        reject(new Error(`no 'left' event of the client within ${ms} ms`));
      }, ms);
      const on = (info) => {
        if (!match(info)) return;
        clearTimeout(timer);
        listener.off('left', on);
        resolve([info]);
      };
      listener.on('left', on);
    });
    let c = await featuresPlain(server);
    let left = leftWhere((i) => i.id === c.id, T);
    c.ws.close(1000);
    let [info] = await left;
    assert.deepEqual([info.id, info.reason], [c.id, 'transport close']);

    c = await featuresPlain(server);
    left = leftWhere((i) => i.id === c.id, T);
    listener.emit('disconnect-room', c.id);
    assert.equal((await c.closed()).code, 1000);
    [info] = await left;
    assert.deepEqual([info.id, info.reason], [c.id, 'server namespace disconnect']);

    // A client that never answers pings: a bare TCP socket after its upgrade.
    left = leftWhere((i) => i.reason === 'ping timeout', 3000);
    const sock = net.connect(server.port, '127.0.0.1');
    let bytes = Buffer.alloc(0);
    sock.on('data', (d) => { bytes = Buffer.concat([bytes, d]); });
    const ended = new Promise((resolve) => sock.once('close', resolve));
    sock.write('GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
    await withTimeout(ended, 3000, 'the server to drop a client that never answers pings');
    const text = bytes.toString('latin1');
    assert.match(text, /^HTTP\/1\.1 101/);
    const body = bytes.subarray(text.indexOf('\r\n\r\n') + 4);
    assert.ok(body.includes(Buffer.from([0x89, 0x00])), 'a ping frame came before the end');
    [info] = await left;
    assert.equal(info.reason, 'ping timeout');
    await othersUnaffected();
  });

  test('an oversized message is closed with 1009', async () => {
    const c = await featuresPlain(server);
    c.ws.send('x'.repeat(MAX_PAYLOAD + 1));
    assert.equal((await c.closed()).code, 1009);
    await othersUnaffected();
  });

  test('invalid UTF-8 in a text frame is closed with 1007', async () => {
    const c = await featuresPlain(server);
    c.ws.send(Buffer.from([0x68, 0xc3, 0x28]), { binary: false });
    assert.equal((await c.closed()).code, 1007);
    await othersUnaffected();
  });

  test('protocol errors are closed with 1002', async () => {
    const cases = [
      ['an unmasked frame', rawFrame(0x1, 'hi', { masked: false })],
      ['a continuation without a message', rawFrame(0x0, 'hi')],
      ['a new message inside a fragmented one',
        Buffer.concat([rawFrame(0x1, 'a', { fin: false }), rawFrame(0x1, 'b')])],
      ['a reserved opcode', rawFrame(0x3, 'x')],
      ['a fragmented ping', rawFrame(0x9, 'x', { fin: false })],
    ];
    for (const [what, bytes] of cases) {
      const c = await featuresPlain(server);
      c.ws._socket.write(bytes);
      assert.equal((await c.closed()).code, 1002, what);
    }
    await othersUnaffected();
  });

  test('a flood of fragments past the limit is closed with 1009', async () => {
    const c = await featuresPlain(server);
    const parts = [rawFrame(0x1, 'abcd', { fin: false })];
    for (let i = 0; i < 400; i++) parts.push(rawFrame(0x0, 'abcd', { fin: false }));
    c.ws._socket.write(Buffer.concat(parts));
    assert.equal((await c.closed()).code, 1009);
    await othersUnaffected();
  });

  test('an upgrade to the plain path with Engine.IO\'s query gets HTTP 400', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?EIO=4&transport=websocket`);
    plains.add(ws);
    ws.on('error', () => {});
    const [, res] = await nextEvent(ws, 'unexpected-response', T);
    assert.equal(res.statusCode, 400);
    res.resume();
    ws.terminate();
    await othersUnaffected();
  });

  test('a socket.io client pointed at the plain path never connects', async () => {
    for (const transports of [['websocket'], ['polling']]) {
      const s = ioClient(server, { path: '/ws', transports });
      const [err] = await nextEvent(s, 'connect_error', T, `connect_error (${transports})`);
      assert.ok(err instanceof Error);
      assert.equal(s.connected, false);
      s.disconnect();
    }
    const res = await fetch(`${server.url}/ws/?EIO=4&transport=polling`);
    assert.equal(res.status, 400);
    await othersUnaffected();
  });
});

describe('plain WebSocket clients of a namespace that refuses them', () => {
  let server;
  before(async () => {
    server = await startServer({ app: 'features', path: '/socket.io/', 'ws-path': '/ws',
      'ws-namespace': '/nope' });
  });
  after(() => stopAll(server));

  test('are closed with 1008 and the connect error\'s message', async () => {
    const c = await plainClient(server);
    const { code, reason } = await c.closed();
    assert.equal(code, 1008);
    assert.equal(reason, 'Invalid namespace');
    const s = await connectedIo(server);
    assert.ok(s.connected);
  });
});

/** The terminal client of the README, in Python: lines in, frames out. */
function terminalClient(url) {
  const child = spawn(PYTHON, [TERMINAL_CLIENT, url], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const waiters = [];
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => { err += d; });
  child.stdout.on('data', (d) => {
    out += d;
    for (const w of [...waiters]) w();
  });
  const lines = () => out.split('\n').filter((l) => l !== '');
  return {
    send: (line) => child.stdin.write(`${line}\n`),
    lines,
    waitLine: (pred, what) => withTimeout(new Promise((resolve) => {
      const check = () => {
        const found = lines().find(pred);
        if (found !== undefined) {
          waiters.splice(waiters.indexOf(check), 1);
          resolve(found);
        }
      };
      waiters.push(check);
      check();
    }), T, () => `${what}; python printed: ${out}; stderr: ${err}`),
    end: () => {
      child.stdin.end();
      return withTimeout(new Promise((resolve) => child.once('exit', resolve)), T, 'python client exit');
    },
    kill: () => child.kill('SIGKILL'),
  };
}

describe('the chat app with plain WebSocket clients (--ws-path /ws)', () => {
  let server;
  let py;
  before(async () => {
    server = await startServer({ app: 'chat', path: '/socket.io/', 'ws-path': '/ws' });
  });
  after(async () => {
    py?.kill();
    await stopAll(server);
  });

  test('ws, websocket-client and socket.io-client users hear each other in one room', async () => {
    const bo = await connectedIo(server);
    const boHears = eventQueue(bo, 'message');
    const [joined] = await emitAck(bo, 'join', { name: 'Bo', room: 'lobby' });
    assert.deepEqual(joined, { room: 'lobby', name: 'Bo' });

    const ana = await plainClient(server);
    ana.ws.send('/name Ana');
    assert.equal(JSON.parse(await ana.next(T)).text, 'You are Ana; /join a room to chat');
    ana.ws.send('/join lobby');
    assert.equal(JSON.parse(await ana.next(T)).text, 'Welcome to lobby, Ana!');
    await boHears.until((m) => m.text === 'Ana joined', 'Bo hears Ana join');
    assert.deepEqual(JSON.parse(await ana.next(T)), ['roomData', { room: 'lobby', users: ['Bo', 'Ana'] }]);

    py = terminalClient(`ws://127.0.0.1:${server.port}/ws`);
    py.send('/name Py');
    py.send('/join lobby');
    await py.waitLine((l) => l.includes('Welcome to lobby, Py!'), 'python welcome');

    // Ana (ws) -> Bo (socket.io) and Py (websocket-client)
    ana.ws.send('hello from ws');
    const [m] = await boHears.until((x) => x.user === 'Ana', 'Bo hears Ana');
    assert.equal(m.text, 'hello from ws');
    const pyLine = await py.waitLine((l) => l.includes('hello from ws'), 'python hears Ana');
    assert.deepEqual(((x) => [x.user, x.text])(JSON.parse(pyLine)), ['Ana', 'hello from ws']);

    // Bo (socket.io) -> both plain clients
    const [ack] = await emitAck(bo, 'sendMessage', 'hi from socket.io');
    assert.equal(ack.ok, true);
    const fromBo = await nextMatching(ana, (x) => x.user === 'Bo', 'Ana hears Bo');
    assert.equal(fromBo.text, 'hi from socket.io');
    await py.waitLine((l) => l.includes('hi from socket.io'), 'python hears Bo');

    // Py (websocket-client) -> Bo and Ana
    py.send('hello from python');
    const [fromPy] = await boHears.until((x) => x.user === 'Py', 'Bo hears Py');
    assert.equal(fromPy.text, 'hello from python');
    const anaFromPy = await nextMatching(ana, (x) => x.user === 'Py', 'Ana hears Py');
    assert.equal(anaFromPy.text, 'hello from python');
    await py.end();
  });

  test('a plain client outside a room is told how to join', async () => {
    const c = await plainClient(server);
    c.ws.send('hello?');
    assert.equal(JSON.parse(await c.next(T)).text, 'join a room first: /join ROOM');
    c.ws.send('/name admin');
    assert.equal(JSON.parse(await c.next(T)).text, 'that name is taken');
  });
});

describe('the ws-echo app (the guide\'s ws server)', () => {
  let server;
  before(async () => {
    server = await startServer({ app: 'ws-echo', path: '/socket.io/' });
  });
  after(() => stopAll(server));

  async function logShows(text) {
    await withTimeout((async () => {
      while (!server.output().includes(text)) await new Promise((r) => setTimeout(r, 20));
    })(), T, () => `the log to show ${text}\n${server.output()}`);
  }

  test('answers every message byte for byte, and logs connect and close', async () => {
    const c = await plainClient(server, '/');
    await logShows('새로운 클라이언트 접속');
    for (const text of ['안녕하세요', 'hello', '', 'a"b\\c\n\t😀', 'x'.repeat(5000)]) {
      c.ws.send(text);
      const reply = await c.next(T);
      assert.equal(typeof reply, 'string');
      assert.equal(Buffer.compare(Buffer.from(reply), Buffer.from(`서버로부터 응답: ${text}`)), 0);
    }
    c.ws.close();
    await logShows('클라이언트 접속 해제');
  });

  test('answers a python websocket-client the same', async () => {
    const py = terminalClient(`ws://127.0.0.1:${server.port}/`);
    py.send('파이썬에서');
    const line = await py.waitLine((l) => l.startsWith('서버로부터'), 'python echo');
    assert.equal(line, '서버로부터 응답: 파이썬에서');
    await py.end();
  });
});

describe('the contract app with plain subscribers (as the bench runs it)', () => {
  let server;
  before(async () => {
    server = await startServer({ app: 'contract', path: '/socket.io/', 'ws-path': '/ws' });
  });
  after(() => stopAll(server));

  test('a plain client joins the room its query names; a socket.io client\'s query does not', async () => {
    const plain = await plainClient(server, '/ws?join=bench');
    assert.deepEqual(JSON.parse(await plain.next(T, 'auth')), ['auth', {}]);
    const sioJoiner = ioClient(server, { query: { join: 'bench' } });
    await nextEvent(sioJoiner, 'auth', T, 'auth of the socket.io client');
    const publisher = await connectedIo(server);
    assert.equal(await withTimeout(publisher.emitWithAck('room-size', 'bench'), T, 'room-size'), 1);
    publisher.emit('broadcast', 'bench', 'to the room');
    assert.deepEqual(JSON.parse(await plain.next(T, 'the broadcast')), ['msg', 'to the room']);
  });
});

describe('the plain WebSocket endpoint is opt-in', () => {
  test('without --ws-path an upgrade to /ws is no plain client (404)', async () => {
    const server = await startServer({ app: 'features', path: '/socket.io/' });
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws`);
      ws.on('error', () => {});
      const [, res] = await nextEvent(ws, 'unexpected-response', T);
      assert.equal(res.statusCode, 404);
      res.resume();
      ws.terminate();
    } finally {
      await server.stop();
    }
  });

  test('a path or namespace without a leading slash, or a path in the Engine.IO one, is a usage error', async () => {
    for (const flags of [['--ws-path', 'ws'], ['--ws-namespace', 'chat'],
      ['--ws-path', '/socket.io'], ['--ws-path', '/socket.io/x']]) {
      const child = spawn(SERVER_BIN, ['--app', 'features', '--port', '0', ...flags],
        { stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d) => { err += d; });
      const [code] = await nextEvent(child, 'exit', T, `sio-server ${flags.join(' ')} to exit`);
      assert.equal(code, 2, err);
      assert.match(err, new RegExp(flags[0]));
    }
  });
});
