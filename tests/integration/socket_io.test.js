// Integration tests: the real sio-server (app contract, examples/contract) driven by npm's
// official socket.io-client and by raw WebSocket clients. Expected behaviour is that of
// the reference Node socket.io 4.8 server running the same contract app.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { io, Manager } from 'socket.io-client';
import WebSocket from 'ws';
import { eventually, nextEvent, normalize, startServer, stopClientsAndServer, withTimeout } from './server.js';

const PATH = '/socket.io/';
const CONNECT_TIMEOUT = 1000;
const T = 5000; // generous bound for a single exchange
const ABSENCE_MS = 300; // how long to wait to be confident that nothing arrives

// ---------------------------------------------------------------------------
// helpers

const MODES = [
  { name: 'websocket only', opts: { transports: ['websocket'] }, final: 'websocket' },
  { name: 'polling only', opts: { transports: ['polling'] }, final: 'polling' },
  { name: 'default (polling, then upgrade)', opts: {}, final: 'websocket' },
];

let server;
const clients = new Set();

/**
 * Opens a socket.io-client socket on `nsp` and resolves once it is connected and the
 * contract app's "auth" event has arrived: {socket, auth}.
 */
async function connect(mode, nsp = '/', { auth, ...extra } = {}) {
  const socket = io(`${server.url}${nsp}`, {
    path: PATH,
    forceNew: true,
    reconnection: false,
    ...mode.opts,
    ...(auth === undefined ? {} : { auth }),
    ...extra,
  });
  clients.add(socket);
  const gotAuth = nextEvent(socket, 'auth', T, `'auth' on ${nsp} (${mode.name})`);
  gotAuth.catch(() => {});
  const failed = new Promise((_, reject) => {
    socket.once('connect_error', (err) => reject(new Error(`connect_error: ${err?.message ?? err}`)));
  });
  failed.catch(() => {});
  await Promise.race([nextEvent(socket, 'connect', T, `'connect' on ${nsp} (${mode.name})`), failed]);
  const [authArg] = await Promise.race([gotAuth, failed]);
  return { socket, auth: authArg };
}

function close(socket) {
  clients.delete(socket);
  socket.disconnect();
  socket.io.engine?.close();
}

/** Collects the next `n` occurrences of `event`; each entry is the array of its args. */
function collect(socket, event, n, ms = T) {
  const got = [];
  let handler;
  const p = new Promise((resolve, reject) => {
    handler = (...args) => {
      got.push(args);
      if (got.length === n) resolve(got);
    };
    socket.on(event, handler);
    socket.once('disconnect', (reason) =>
      reject(new Error(`socket disconnected (${reason}) after ${got.length}/${n} '${event}'`)));
  });
  return withTimeout(p, ms, `${n} '${event}' events (got ${got.length})`).finally(() => socket.off(event, handler));
}

/** Records every `event` from now on; `.events` is the list of arg arrays. */
function record(socket, event) {
  const events = [];
  const handler = (...args) => events.push(args);
  socket.on(event, handler);
  return { events, stop: () => socket.off(event, handler) };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function roundTrip(socket, args) {
  const back = nextEvent(socket, 'message-back', T, "'message-back'");
  socket.emit('message', ...args);
  const got = await back;
  assert.deepStrictEqual(normalize(got), normalize(args));
}

const JSON_ARGS = [
  'hello',
  '',
  'üñíçødé — 日本語 — emoji 😀🎉 — "quotes" \\ back\nslash\ttab \u0000 \u2028',
  0,
  1,
  -1,
  1.5,
  -0,
  0.1,
  -273.15,
  1e21,
  1.7976931348623157e308,
  5e-324,
  2 ** 53 - 1,
  -(2 ** 53) + 1,
  2 ** 31,
  4294967296,
  true,
  false,
  null,
  [],
  {},
  [1, 'two', { three: [3, { four: 4 }] }, [[[[[]]]]]],
  {
    nested: { deeper: { deepest: ['a', 1, null, true, { k: 'v' }] } },
    'key with spaces': 1,
    'ключ': 'значение',
    '': 'empty key',
    arr: Array.from({ length: 50 }, (_, i) => i * 1.25),
    long: 'x'.repeat(10000),
  },
];

function binaryArgs() {
  const bytes = (n, seed) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff));
  return [
    bytes(16, 1),
    'text between',
    { file: new Uint8Array([0, 1, 2, 253, 254, 255]), meta: { name: 'a.bin', parts: [bytes(3, 7), 42] } },
    [bytes(0, 0), { deep: [[{ deeper: bytes(70000, 3) }]] }],
    new Uint8Array(bytes(5, 9)),
    { placeholder: { _placeholder: false, num: 0 } },
  ];
}

