// Integration tests: the real sio-server running app "features" (examples/features,
// every server API feature behind one event) driven by npm's socket.io-client 4.x and
// by raw Engine.IO clients. Expected behaviour is that of the reference Node socket.io
// 4.8 server running the same app.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { io, Manager } from 'socket.io-client';
import WebSocket from 'ws';
import { nextEvent, normalize, startServer, stopClientsAndServer, withTimeout } from './server.js';

const PATH = '/socket.io/';
// Pings every 300 ms keep the heartbeat busy under every test. pingTimeout is the
// slack of each heartbeat round: the server wants a pong within pingTimeout of its
// ping, and the client gives up pingInterval + pingTimeout after the last ping it
// saw, while the server pings pingInterval after the pong arrived. A loaded 2-core
// machine stalls the client or the server for up to ~650 ms now and then; a 200 ms
// slack turned those stalls into "ping timeout" disconnects, mostly over polling,
// where a round takes two more requests.
const PING_INTERVAL = 300;
const PING_TIMEOUT = 2000;
const T = 5000; // generous bound for a single exchange
const ABSENCE_MS = 300; // how long to wait to be confident that nothing arrives

const WS = { name: 'websocket only', opts: { transports: ['websocket'] }, first: 'websocket', final: 'websocket' };
const POLLING = { name: 'polling only', opts: { transports: ['polling'] }, first: 'polling', final: 'polling' };
const UPGRADE = { name: 'default (polling, then upgrade)', opts: {}, first: 'polling', final: 'websocket' };

// ---------------------------------------------------------------------------
// helpers

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sorted = (xs) => [...xs].sort();
const LOOPBACK_RE = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

function startFeatures() {
  return startServer({
    app: 'features',
    path: PATH,
    'ping-interval': PING_INTERVAL,
    'ping-timeout': PING_TIMEOUT,
    'connect-timeout': 1000,
  });
}

/** Records every `event` from now on; `.events` is the list of arg arrays. */
function record(socket, event) {
  const events = [];
  const handler = (...args) => events.push(args);
  socket.on(event, handler);
  return { events, stop: () => socket.off(event, handler) };
}

/**
 * The tests of one server: `ctx.server` is set by the describe's before hook;
 * sockets opened through `ctx` are closed by its after hook.
 */
function context() {
  const ctx = { server: null, clients: new Set() };

  /**
   * Opens a socket on `nsp` and resolves once it is connected and its first event
   * ("hello" on "/", "welcome" on the dynamic namespaces) arrived: {socket, first}.
   */
  ctx.connect = async (mode, nsp = '/', { auth, first = nsp === '/' ? 'hello' : 'welcome', ...extra } = {}) => {
    const socket = io(`${ctx.server.url}${nsp}`, {
      path: PATH,
      forceNew: true,
      reconnection: false,
      ...mode.opts,
      ...(auth === undefined ? {} : { auth }),
      ...extra,
    });
    ctx.clients.add(socket);
    return { socket, first: await ctx.ready(socket, first, `${nsp} (${mode.name})`) };
  };

  /** Resolves with the args of `first` once `socket` connected; rejects on connect_error. */
  ctx.ready = async (socket, first, what) => {
    const gotFirst = nextEvent(socket, first, T, `'${first}' on ${what}`);
    gotFirst.catch(() => {});
    const failed = new Promise((_, reject) => {
      socket.once('connect_error', (err) => reject(new Error(`connect_error on ${what}: ${err?.message ?? err}`)));
    });
    failed.catch(() => {});
    if (!socket.connected) {
      await Promise.race([nextEvent(socket, 'connect', T, `'connect' on ${what}`), failed]);
    }
    return Promise.race([gotFirst, failed]);
  };

  /** Resolves with the Error of the connect_error that `nsp` answers. */
  ctx.connectError = async (mode, nsp, { auth } = {}) => {
    const socket = io(`${ctx.server.url}${nsp}`, {
      path: PATH, forceNew: true, reconnection: false, ...mode.opts, ...(auth === undefined ? {} : { auth }),
    });
    ctx.clients.add(socket);
    const connected = nextEvent(socket, 'connect', T, 'connect').then(() => {
      throw new Error(`${nsp} connected, expected a connect_error`);
    });
    connected.catch(() => {});
    const [err] = await Promise.race([nextEvent(socket, 'connect_error', T, `'connect_error' on ${nsp}`), connected]);
    assert.equal(socket.connected, false);
    ctx.close(socket);
    return err;
  };

  ctx.connectN = (mode, n, opts) =>
    Promise.all(Array.from({ length: n }, () => ctx.connect(mode, '/', opts))).then((xs) => xs.map((x) => x.socket));

  ctx.close = (socket) => {
    ctx.clients.delete(socket);
    socket.disconnect();
    socket.io.engine?.close();
  };

  return ctx;
}

const ack = (socket, ...args) => withTimeout(socket.emitWithAck(...args), T, `ack of '${args[0]}'`);

/** An ack round trip: the server has handled everything this socket sent before. */
const sync = (socket) => ack(socket, 'events-seen');

/** Resolves once the engine of `socket` runs over websocket, if it is to upgrade. */
async function upgraded(socket, mode) {
  const engine = socket.io.engine;
  if (mode.final !== 'websocket' || engine.transport.name === 'websocket') return;
  await nextEvent(engine, 'upgrade', T, "engine 'upgrade'");
}

/** Joins `rooms` and returns the socket's rooms (sorted). */
async function join(socket, rooms) {
  return sorted(await ack(socket, 'join', rooms));
}

/**
 * A raw Engine.IO client over `transport` that joins "/" and then never answers a
 * ping: resolves with {sid (of the Socket.IO socket), close()}.
 */
async function silentClient(server, transport) {
  const base = `${server.url}${PATH}?EIO=4&transport=`;
  if (transport === 'websocket') {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}${PATH}?EIO=4&transport=websocket`);
    const texts = [];
    let wake = () => {};
    ws.on('message', (data, isBinary) => {
      if (!isBinary) texts.push(data.toString()); // pings ("2") are never answered
      wake();
    });
    await nextEvent(ws, 'open', T, 'raw websocket open');
    const next = async (re, what) => {
      const deadline = Date.now() + T;
      for (;;) {
        const i = texts.findIndex((m) => re.test(m));
        if (i >= 0) return texts.splice(i, 1)[0];
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(texts)}`);
        await Promise.race([new Promise((r) => { wake = r; }), sleep(50)]);
      }
    };
    await next(/^0\{/, 'Engine.IO open');
    ws.send('40');
    const connected = await next(/^40/, 'CONNECT reply');
    return { sid: JSON.parse(connected.slice(2)).sid, close: () => ws.terminate() };
  }
  const controller = new AbortController();
  const get = async (url) => {
    const res = await withTimeout(fetch(url, { signal: controller.signal }), T, `GET ${url}`);
    assert.equal(res.status, 200);
    return res.text();
  };
  const open = await get(`${base}polling`);
  assert.match(open, /^0\{/);
  const { sid: eioSid } = JSON.parse(open.slice(1));
  const post = await withTimeout(fetch(`${base}polling&sid=${eioSid}`, {
    method: 'POST', body: '40', headers: { 'content-type': 'text/plain;charset=UTF-8' }, signal: controller.signal,
  }), T, 'POST 40');
  assert.equal(post.status, 200);
  await post.text();
  const polled = (await get(`${base}polling&sid=${eioSid}`)).split('\x1e');
  const connected = polled.find((p) => p.startsWith('40'));
  assert.ok(connected, `a CONNECT reply in ${JSON.stringify(polled)}`);
  // from now on nobody polls: the server's pings are never answered
  return { sid: JSON.parse(connected.slice(2)).sid, close: () => controller.abort() };
}

// ---------------------------------------------------------------------------
// the scenarios, run over each transport mode

const FULL = [WS, POLLING];