before(async () => {
  server = await startServer({
    app: 'contract',
    path: PATH,
    'ping-interval': 300,
    'ping-timeout': 2000, // room for a loaded machine's stalls (see features.test.js)
    'connect-timeout': CONNECT_TIMEOUT,
  });
});

after(() => stopClientsAndServer(server, clients));

// ---------------------------------------------------------------------------
// scenarios run over each transport mode

for (const mode of MODES) {
  describe(`socket.io-client, ${mode.name}`, () => {
    test('connect to "/" delivers "auth" with the handshake auth object', async () => {
      const auth = { token: 'abc', user: { id: 7, roles: ['a', 'b'] }, n: 1.5, 'ü': 'ß' };
      const { socket, auth: got } = await connect(mode, '/', { auth });
      assert.deepStrictEqual(got, auth);
      assert.equal(typeof socket.id, 'string');
      assert.ok(socket.id.length > 0);
      if (mode.final === 'websocket' && !mode.opts.transports) {
        // default mode: the engine upgrades to websocket
        if (socket.io.engine.transport.name !== 'websocket') {
          await nextEvent(socket.io.engine, 'upgrade', T, "engine 'upgrade'");
        }
      }
      assert.equal(socket.io.engine.transport.name, mode.final);
      close(socket);
    });

    test('connect without auth delivers an empty object', async () => {
      const { socket, auth } = await connect(mode, '/');
      assert.deepStrictEqual(auth, {});
      close(socket);
    });

    test('connect to "/custom" delivers "auth"', async () => {
      const auth = { custom: true, list: [1, 2, 3] };
      const { socket, auth: got } = await connect(mode, '/custom', { auth });
      assert.deepStrictEqual(got, auth);
      close(socket);
    });

    test('unknown namespace gets connect_error "Invalid namespace"', async () => {
      const socket = io(`${server.url}/does-not-exist`, {
        path: PATH, forceNew: true, reconnection: false, ...mode.opts,
      });
      clients.add(socket);
      const [err] = await nextEvent(socket, 'connect_error', T, "'connect_error'");
      assert.equal(err.message, 'Invalid namespace');
      assert.equal(socket.connected, false);
      close(socket);
    });

    test('many JSON args round trip through message / message-back', async () => {
      const { socket } = await connect(mode);
      await roundTrip(socket, JSON_ARGS);
      await roundTrip(socket, [JSON_ARGS[23]]);
      await roundTrip(socket, []);
      close(socket);
    });

    test('binary args (nested, several attachments) round trip through message-back', async () => {
      const { socket } = await connect(mode);
      await roundTrip(socket, binaryArgs());
      await roundTrip(socket, [Buffer.from('only one')]);
      await roundTrip(socket, [{ a: Buffer.alloc(1, 0xff) }, { b: [Buffer.alloc(2, 0xee)] }]);
      close(socket);
    });

    test('acks: message-with-ack returns the args, echo returns the payload', async () => {
      const { socket } = await connect(mode);
      const args = ['a', 1, { b: [2, 3] }, null, true, 1.5];
      const got = await withTimeout(new Promise((resolve) => {
        socket.emit('message-with-ack', ...args, (...res) => resolve(res));
      }), T, 'message-with-ack');
      assert.deepStrictEqual(got, args);

      // emitWithAck resolves with the first ack argument
      assert.deepStrictEqual(await withTimeout(socket.emitWithAck('message-with-ack', { x: 1 }, 2), T, 'ack'),
        { x: 1 });
      const payload = { hello: 'world', n: [1, 2, { deep: 'ö' }] };
      assert.deepStrictEqual(await withTimeout(socket.emitWithAck('echo', payload), T, 'echo'), payload);
      assert.equal(await withTimeout(socket.emitWithAck('echo', 'str'), T, 'echo'), 'str');
      assert.equal(await withTimeout(socket.emitWithAck('echo', 42), T, 'echo'), 42);
      assert.equal(await withTimeout(socket.emitWithAck('echo', null), T, 'echo'), null);
      close(socket);
    });

    test('acks with binary payloads', async () => {
      const { socket } = await connect(mode);
      const payload = { blob: Buffer.from([1, 2, 3]), list: [Buffer.from('xyz'), { b: new Uint8Array([9, 8]) }] };
      const got = await withTimeout(socket.emitWithAck('echo', payload), T, 'binary echo');
      assert.deepStrictEqual(normalize(got), normalize(payload));

      const bin = binaryArgs();
      const all = await withTimeout(new Promise((resolve) => {
        socket.emit('message-with-ack', ...bin, (...res) => resolve(res));
      }), T, 'binary message-with-ack');
      assert.deepStrictEqual(normalize(all), normalize(bin));

      const raw = await withTimeout(socket.emitWithAck('echo', Buffer.from([0, 255])), T, 'raw echo');
      assert.deepStrictEqual(normalize(raw), Buffer.from([0, 255]));
      close(socket);
    });

    test('rooms: broadcast reaches exactly the members, leave stops it', async () => {
      const room = `r1-${mode.name}`;
      const [a, b, c] = await Promise.all([connect(mode), connect(mode), connect(mode)]).then((x) => x.map((y) => y.socket));
      assert.equal(await withTimeout(a.emitWithAck('join', room), T, 'A join'), true);
      assert.equal(await withTimeout(b.emitWithAck('join', room), T, 'B join'), true);

      const ra = record(a, 'msg');
      const rb = record(b, 'msg');
      const rc = record(c, 'msg');
      const payload = { text: 'to the room', n: [1, 2], bin: Buffer.from([7, 7, 7]) };
      const gotA = collect(a, 'msg', 1);
      const gotB = collect(b, 'msg', 1);
      a.emit('broadcast', room, payload);
      assert.deepStrictEqual(normalize((await gotA)[0]), [normalize(payload)]);
      assert.deepStrictEqual(normalize((await gotB)[0]), [normalize(payload)]);
      await sleep(ABSENCE_MS);
      assert.equal(ra.events.length, 1, 'A gets exactly one msg');
      assert.equal(rb.events.length, 1, 'B gets exactly one msg');
      assert.equal(rc.events.length, 0, 'C (not in the room) gets none');

      // B leaves: the next broadcast (from C, a non-member) only reaches A
      assert.equal(await withTimeout(b.emitWithAck('leave', room), T, 'B leave'), true);
      const gotA2 = collect(a, 'msg', 1);
      c.emit('broadcast', room, 'second');
      assert.deepStrictEqual((await gotA2)[0], ['second']);
      await sleep(ABSENCE_MS);
      assert.equal(ra.events.length, 2);
      assert.equal(rb.events.length, 1, 'B left the room: no more msgs');
      assert.equal(rc.events.length, 0);

      // A leaves too: a broadcast to the now empty room reaches nobody
      assert.equal(await withTimeout(a.emitWithAck('leave', room), T, 'A leave'), true);
      c.emit('broadcast', room, 'third');
      // an ack round trip after the broadcast: the server has processed it
      assert.equal(await withTimeout(c.emitWithAck('echo', 'sync'), T, 'sync'), 'sync');
      await sleep(ABSENCE_MS);
      assert.equal(ra.events.length, 2);
      assert.equal(rb.events.length, 1);
      assert.equal(rc.events.length, 0);
      for (const r of [ra, rb, rc]) r.stop();
      for (const s of [a, b, c]) close(s);
    });

    test('multiplexing: "/" and "/custom" share one Manager and one connection', async () => {
      const manager = new Manager(server.url, { path: PATH, reconnection: false, ...mode.opts });
      const root = manager.socket('/', { auth: { ns: 'root' } });
      const custom = manager.socket('/custom', { auth: { ns: 'custom' } });
      clients.add(root);
      clients.add(custom);
      const authRoot = nextEvent(root, 'auth', T, "'auth' on /");
      const authCustom = nextEvent(custom, 'auth', T, "'auth' on /custom");
      root.connect();
      custom.connect();
      assert.deepStrictEqual(await authRoot, [{ ns: 'root' }]);
      assert.deepStrictEqual(await authCustom, [{ ns: 'custom' }]);
      assert.equal(root.io, custom.io);
      assert.ok(root.io.engine, 'one engine');
      assert.notEqual(root.id, custom.id);

      // both namespaces stay usable over the shared connection
      assert.equal(await withTimeout(root.emitWithAck('echo', 'via /'), T, 'echo on /'), 'via /');
      custom.disconnect();
      // The echo travels behind the DISCONNECT of /custom on the same connection.
      assert.equal(await withTimeout(root.emitWithAck('echo', 'still'), T, 'echo on / after'), 'still');
      assert.equal(root.connected, true, 'leaving /custom keeps / connected');
      clients.delete(custom);
      close(root);
    });

    test('disconnect: the server forgets the socket, broadcasts to its room still work', async () => {
      const room = `rd-${mode.name}`;
      const { socket: a } = await connect(mode);
      const { socket: b } = await connect(mode);
      assert.equal(await withTimeout(a.emitWithAck('join', room), T, 'A join'), true);
      assert.equal(await withTimeout(b.emitWithAck('join', room), T, 'B join'), true);
      const roomSize = () => withTimeout(b.emitWithAck('room-size', room), T, 'room-size');
      assert.equal(await roomSize(), 2);
      close(a);
      // Each poll is answered at once, also while A's socket is going away.
      await eventually(async () => (await roomSize()) === 1, T, 'the room without A');

      const gotB = collect(b, 'msg', 1);
      b.emit('broadcast', room, 'after A left');
      assert.deepStrictEqual((await gotB)[0], ['after A left']);
      assert.equal(b.connected, true);
      assert.equal(await withTimeout(b.emitWithAck('echo', 'ok'), T, 'echo'), 'ok');

      // and the server still accepts new clients
      const { socket: c } = await connect(mode, '/', { auth: { again: 1 } });
      assert.equal(await withTimeout(c.emitWithAck('echo', 'new'), T, 'echo'), 'new');
      close(b);
      close(c);
    });

    // JSON.stringify escapes a lone surrogate as \udXXX; the reference server's JSON.parse
    // accepts it and its JSON.stringify writes the same escape back.
    test('strings with lone surrogates round trip', {
      todo: 'sio-server closes the connection on a lone high surrogate escape ("\\ud800") and ' +
            'answers a lone low surrogate ("\\udc00") with three U+FFFD; the reference echoes both',
    }, async () => {
      const { socket } = await connect(mode);
      const gone = nextEvent(socket, 'disconnect', T, "'disconnect'").then(([reason]) => {
        throw new Error(`disconnected: ${reason}`);
      });
      gone.catch(() => {});
      for (const s of ['x\udc00y', 'a\ud800b', '\ud83d', '\ude00\ud83d']) {
        const back = nextEvent(socket, 'message-back', T, "'message-back'");
        socket.emit('message', s);
        const [got] = await Promise.race([back, gone]);
        assert.equal(got, s);
      }
      close(socket);
    });

    test('200 messages in a burst all arrive, in order', async () => {
      const { socket } = await connect(mode);
      const N = 200;
      const got = collect(socket, 'message-back', N, 15000);
      for (let i = 0; i < N; i++) socket.emit('message', i, { i, s: `m${i}` });
      const all = await got;
      assert.equal(all.length, N);
      all.forEach((args, i) => assert.deepStrictEqual(args, [i, { i, s: `m${i}` }]));
      close(socket);
    });
  });
}

// ---------------------------------------------------------------------------
// mixed transports, raw clients

describe('mixed transports and raw clients', () => {
  test('room members over polling and over websocket both receive a broadcast', async () => {
    const room = 'mixed-room';
    const { socket: p } = await connect(MODES[1]);
    const { socket: w } = await connect(MODES[0]);
    const { socket: d } = await connect(MODES[2]);
    assert.equal(p.io.engine.transport.name, 'polling');
    assert.equal(w.io.engine.transport.name, 'websocket');
    for (const s of [p, w]) assert.equal(await withTimeout(s.emitWithAck('join', room), T, 'join'), true);
    const rp = collect(p, 'msg', 1);
    const rw = collect(w, 'msg', 1);
    const rd = record(d, 'msg');
    d.emit('broadcast', room, { hi: 'all', b: Buffer.from([1]) });
    assert.deepStrictEqual(normalize((await rp)[0]), [{ hi: 'all', b: Buffer.from([1]) }]);
    assert.deepStrictEqual(normalize((await rw)[0]), [{ hi: 'all', b: Buffer.from([1]) }]);
    await sleep(ABSENCE_MS);
    assert.equal(rd.events.length, 0);
    rd.stop();
    for (const s of [p, w, d]) close(s);
  });

  /** Opens a raw Engine.IO websocket; answers pings; `messages` collects text frames. */
  async function rawWs(port = server.port) {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${PATH}?EIO=4&transport=websocket`);
    const messages = [];
    const waiters = [];
    ws.on('message', (data, isBinary) => {
      const m = isBinary ? data : data.toString();
      if (m === '2') { ws.send('3'); return; }
      messages.push(m);
      for (const w of waiters.splice(0)) w();
    });
    let isClosed = false;
    const closed = new Promise((resolve) => ws.once('close', (code) => {
      isClosed = true;
      for (const w of waiters.splice(0)) w();
      resolve({ code, at: Date.now() });
    }));
    const next = async (what) => {
      const deadline = Date.now() + T;
      while (messages.length === 0) {
        if (isClosed) throw new Error(`connection closed while waiting for ${what}`);
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await withTimeout(new Promise((r) => waiters.push(r)), T, what);
      }
      return messages.shift();
    };
    await nextEvent(ws, 'open', T, 'raw websocket open');
    const open = await next('Engine.IO open packet');
    assert.match(open, /^0\{/);
    return { ws, next, closed, openAt: Date.now(), handshake: JSON.parse(open.slice(1)) };
  }

  test('a malformed packet ("42{}") closes that connection; other clients keep working', async () => {
    const { socket: other } = await connect(MODES[0]);
    const raw = await rawWs();
    raw.ws.send('40');
    const connected = await raw.next('CONNECT reply');
    assert.match(connected, /^40\{"sid":"[^"]+"\}$/);
    assert.equal(await raw.next('auth event'), '42["auth",{}]');
    // a well-formed event works first
    raw.ws.send('42["echo","x"]'); // no ack id: no reply; just must not break anything
    raw.ws.send('42["message","ok"]');
    assert.equal(await raw.next('message-back'), '42["message-back","ok"]');

    raw.ws.send('42{}');
    await withTimeout(raw.closed, T, 'the server to close the connection after a malformed packet');
    assert.equal(other.connected, true);
    assert.equal(await withTimeout(other.emitWithAck('echo', 'still here'), T, 'echo'), 'still here');
    const { socket: fresh } = await connect(MODES[1]);
    assert.equal(await withTimeout(fresh.emitWithAck('echo', 'fresh'), T, 'echo'), 'fresh');
    close(other);
    close(fresh);
  });

  test('numbers are re-encoded as JSON.parse/JSON.stringify would (raw websocket)', async () => {
    const raw = await rawWs();
    raw.ws.send('40');
    await raw.next('CONNECT reply');
    await raw.next('auth event');
    const sent = '[-0,1.5,1E2,12345678901234567890,1.0,-1e-7,0.1,9007199254740993]';
    raw.ws.send(`42["message",${sent.slice(1)}`);
    const reply = await raw.next('message-back');
    assert.match(reply, /^42\["message-back",/);
    const got = JSON.parse(reply.slice(2)).slice(1);
    // the reference server does JSON.parse then JSON.stringify, so -0 arrives as 0
    assert.deepStrictEqual(got, JSON.parse(JSON.stringify(JSON.parse(sent))));
    raw.ws.close();
    await withTimeout(raw.closed, T, 'raw close');
  });

  test('numbers beyond the double range are re-encoded as null (raw websocket)', async () => {
    const raw = await rawWs();
    raw.ws.send('40');
    await raw.next('CONNECT reply');
    await raw.next('auth event');
    raw.ws.send('42["message",1e400,-1e400]');
    const reply = await Promise.race([
      raw.next('message-back'),
      raw.closed.then(({ code }) => `connection closed (${code})`),
    ]);
    assert.equal(reply, '42["message-back",null,null]');
    raw.ws.close();
    await withTimeout(raw.closed, T, 'raw close');
  });

  test('connectTimeout: an Engine.IO connection without CONNECT is closed after ~1000 ms', async () => {
    const raw = await rawWs();
    const { at } = await withTimeout(raw.closed, CONNECT_TIMEOUT + 4000,
      'the server to close a connection that never sends CONNECT');
    const elapsed = at - raw.openAt;
    assert.ok(elapsed >= CONNECT_TIMEOUT - 200, `closed too early: after ${elapsed} ms`);
    assert.ok(elapsed <= CONNECT_TIMEOUT + 2000, `closed too late: after ${elapsed} ms`);
  });

  test('connectTimeout shorter than the ping interval closes on time too', async () => {
    // The timeout is timed by the pings until its deadline comes near: here it
    // comes before the first ping.
    const shortTimeout = 500;
    const other = await startServer({
      app: 'contract',
      path: PATH,
      'ping-interval': 10000,
      'ping-timeout': 200,
      'connect-timeout': shortTimeout,
    });
    try {
      const raw = await rawWs(other.port);
      const { at } = await withTimeout(raw.closed, shortTimeout + 4000,
        'the server to close a connection that never sends CONNECT');
      const elapsed = at - raw.openAt;
      assert.ok(elapsed >= shortTimeout - 200, `closed too early: after ${elapsed} ms`);
      assert.ok(elapsed <= shortTimeout + 2000, `closed too late: after ${elapsed} ms`);
    } finally {
      await stopClientsAndServer(other, new Set());
    }
  });

  test('connectTimeout does not close a connection that sent CONNECT', async () => {
    const raw = await rawWs();
    raw.ws.send('40');
    await raw.next('CONNECT reply');
    await raw.next('auth event');
    const early = await Promise.race([raw.closed.then(() => 'closed'), sleep(CONNECT_TIMEOUT + 500).then(() => 'open')]);
    assert.equal(early, 'open');
    raw.ws.send('42["message",1]');
    assert.equal(await raw.next('message-back'), '42["message-back",1]');
    raw.ws.close();
    await withTimeout(raw.closed, T, 'raw close');
  });
});