for (const mode of [...FULL, UPGRADE]) {
  const full = FULL.includes(mode); // the default mode runs a subset
  const ftest = full ? test : () => {};

  describe(`features app, socket.io-client ${mode.name}`, () => {
    const ctx = context();
    before(async () => { ctx.server = await startFeatures(); });
    after(() => stopClientsAndServer(ctx.server, ctx.clients));

    test('"hello" carries the id and the handshake', async () => {
      const auth = { user: 'u1', n: [1, 2.5, { deep: true }], 'ü': 'ß' };
      const t0 = Date.now();
      const { socket, first: [hello] } = await ctx.connect(mode, '/', { auth });
      const t1 = Date.now();
      assert.deepStrictEqual(Object.keys(hello).sort(), ['handshake', 'id']);
      assert.equal(hello.id, socket.id);
      const h = hello.handshake;
      assert.deepStrictEqual(Object.keys(h).sort(),
        ['address', 'auth', 'headers', 'issued', 'query', 'secure', 'time', 'url', 'xdomain']);
      assert.deepStrictEqual(h.auth, auth);
      // the first HTTP request of the connection: the polling handshake (with the
      // client's cache-busting "t") or the websocket upgrade
      if (mode.first === 'polling') {
        assert.equal(typeof h.query.t, 'string');
        assert.deepStrictEqual(h.query, { EIO: '4', transport: 'polling', t: h.query.t });
        assert.equal(h.url, `${PATH}?EIO=4&transport=polling&t=${h.query.t}`);
      } else {
        assert.deepStrictEqual(h.query, { EIO: '4', transport: 'websocket' });
        assert.equal(h.url, `${PATH}?EIO=4&transport=websocket`);
      }
      assert.ok(h.url.startsWith('/socket.io/?EIO=4'));
      assert.match(h.address, LOOPBACK_RE);
      assert.equal(h.xdomain, false);
      assert.equal(h.secure, false);
      assert.equal(typeof h.issued, 'number');
      assert.ok(Number.isInteger(h.issued));
      assert.ok(h.issued >= t0 - 50 && h.issued <= t1 + 50, `issued ${h.issued} within [${t0}, ${t1}]`);
      // `new Date() + ""`, e.g. "Tue Mar 05 2024 10:00:00 GMT+0000 (Coordinated Universal Time)"
      assert.equal(typeof h.time, 'string');
      assert.match(h.time, /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d\d \d{4} \d\d:\d\d:\d\d GMT[+-]\d{4}/);
      const parsed = Date.parse(h.time);
      assert.ok(!Number.isNaN(parsed), `Date.parse(${JSON.stringify(h.time)})`);
      assert.ok(Math.abs(parsed - h.issued) < 2000, `time ${h.time} vs issued ${h.issued}`);
      assert.equal(typeof h.headers, 'object');
      assert.equal(h.headers.host, `127.0.0.1:${ctx.server.port}`);
      assert.equal(h.headers.origin, undefined);
      if (mode.first === 'websocket') {
        assert.equal(h.headers.upgrade.toLowerCase(), 'websocket');
        assert.equal(typeof h.headers['sec-websocket-key'], 'string');
      }
      if (mode.final === 'websocket' && socket.io.engine.transport.name !== 'websocket') {
        await nextEvent(socket.io.engine, 'upgrade', T, "engine 'upgrade'");
      }
      assert.equal(socket.io.engine.transport.name, mode.final);
      ctx.close(socket);
    });

    test('"hello" without auth: auth is {}', async () => {
      const { first: [hello], socket } = await ctx.connect(mode);
      assert.deepStrictEqual(hello.handshake.auth, {});
      ctx.close(socket);
    });

    test('xdomain is true with an Origin header', async () => {
      const { first: [hello], socket } = await ctx.connect(mode, '/', {
        extraHeaders: { Origin: 'http://example.com' },
      });
      assert.equal(hello.handshake.xdomain, true);
      assert.equal(hello.handshake.headers.origin, 'http://example.com');
      ctx.close(socket);
    });

    ftest('middleware: auth {token:"bad"} is refused with data, other auth connects', async () => {
      const err = await ctx.connectError(mode, '/', { auth: { token: 'bad' } });
      assert.equal(err.message, 'unauthorized');
      assert.deepStrictEqual(err.data, { reason: 'bad token' });

      const { first: [hello], socket } = await ctx.connect(mode, '/', { auth: { token: 'good' } });
      assert.deepStrictEqual(hello.handshake.auth, { token: 'good' });
      assert.equal(socket.connected, true);
      ctx.close(socket);
    });

    ftest('dynamic namespaces: regex and predicate parents', async () => {
      const { socket: d, first } = await ctx.connect(mode, '/dyn-12');
      assert.deepStrictEqual(first, ['/dyn-12']);
      assert.equal(await ack(d, 'ping-nsp'), '/dyn-12');

      const bad = await ctx.connectError(mode, '/dyn-x');
      assert.equal(bad.message, 'Invalid namespace');

      // the predicate decides when the child namespace does not exist yet
      const refused = await ctx.connectError(mode, '/pred-a');
      assert.equal(refused.message, 'Invalid namespace');
      const refused2 = await ctx.connectError(mode, '/pred-b', { auth: { allow: false } });
      assert.equal(refused2.message, 'Invalid namespace');
      const { socket: p, first: pf } = await ctx.connect(mode, '/pred-a', { auth: { allow: true } });
      assert.deepStrictEqual(pf, ['/pred-a']);
      // once created, the child namespace is joined without asking the predicate again
      // (the reference's client.connect() looks in server._nsps first)
      const { socket: p2, first: pf2 } = await ctx.connect(mode, '/pred-a');
      assert.deepStrictEqual(pf2, ['/pred-a']);
      ctx.close(p2);

      // a second client on the same dynamic name joins the same child namespace
      const { socket: d2, first: f2 } = await ctx.connect(mode, '/dyn-12');
      assert.deepStrictEqual(f2, ['/dyn-12']);
      assert.equal(await ack(d2, 'ping-nsp'), '/dyn-12');
      assert.equal(await ack(d, 'ping-nsp'), '/dyn-12');
      assert.notEqual(d.id, d2.id);
      // another name of the same parent is another namespace
      const { socket: d3, first: f3 } = await ctx.connect(mode, '/dyn-7');
      assert.deepStrictEqual(f3, ['/dyn-7']);
      assert.equal(await ack(d3, 'ping-nsp'), '/dyn-7');
      for (const s of [d, d2, d3, p]) ctx.close(s);
    });

    test('a middleware calling next() twice does not stop a later CONNECT to its namespace', async () => {
      const { socket } = await ctx.connect(mode, '/', { auth: { nextTwice: true } });
      // A second namespace on the same connection keeps it open while "/" is
      // left (the manager's socket() connects it).
      const other = socket.io.socket('/dyn-5');
      ctx.clients.add(other);
      assert.deepStrictEqual(await nextEvent(other, 'welcome', T, "'welcome' on /dyn-5"), ['/dyn-5']);
      socket.disconnect();
      const hello = nextEvent(socket, 'hello', T, "'hello' after connecting to / again");
      socket.connect();
      await hello;
      assert.equal(socket.connected, true);
      ctx.close(other);
      ctx.close(socket);
    });

    test('handlers of one event run in order; one added meanwhile hears the next event', async () => {
      const { socket } = await ctx.connect(mode);
      assert.deepStrictEqual(await ack(socket, 'twice'), ['first', 'second']);
      assert.deepStrictEqual(await ack(socket, 'twice'), ['first', 'second', 'first', 'second']);
      assert.deepStrictEqual(await ack(socket, 'twice'),
                             ['first', 'second', 'first', 'second', 'added', 'first', 'second']);
      ctx.close(socket);
    });

    test('per-packet middleware: "forbidden" never reaches its handler, the socket hears the error', async () => {
      const { socket } = await ctx.connect(mode);
      const ran = record(socket, 'forbidden-ran');
      const seen = nextEvent(socket, 'error-seen', T, "'error-seen'");
      socket.emit('forbidden', 1, 2);
      assert.deepStrictEqual(await seen, ['forbidden event']);
      await sync(socket);
      await sleep(ABSENCE_MS);
      assert.equal(ran.events.length, 0, '"forbidden-ran" never arrives');
      assert.equal(socket.connected, true);
      ran.stop();
      ctx.close(socket);
    });

    ftest('on_any / on_any_outgoing list the events in order', async () => {
      const { socket } = await ctx.connect(mode);
      socket.on('question', (_payload, cb) => cb('answer'));
      socket.emit('alpha', 1);
      socket.emit('beta', { x: 2 });
      const seen = nextEvent(socket, 'error-seen', T, "'error-seen'");
      socket.emit('forbidden');
      await seen;
      const asked = await ack(socket, 'ask-me', 'q', 2000);
      assert.deepStrictEqual(asked, { timed_out: false, reply: ['answer'] });
      // the reference calls onAny listeners before the per-packet middlewares, so
      // "forbidden" is listed; "events-seen" itself is listed before its handler runs
      assert.deepStrictEqual(await ack(socket, 'events-seen'),
        ['alpha', 'beta', 'forbidden', 'ask-me', 'events-seen']);
      // "hello" went out before the listener was added; acks are not events
      assert.deepStrictEqual(await ack(socket, 'outgoing-events'), ['error-seen', 'question']);
      ctx.close(socket);
    });

    ftest('on_any_outgoing also sees the broadcasts that reach the socket', async () => {
      const [a, b] = await ctx.connectN(mode, 2);
      const all = [a, b].map((s) => nextEvent(s, 'all', T, "'all'"));
      b.emit('emit-all', 'x');
      await Promise.all(all);
      const others = nextEvent(a, 'others', T, "'others'");
      b.emit('broadcast-others', 'y');
      await others;
      const room = nextEvent(a, 'room-msg', T, "'room-msg'");
      b.emit('to-room', a.id, 'z');
      await room;
      assert.deepStrictEqual(await ack(a, 'outgoing-events'), ['all', 'others', 'room-msg']);
      assert.deepStrictEqual(await ack(b, 'outgoing-events'), ['all']);
      ctx.close(a);
      ctx.close(b);
    });

    test('server→client ack: answered, not answered, answered too late', async () => {
      const { socket } = await ctx.connect(mode);
      const questions = [];
      let answer = (payload, cb) => cb('re', payload, 42);
      socket.on('question', (payload, cb) => {
        questions.push(payload);
        answer(payload, cb);
      });
      const payload = { q: 'why?', list: [1, 2] };
      assert.deepStrictEqual(await ack(socket, 'ask-me', payload, 2000),
        { timed_out: false, reply: ['re', payload, 42] });

      answer = () => {}; // never answers
      let t0 = performance.now();
      assert.deepStrictEqual(await ack(socket, 'ask-me', 'silent', 300), { timed_out: true, reply: null });
      let elapsed = performance.now() - t0;
      // The server's timer starts after the question left here, so it cannot fire sooner.
      assert.ok(elapsed >= 299 && elapsed < T, `a 300 ms timeout fired after ${elapsed} ms`);

      let late;
      answer = (p, cb) => { late = cb; }; // answers once the server gave up
      t0 = performance.now();
      assert.deepStrictEqual(await ack(socket, 'ask-me', 'late', 150), { timed_out: true, reply: null });
      elapsed = performance.now() - t0;
      assert.ok(elapsed >= 149 && elapsed < T, `a 150 ms timeout fired after ${elapsed} ms`);
      late('late'); // ignored: the next question's reply shows it did not count

      answer = (p, cb) => cb();
      assert.deepStrictEqual(await ack(socket, 'ask-me', 'empty', 2000), { timed_out: false, reply: [] });
      assert.deepStrictEqual(questions, [payload, 'silent', 'late', 'empty']);
      assert.equal(socket.connected, true);
      ctx.close(socket);
    });

    test('server→client ack with binary payload and reply', async () => {
      const { socket } = await ctx.connect(mode);
      socket.on('question', (payload, cb) => cb({ back: payload.bin, extra: Buffer.from([9, 8, 7]) }, Buffer.from('raw')));
      const payload = { bin: Buffer.from([0, 1, 2, 255]), s: 'text' };
      const got = await ack(socket, 'ask-me', payload, 2000);
      assert.deepStrictEqual(normalize(got), {
        timed_out: false,
        reply: [{ back: Buffer.from([0, 1, 2, 255]), extra: Buffer.from([9, 8, 7]) }, Buffer.from('raw')],
      });
      ctx.close(socket);
    });

    ftest('broadcast with ack: every member answers, one does not, empty room', async () => {
      const room = `ack-${mode.name}`;
      const [asker, a, b, c] = await ctx.connectN(mode, 4);
      const answerers = { a, b, c };
      for (const [name, s] of Object.entries(answerers)) {
        await join(s, [room]);
        s.on('question', (payload, cb) => {
          if (s.silent) return;
          cb({ from: name, got: payload });
        });
      }
      const payload = { q: 1, bin: Buffer.from([5, 6]) };
      const res = await ack(asker, 'ask-room', room, payload, 2000);
      assert.equal(res.timed_out, false);
      assert.deepStrictEqual(normalize(res.replies).sort((x, y) => x[0].from.localeCompare(y[0].from)), [
        [{ from: 'a', got: normalize(payload) }],
        [{ from: 'b', got: normalize(payload) }],
        [{ from: 'c', got: normalize(payload) }],
      ]);

      b.silent = true;
      const t0 = performance.now();
      const res2 = await ack(asker, 'ask-room', room, 'second', 300);
      const elapsed = performance.now() - t0;
      assert.ok(elapsed >= 299 && elapsed < T, `a 300 ms timeout fired after ${elapsed} ms`);
      assert.equal(res2.timed_out, true);
      assert.deepStrictEqual(res2.replies.sort((x, y) => x[0].from.localeCompare(y[0].from)), [
        [{ from: 'a', got: 'second' }],
        [{ from: 'c', got: 'second' }],
      ]);

      // no recipient: answered at once, not after the minute's timeout (ack gives up after T)
      assert.deepStrictEqual(await ack(asker, 'ask-room', `${room}-empty`, 'nobody', 60000),
        { timed_out: false, replies: [] });
      for (const s of [asker, a, b, c]) ctx.close(s);
    });

    test('rooms: join / leave acks return the rooms, to-room reaches the other members', async () => {
      const [a, b, c] = await ctx.connectN(mode, 3);
      const r1 = `r1-${mode.name}`;
      assert.deepStrictEqual(await join(a, [r1]), sorted([a.id, r1]));
      assert.deepStrictEqual(await join(a, ['r2', 'r3', r1]), sorted([a.id, r1, 'r2', 'r3']));
      assert.deepStrictEqual(sorted(await ack(a, 'leave', ['r2', 'not-joined'])), sorted([a.id, r1, 'r3']));
      assert.deepStrictEqual(await join(a, []), sorted([a.id, r1, 'r3']));
      assert.deepStrictEqual(await join(b, [r1]), sorted([b.id, r1]));

      const ra = record(a, 'room-msg');
      const rb = record(b, 'room-msg');
      const rc = record(c, 'room-msg');
      const payload = { text: 'hi', bin: Buffer.from([1, 2, 3]), nested: [Buffer.from('x')] };
      const gotB = nextEvent(b, 'room-msg', T, "'room-msg' at B");
      a.emit('to-room', r1, payload);
      assert.deepStrictEqual(normalize(await gotB), [normalize(payload)]);
      await sync(a);
      await sleep(ABSENCE_MS);
      assert.equal(ra.events.length, 0, 'the sender is left out');
      assert.equal(rb.events.length, 1);
      assert.equal(rc.events.length, 0, 'a non-member gets nothing');

      // a non-member may send to the room; the socket's own id is a room too
      const gotA = nextEvent(a, 'room-msg', T, "'room-msg' at A");
      const gotB2 = nextEvent(b, 'room-msg', T, "'room-msg' at B");
      c.emit('to-room', r1, 'from c');
      assert.deepStrictEqual(await gotA, ['from c']);
      assert.deepStrictEqual(await gotB2, ['from c']);
      const gotPrivate = nextEvent(b, 'room-msg', T, "'room-msg' at B (private)");
      c.emit('to-room', b.id, 'private');
      assert.deepStrictEqual(await gotPrivate, ['private']);

      // after leaving, B is no longer reached
      assert.deepStrictEqual(sorted(await ack(b, 'leave', [r1])), [b.id]);
      const gotA2 = nextEvent(a, 'room-msg', T, "'room-msg' at A");
      c.emit('to-room', r1, 'after leave');
      assert.deepStrictEqual(await gotA2, ['after leave']);
      await sync(c);
      await sleep(ABSENCE_MS);
      assert.equal(ra.events.length, 2);
      assert.equal(rb.events.length, 3);
      assert.equal(rc.events.length, 0);
      for (const r of [ra, rb, rc]) r.stop();
      for (const s of [a, b, c]) ctx.close(s);
    });

    ftest('a socket may leave its own room, and join it again', async () => {
      const [a, c] = await ctx.connectN(mode, 2);
      assert.deepStrictEqual(await ack(a, 'leave', [a.id]), []);
      const ra = record(a, 'room-msg');
      c.emit('to-room', a.id, 'while out');
      await sync(c);
      await sleep(ABSENCE_MS);
      assert.equal(ra.events.length, 0, 'out of its own room, its id reaches nobody');
      assert.deepStrictEqual(await join(a, [a.id]), [a.id]);
      const back = nextEvent(a, 'room-msg', T, "'room-msg' at A");
      c.emit('to-room', a.id, 'back in');
      assert.deepStrictEqual(await back, ['back in']);
      ra.stop();
      for (const s of [a, c]) ctx.close(s);
    });

    ftest('to-rooms: a union of rooms minus except rooms, each member once', async () => {
      const [a, b, c, d, e] = await ctx.connectN(mode, 5);
      const [r1, r2, rx] = ['u1', 'u2', 'ux'].map((r) => `${r}-${mode.name}`);
      await join(a, [r1]);
      await join(b, [r1, r2]);
      await join(c, [r2]);
      await join(d, [r2, rx]);
      await join(e, ['elsewhere']);
      const recs = [a, b, c, d, e].map((s) => record(s, 'multi'));
      const payload = { m: 1, bin: Buffer.from([4]) };
      const arrivals = [a, b, c].map((s) => nextEvent(s, 'multi', T, "'multi'"));
      // the sender (a, in r1) is reached too: the app emits through the namespace
      a.emit('to-rooms', [r1, r2], [rx], payload);
      for (const got of await Promise.all(arrivals)) assert.deepStrictEqual(normalize(got), [normalize(payload)]);
      await sync(a);
      await sleep(ABSENCE_MS);
      assert.deepStrictEqual(recs.map((r) => r.events.length), [1, 1, 1, 0, 0]);

      // except a room that some members of r1 are in, no room list: the whole namespace but them
      const arrivals2 = [c, d, e].map((s) => nextEvent(s, 'multi', T, "'multi' 2"));
      e.emit('to-rooms', [], [r1], 'all but r1');
      for (const got of await Promise.all(arrivals2)) assert.deepStrictEqual(got, ['all but r1']);
      await sync(e);
      await sleep(ABSENCE_MS);
      assert.deepStrictEqual(recs.map((r) => r.events.length), [1, 1, 2, 1, 1]);
      for (const r of recs) r.stop();
      for (const s of [a, b, c, d, e]) ctx.close(s);
    });

    test('broadcast-others and emit-all', async () => {
      const [a, b, c] = await ctx.connectN(mode, 3);
      const ra = record(a, 'others');
      const others = [b, c].map((s) => nextEvent(s, 'others', T, "'others'"));
      a.emit('broadcast-others', { o: Buffer.from([1]) });
      for (const got of await Promise.all(others)) assert.deepStrictEqual(normalize(got), [{ o: Buffer.from([1]) }]);
      const alls = [a, b, c].map((s) => nextEvent(s, 'all', T, "'all'"));
      b.emit('emit-all', 'everyone');
      for (const got of await Promise.all(alls)) assert.deepStrictEqual(got, ['everyone']);
      await sync(a);
      await sleep(ABSENCE_MS);
      assert.equal(ra.events.length, 0, 'the sender of broadcast-others gets nothing');
      ra.stop();
      for (const s of [a, b, c]) ctx.close(s);
    });

    ftest('fetch: the sockets of a room with ids, rooms and data', async () => {
      const [a, b, c] = await ctx.connectN(mode, 3);
      const room = `f-${mode.name}`;
      await join(a, [room, 'fa']);
      await join(b, [room]);
      assert.equal(await ack(a, 'set-data', { v: 1, s: 'x', list: [1, 2] }), true);
      const got = await ack(c, 'fetch', room);
      const norm = (xs) => xs.map((x) => ({ ...x, rooms: sorted(x.rooms) })).sort((x, y) => x.id.localeCompare(y.id));
      assert.deepStrictEqual(norm(got), norm([
        { id: a.id, rooms: [a.id, room, 'fa'], data: { connected: true, value: { v: 1, s: 'x', list: [1, 2] } } },
        { id: b.id, rooms: [b.id, room], data: { connected: true } },
      ]));
      assert.deepStrictEqual(await ack(c, 'fetch', `${room}-empty`), []);
      // a socket's own id is a room
      assert.deepStrictEqual(norm(await ack(a, 'fetch', b.id)), [{ id: b.id, rooms: sorted([b.id, room]), data: { connected: true } }]);
      for (const s of [a, b, c]) ctx.close(s);
    });

    ftest('sockets-join / sockets-leave act on the sockets of a room', async () => {
      const [a, b, c] = await ctx.connectN(mode, 3);
      const [sel, add] = ['sel', 'added'].map((r) => `${r}-${mode.name}`);
      await join(a, [sel]);
      await join(b, [sel]);
      const ids = async (room) => sorted((await ack(c, 'fetch', room)).map((x) => x.id));
      assert.equal(await ack(c, 'sockets-join', sel, [add, `${add}-2`]), true);
      assert.deepStrictEqual(await ids(add), sorted([a.id, b.id]));
      assert.deepStrictEqual(await ids(`${add}-2`), sorted([a.id, b.id]));
      // the sockets themselves see their new rooms
      assert.deepStrictEqual(await join(a, []), sorted([a.id, sel, add, `${add}-2`]));
      // and broadcasts to the new room reach them
      const arrivals = [a, b].map((s) => nextEvent(s, 'room-msg', T, "'room-msg'"));
      c.emit('to-room', add, 'to added');
      for (const got of await Promise.all(arrivals)) assert.deepStrictEqual(got, ['to added']);

      assert.equal(await ack(c, 'sockets-leave', sel, [add]), true);
      assert.deepStrictEqual(await ids(add), []);
      assert.deepStrictEqual(await ids(`${add}-2`), sorted([a.id, b.id]));
      assert.deepStrictEqual(await join(b, []), sorted([b.id, sel, `${add}-2`]));
      for (const s of [a, b, c]) ctx.close(s);
    });

    ftest('disconnect-room(room, false): members get "io server disconnect", others stay', async () => {
      const [a, b, c] = await ctx.connectN(mode, 3);
      const room = `dr-${mode.name}`;
      await join(a, [room]);
      await join(b, [room]);
      const gone = [a, b].map((s) => nextEvent(s, 'disconnect', T, "'disconnect'"));
      const rc = record(c, 'disconnect');
      c.emit('disconnect-room', room, false);
      for (const [reason] of await Promise.all(gone)) assert.equal(reason, 'io server disconnect');
      assert.deepStrictEqual(await ack(c, 'fetch', room), []);
      await sleep(ABSENCE_MS);
      assert.equal(rc.events.length, 0);
      assert.equal(c.connected, true);
      rc.stop();
      for (const s of [a, b, c]) ctx.close(s);
    });

    /** A Manager with a "/" socket (in `room`) and a "/dyn-5" socket on one connection. */
    const openPair = async (room) => {
      const manager = new Manager(ctx.server.url, { path: PATH, reconnection: false, ...mode.opts });
      const root = manager.socket('/');
      const dyn = manager.socket('/dyn-5');
      ctx.clients.add(root);
      ctx.clients.add(dyn);
      const ready = Promise.all([ctx.ready(root, 'hello', '/'), ctx.ready(dyn, 'welcome', '/dyn-5')]);
      root.connect();
      dyn.connect();
      await ready;
      await upgraded(root, mode);
      await join(root, [room]);
      return { manager, root, dyn };
    };

    ftest('disconnect-room(room, false): only "/" of a multiplexed connection leaves', async () => {
      const { socket: c } = await ctx.connect(mode);
      const room = `dc1-${mode.name}`;
      const x = await openPair(room);
      const rootGone = nextEvent(x.root, 'disconnect', T, "'disconnect' of /");
      const dynRec = record(x.dyn, 'disconnect');
      c.emit('disconnect-room', room, false);
      assert.equal((await rootGone)[0], 'io server disconnect');
      assert.equal(await ack(x.dyn, 'ping-nsp'), '/dyn-5');
      await sleep(ABSENCE_MS);
      assert.equal(dynRec.events.length, 0);
      assert.equal(x.dyn.connected, true);
      assert.equal(x.manager.engine.readyState, 'open');
      dynRec.stop();
      for (const s of [c, x.root, x.dyn]) ctx.close(s);
    });

    ftest('disconnect-room(room, true): every namespace of the connection leaves, the connection closes', async () => {
      const { socket: c } = await ctx.connect(mode);
      const room = `dc2-${mode.name}`;
      const y = await openPair(room);
      const gone = [y.root, y.dyn].map((s) => nextEvent(s, 'disconnect', T, "'disconnect'"));
      const engineClosed = nextEvent(y.manager.engine, 'close', T, "engine 'close'");
      c.emit('disconnect-room', room, true);
      await Promise.all(gone);
      await engineClosed;
      assert.equal(y.root.connected, false);
      assert.equal(y.dyn.connected, false);
      assert.equal(c.connected, true);
      assert.deepStrictEqual(await ack(c, 'fetch', room), []);
      for (const s of [c, y.root, y.dyn]) ctx.close(s);
    });

    // The reference's disconnectSockets(true) → socket.disconnect(true) → client._disconnect():
    // a DISCONNECT packet for every namespace of the connection, then the connection closes.
    ftest('disconnect-room(room, true): every namespace hears "io server disconnect"',
      {}, async () => {
        const { socket: c } = await ctx.connect(mode);
        for (let i = 0; i < 3; i++) {
          const room = `dc3-${i}-${mode.name}`;
          const y = await openPair(room);
          const gone = [y.root, y.dyn].map((s) => nextEvent(s, 'disconnect', T, "'disconnect'"));
          c.emit('disconnect-room', room, true);
          const reasons = (await Promise.all(gone)).map(([reason]) => reason);
          assert.deepStrictEqual(reasons, ['io server disconnect', 'io server disconnect']);
          ctx.close(y.root);
          ctx.close(y.dyn);
        }
        ctx.close(c);
      });

    /** Joins `observer` to the observers; `leftOf(id)` resolves with the "left" of `id`. */
    const observe = async () => {
      const { socket: observer } = await ctx.connect(mode);
      assert.equal(await ack(observer, 'observe'), true);
      const lefts = [];
      const waiters = new Map();
      observer.on('left', (info) => {
        lefts.push(info);
        waiters.get(info.id)?.(info);
      });
      const leftOf = (id, ms = T) => {
        const seen = lefts.find((l) => l.id === id);
        if (seen) return Promise.resolve(seen);
        return withTimeout(new Promise((r) => waiters.set(id, r)), ms, `'left' of ${id}`);
      };
      return { observer, leftOf };
    };

    test('observer: a client disconnect is "client namespace disconnect", with its rooms', async () => {
      const { observer, leftOf } = await observe();
      const { socket: x } = await ctx.connect(mode);
      await join(x, ['o1', 'o2']);
      const id = x.id;
      x.disconnect();
      // the rooms are still there while the socket is disconnecting
      assert.deepStrictEqual(await leftOf(id),
        { id, reason: 'client namespace disconnect', rooms: sorted([id, 'o1', 'o2']) });
      assert.equal(observer.connected, true);
      ctx.close(x);
      ctx.close(observer);
    });

    test('observer: disconnect-me(false) is "server namespace disconnect"', async () => {
      const { observer, leftOf } = await observe();
      const { socket: x } = await ctx.connect(mode);
      await join(x, ['o3']);
      const id = x.id;
      const clientSide = nextEvent(x, 'disconnect', T, "'disconnect'");
      x.emit('disconnect-me', false);
      assert.deepStrictEqual(await leftOf(id), { id, reason: 'server namespace disconnect', rooms: sorted([id, 'o3']) });
      assert.equal((await clientSide)[0], 'io server disconnect');
      ctx.close(x);
      ctx.close(observer);
    });

    test('observer: disconnect-me(true) is "server namespace disconnect", the connection closes', async () => {
      const { observer, leftOf } = await observe();
      const { socket: x } = await ctx.connect(mode);
      await join(x, ['o4']);
      const id = x.id;
      const clientSide = nextEvent(x, 'disconnect', T, "'disconnect'");
      const engineClosed = nextEvent(x.io.engine, 'close', T, "engine 'close'");
      x.emit('disconnect-me', true);
      assert.deepStrictEqual(await leftOf(id), { id, reason: 'server namespace disconnect', rooms: sorted([id, 'o4']) });
      await clientSide;
      await engineClosed;
      assert.equal(observer.connected, true);
      ctx.close(x);
      ctx.close(observer);
    });

    test('disconnect-me(true): the client hears "io server disconnect"',
      {}, async () => {
        for (let i = 0; i < 3; i++) {
          const { socket: x } = await ctx.connect(mode);
          await upgraded(x, mode);
          await join(x, ['o5']);
          const clientSide = nextEvent(x, 'disconnect', T, "'disconnect'");
          x.emit('disconnect-me', true);
          assert.equal((await clientSide)[0], 'io server disconnect');
          ctx.close(x);
        }
      });

    test('observer: a closed or destroyed transport is "transport close"', async () => {
      const { observer, leftOf } = await observe();
      // the client closes its Engine.IO connection without a DISCONNECT packet
      {
        const { socket: x } = await ctx.connect(mode);
        const id = x.id;
        const clientSide = nextEvent(x, 'disconnect', T, "'disconnect'");
        x.io.engine.close();
        assert.equal((await clientSide)[0], 'forced close');
        assert.deepStrictEqual(await leftOf(id), { id, reason: 'transport close', rooms: [id] });
        ctx.close(x);
      }
      // websocket: the TCP connection is destroyed without a close frame
      if (mode.final === 'websocket') {
        const { socket: x } = await ctx.connect(mode);
        await upgraded(x, mode);
        const id = x.id;
        x.io.engine.transport.ws._socket.destroy();
        assert.deepStrictEqual(await leftOf(id), { id, reason: 'transport close', rooms: [id] });
        ctx.close(x);
      }
      assert.equal(observer.connected, true);
      ctx.close(observer);
    });

    ftest('observer: a raw client that never answers a ping is "ping timeout"', async () => {
      const { observer, leftOf } = await observe();
      const t0 = Date.now();
      const raw = await silentClient(ctx.server, mode.first);
      try {
        const info = await leftOf(raw.sid, PING_INTERVAL + PING_TIMEOUT + 3000);
        const elapsed = Date.now() - t0;
        assert.deepStrictEqual(info, { id: raw.sid, reason: 'ping timeout', rooms: [raw.sid] });
        assert.ok(elapsed >= PING_INTERVAL + PING_TIMEOUT - 100, `ping timeout after ${elapsed} ms`);
      } finally {
        raw.close();
      }
      assert.equal(observer.connected, true);
      ctx.close(observer);
    });

    test('a host actor in a room repeats what it hears', async () => {
      const [a, b] = await ctx.connectN(mode, 2);
      await join(a, ['actor-echo']);
      const payload = { hello: 'actor', n: [1, 2, { x: null }] };
      const got = nextEvent(a, 'from-actor', T, "'from-actor'");
      b.emit('to-room', 'actor-room', payload);
      assert.deepStrictEqual(await got, [{ event: 'room-msg', args: [payload] }]);
      ctx.close(a);
      ctx.close(b);
    });

    if (mode.final === 'websocket') {
      test('volatile reaches idle websocket clients', async () => {
        const [a, b, c] = await ctx.connectN(mode, 3);
        for (const s of [a, b, c]) {
          if (s.io.engine.transport.name !== 'websocket') await nextEvent(s.io.engine, 'upgrade', T, "engine 'upgrade'");
          // The client's "upgrade" event fires when it sends "5"; a round trip over the new
          // transport makes sure the server has switched too. Until then the server still
          // polls, and a volatile packet may rightly be dropped.
          await ack(s, 'events-seen');
        }
        const arrivals = [a, b, c].map((s) => nextEvent(s, 'vol', T, "'vol'"));
        a.emit('volatile', { v: 1 });
        for (const got of await Promise.all(arrivals)) assert.deepStrictEqual(got, [{ v: 1 }]);
        for (const s of [a, b, c]) ctx.close(s);
      });
    }
  });
}

describe('features app, fetch of the whole namespace and mixed transports', () => {
  const ctx = context();
  before(async () => { ctx.server = await startFeatures(); });
  after(() => stopClientsAndServer(ctx.server, ctx.clients));

  test('fetch("") returns every socket of "/" (not those of other namespaces)', async () => {
    const { socket: w } = await ctx.connect(WS);
    const { socket: p } = await ctx.connect(POLLING);
    const { socket: u } = await ctx.connect(UPGRADE);
    const { socket: d } = await ctx.connect(WS, '/dyn-3');
    await join(p, ['pp']);
    const got = (await ack(w, 'fetch', '')).map((x) => ({ ...x, rooms: sorted(x.rooms) }))
      .sort((x, y) => x.id.localeCompare(y.id));
    const want = [
      { id: w.id, rooms: [w.id], data: { connected: true } },
      { id: p.id, rooms: sorted([p.id, 'pp']), data: { connected: true } },
      { id: u.id, rooms: [u.id], data: { connected: true } },
    ].sort((x, y) => x.id.localeCompare(y.id));
    assert.deepStrictEqual(got, want);
    for (const s of [w, p, u, d]) ctx.close(s);
  });

  test('rooms, broadcast acks and binaries across polling and websocket clients', async () => {
    const { socket: p } = await ctx.connect(POLLING);
    const { socket: w } = await ctx.connect(WS);
    const { socket: u } = await ctx.connect(UPGRADE);
    for (const s of [p, w, u]) await join(s, ['mixed']);
    for (const [name, s] of [['p', p], ['w', w], ['u', u]]) s.on('question', (x, cb) => cb(name, x));
    const bin = Buffer.from([0xde, 0xad, 0xbe, 0xef]);
    const res = await ack(p, 'ask-room', 'mixed', bin, 2000);
    assert.equal(res.timed_out, false);
    assert.deepStrictEqual(normalize(res.replies).sort((x, y) => x[0].localeCompare(y[0])),
      [['p', bin], ['u', bin], ['w', bin]]);
    const arrivals = [p, u].map((s) => nextEvent(s, 'room-msg', T, "'room-msg'"));
    w.emit('to-room', 'mixed', [bin, { b: bin }]);
    for (const got of await Promise.all(arrivals)) assert.deepStrictEqual(normalize(got), [[bin, { b: bin }]]);
    for (const s of [p, w, u]) ctx.close(s);
  });
});

// volatile: a polling client with no GET waiting cannot take a packet now, so a
// volatile broadcast skips it; a plain one waits for its next poll.
describe('volatile broadcasts and a polling client between polls', () => {
  let server;
  before(async () => {
    server = await startServer({ app: 'features', path: '/socket.io/' });
  });
  after(async () => {
    await server?.stop();
  });

  test('the volatile packet is dropped, the plain one is delivered at the next poll', async () => {
    const base = `${server.url}/socket.io/?EIO=4&transport=polling`;
    const open = await (await fetch(base)).text();
    const { sid } = JSON.parse(open.slice(1));
    const url = `${base}&sid=${sid}`;
    assert.equal(await (await fetch(url, { method: 'POST', body: '40' })).text(), 'ok');
    const connected = await (await fetch(url)).text();  // CONNECT and "hello"; no GET waits now
    assert.match(connected, /^40\{"sid":/);

    const other = io(server.url, { transports: ['websocket'], forceNew: true });
    try {
      await nextEvent(other, 'hello', 5000);
      other.emit('volatile', 'dropped');
      other.emit('emit-all', 'kept');
      await nextEvent(other, 'all', 5000);  // both broadcasts went out
      const body = await withTimeout((await fetch(url)).text(), 5000, 'the next poll');
      assert.ok(body.includes('["all","kept"]'), body);
      assert.ok(!body.includes('"vol"'), body);
    } finally {
      other.close();
    }
  });
});
