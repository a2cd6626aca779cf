// Integration tests: the real sio-server (app eio-echo) driven by the official
// engine.io-client and by raw HTTP / WebSocket / TCP clients. Expected behaviour is
// that of the reference Node engine.io 6.6 server.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import crypto from 'node:crypto';
import { Socket } from 'engine.io-client';
import WebSocket from 'ws';
import { nextEvent, queueMessages, startServer, withTimeout } from './server.js';

const PATH = '/engine.io/';
// pingTimeout: the slack of a heartbeat round, room for the stalls of a loaded
// machine (see features.test.js).
const PING_INTERVAL = 300;
const PING_TIMEOUT = 2000;
const MAX_PAYLOAD = 1000;
const T = 5000; // generous bound for a single exchange

// ---------------------------------------------------------------------------
// helpers

const MODES = [
  { name: 'polling only', opts: { transports: ['polling'], upgrade: false }, final: 'polling' },
  { name: 'websocket only', opts: { transports: ['websocket'] }, final: 'websocket' },
  { name: 'polling upgraded to websocket', opts: { transports: ['polling', 'websocket'], upgrade: true }, final: 'websocket' },
];

/** Opens an engine.io-client Socket; for upgrade modes also waits for the upgrade. */
async function openClient(server, mode, extra = {}) {
  const socket = new Socket(server.url, { path: PATH, ...mode.opts, ...extra });
  const upgraded = mode.final === 'websocket' && mode.opts.transports[0] === 'polling'
    ? nextEvent(socket, 'upgrade', T, `'upgrade' (${mode.name})`)
    : null;
  const failed = new Promise((_, reject) => {
    socket.once('error', (err) => reject(new Error(`client error: ${err?.message ?? err}`)));
  });
  failed.catch(() => {});
  await Promise.race([nextEvent(socket, 'open', T, `'open' (${mode.name})`), failed]);
  if (upgraded) {
    assert.equal(socket.transport.name, 'polling', 'the session starts on polling');
    const [transport] = await Promise.race([upgraded, failed]);
    assert.equal(transport.name, 'websocket');
  }
  assert.equal(socket.transport.name, mode.final);
  return socket;
}

async function closeClient(socket) {
  if (!socket || socket.readyState === 'closed') return;
  const closed = nextEvent(socket, 'close', T, "client 'close'");
  socket.close();
  await closed;
}

/** Collects the next `n` 'message' events of an engine.io-client socket. */
function collectMessages(socket, n, ms = T) {
  const got = [];
  let handler;
  const p = new Promise((resolve, reject) => {
    handler = (m) => {
      got.push(m);
      if (got.length === n) resolve(got);
    };
    socket.on('message', handler);
    socket.once('close', (reason) => reject(new Error(`socket closed (${reason}) after ${got.length}/${n} messages`)));
  });
  return withTimeout(p, ms, `${n} messages (got ${got.length})`).finally(() => socket.off('message', handler));
}

function toBuffer(data) {
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  assert.fail(`expected binary data, got ${typeof data}: ${String(data).slice(0, 80)}`);
}

function eioUrl(server, query, path = PATH) {
  return `${server.url}${path}?${query}`;
}

function wsUrl(server, query, path = PATH) {
  return `ws://127.0.0.1:${server.port}${path}?${query}`;
}

async function req(url, init = {}) {
  const res = await withTimeout(fetch(url, { signal: AbortSignal.timeout(T), ...init }), T + 500, `${init.method ?? 'GET'} ${url}`);
  const body = await withTimeout(res.text(), T, `body of ${url}`);
  return { status: res.status, headers: res.headers, body };
}

/** Polling handshake; returns the parsed open packet. */
async function handshake(server) {
  const res = await req(eioUrl(server, 'EIO=4&transport=polling'));
  assert.equal(res.status, 200, res.body);
  assert.equal(res.body[0], '0', `open packet expected, got ${res.body}`);
  return JSON.parse(res.body.slice(1));
}

function assertJsonError(res, status, code, message) {
  assert.equal(res.status, status, `status (body: ${res.body})`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json\b/);
  assert.equal(res.body, JSON.stringify({ code, message }));
}

/** Opens a raw ws client and waits for its Engine.IO open packet. */
async function openRawWs(server, query = 'EIO=4&transport=websocket', wsOpts = {}) {
  const ws = new WebSocket(wsUrl(server, query), wsOpts);
  const take = queueMessages(ws);
  const closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  ws.on('error', () => {});
  const next = (ms = T, what = 'ws message') => take(ms, what);
  await Promise.race([
    nextEvent(ws, 'open', T, 'raw ws open'),
    closed.then(({ code }) => { throw new Error(`raw ws closed before open (${code})`); }),
  ]);
  return { ws, next, closed };
}

/** Resolves when the raw TCP socket is closed by the peer (or errors). */
function tcpClosed(sock) {
  return new Promise((resolve) => {
    if (sock.destroyed) return resolve();
    sock.once('close', resolve);
  });
}

function connectTcp(port) {
  const sock = net.connect({ host: '127.0.0.1', port });
  sock.on('error', () => {});
  return withTimeout(new Promise((resolve) => sock.once('connect', () => resolve(sock))), T, 'tcp connect');
}

/** Raw TCP WebSocket upgrade; returns the socket positioned after the 101 response. */
async function rawWsUpgrade(port, query = 'EIO=4&transport=websocket') {
  const sock = await connectTcp(port);
  const key = crypto.randomBytes(16).toString('base64');
  let buf = Buffer.alloc(0);
  const head = new Promise((resolve, reject) => {
    const onData = (d) => {
      buf = Buffer.concat([buf, d]);
      const end = buf.indexOf('\r\n\r\n');
      if (end >= 0) {
        sock.off('data', onData);
        resolve(buf.subarray(0, end).toString());
      }
    };
    sock.on('data', onData);
    sock.once('close', () => reject(new Error('closed during upgrade')));
  });
  sock.write(`GET ${PATH}?${query} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n` +
             `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`);
  const status = await withTimeout(head, T, 'raw upgrade response');
  assert.match(status, /^HTTP\/1\.1 101 /);
  sock.resume(); // drain whatever frames follow
  return sock;
}

function maskedFrame(opcode, payload, fin = true) {
  const mask = crypto.randomBytes(4);
  const data = Buffer.from(payload);
  const masked = Buffer.from(data.map((b, i) => b ^ mask[i % 4]));
  assert.ok(data.length < 126);
  return Buffer.concat([Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | data.length]), mask, masked]);
}

async function echoRoundTrip(socket, text) {
  const got = collectMessages(socket, 1);
  socket.send(text);
  const [m] = await got;
  assert.equal(m, text);
}

// ---------------------------------------------------------------------------

describe('engine.io-client against sio-server', () => {
  let server;
  before(async () => {
    server = await startServer({ 'ping-interval': PING_INTERVAL, 'ping-timeout': PING_TIMEOUT });
  });
  after(() => server?.stop());

  for (const mode of MODES) {
    describe(mode.name, () => {
      test('connects with the expected transport and handshake values', async () => {
        const socket = await openClient(server, mode);
        try {
          assert.equal(typeof socket.id, 'string');
          assert.ok(socket.id.length > 0);
          assert.equal(socket._pingInterval, PING_INTERVAL);
          assert.equal(socket._pingTimeout, PING_TIMEOUT);
        } finally {
          await closeClient(socket);
        }
      });

      test('text messages are echoed', async () => {
        const socket = await openClient(server, mode);
        try {
          await echoRoundTrip(socket, 'hello');
          await echoRoundTrip(socket, ' ');
          await echoRoundTrip(socket, '{"json":[1,2,3]}');
          await echoRoundTrip(socket, 'x'.repeat(500));
        } finally {
          await closeClient(socket);
        }
      });

      test('binary messages are echoed as binary', async () => {
        const socket = await openClient(server, mode);
        try {
          const bytes = new Uint8Array(256).map((_, i) => i);
          const buf = crypto.randomBytes(300);
          const got = collectMessages(socket, 3);
          socket.send(bytes);
          socket.send(buf);
          socket.send(new Uint8Array([0]));
          const [a, b, c] = await got;
          assert.deepEqual(toBuffer(a), Buffer.from(bytes));
          assert.deepEqual(toBuffer(b), buf);
          assert.deepEqual(toBuffer(c), Buffer.from([0]));
        } finally {
          await closeClient(socket);
        }
      });

      test('text and binary interleaved keep their type', async () => {
        const socket = await openClient(server, mode);
        try {
          const got = collectMessages(socket, 4);
          socket.send('a');
          socket.send(Buffer.from('b'));
          socket.send('4c'); // looks like a packet type prefix but is plain text
          socket.send(Buffer.from([0x34, 0x64]));
          const [a, b, c, d] = await got;
          assert.equal(a, 'a');
          assert.deepEqual(toBuffer(b), Buffer.from('b'));
          assert.equal(c, '4c');
          assert.deepEqual(toBuffer(d), Buffer.from([0x34, 0x64]));
        } finally {
          await closeClient(socket);
        }
      });

      test('a burst of 200 messages arrives complete and in order', async () => {
        const socket = await openClient(server, mode);
        try {
          const n = 200;
          const got = collectMessages(socket, n, 15000);
          for (let i = 0; i < n; i++) socket.send(`msg-${i}`);
          const msgs = await got;
          assert.deepEqual(msgs, Array.from({ length: n }, (_, i) => `msg-${i}`));
        } finally {
          await closeClient(socket);
        }
      });

      test('multi-byte UTF-8 text is echoed unchanged', async () => {
        const socket = await openClient(server, mode);
        try {
          const texts = [
            'héllo wörld ñ ß',
            '你好，世界',
            'emoji 🌍🚀 \u{1F600} and surrogates 𝄞',
            'mixed ascii/ünïcödé/日本語/עברית/العربية',
            '€'.repeat(333),
          ];
          const got = collectMessages(socket, texts.length);
          for (const t of texts) socket.send(t);
          assert.deepEqual(await got, texts);
        } finally {
          await closeClient(socket);
        }
      });

      test('heartbeat: pings arrive and the session stays open across several intervals', async () => {
        const socket = await openClient(server, mode);
        try {
          let closedReason = null;
          socket.on('close', (reason) => { closedReason = reason; });
          const pings = 4;
          let count = 0;
          await withTimeout(new Promise((resolve) => {
            socket.on('ping', () => { if (++count === pings) resolve(); });
          }), pings * PING_INTERVAL + 4000, `${pings} pings (got ${count})`);
          assert.equal(closedReason, null);
          assert.equal(socket.readyState, 'open');
          assert.equal(socket.transport.name, mode.final);
          await echoRoundTrip(socket, 'still alive');
        } finally {
          await closeClient(socket);
        }
      });
    });
  }

  test('polling upgraded to websocket: a burst sent during the upgrade stays in order', async () => {
    const socket = new Socket(server.url, { path: PATH, transports: ['polling', 'websocket'] });
    try {
      const upgraded = nextEvent(socket, 'upgrade', T, "'upgrade'");
      await nextEvent(socket, 'open', T, "'open'");
      const n = 200;
      const got = collectMessages(socket, n, 15000);
      for (let i = 0; i < n; i++) socket.send(`m${i}`);
      await upgraded;
      assert.equal(socket.transport.name, 'websocket');
      assert.deepEqual(await got, Array.from({ length: n }, (_, i) => `m${i}`));
    } finally {
      await closeClient(socket);
    }
  });

  test('ping timeout: a raw websocket that never answers pings is closed by the server', async () => {
    const start = Date.now();
    const { next, closed } = await openRawWs(server);
    const open = await next(T, 'open packet');
    assert.match(open, /^0\{/);
    const ping = await next(PING_INTERVAL + 2000, 'ping packet');
    assert.equal(ping, '2');
    const pingAt = Date.now() - start;
    // never send "3"
    await withTimeout(closed, PING_INTERVAL + PING_TIMEOUT + 2000, 'server to close the unresponsive websocket');
    const elapsed = Date.now() - start;
    assert.ok(pingAt >= PING_INTERVAL - 50, `first ping after ${pingAt} ms`);
    assert.ok(elapsed >= PING_INTERVAL + PING_TIMEOUT - 50, `closed after ${elapsed} ms (too early)`);
  });

  test('a raw polling session that never polls is dropped after pingInterval + pingTimeout', async () => {
    const start = Date.now();
    const { sid } = await handshake(server);
    const url = eioUrl(server, `EIO=4&transport=polling&sid=${sid}`);
    // The server has no event to await, so probe with POSTs of a noop packet: they do
    // not poll and do not count as heartbeat, and answer "ok" while the session
    // exists, code 1 once it is gone.
    const deadline = start + PING_INTERVAL + PING_TIMEOUT + 3000;
    for (;;) {
      const probe = await req(url, { method: 'POST', body: '6' });
      if (probe.status === 400) {
        assertJsonError(probe, 400, 1, 'Session ID unknown');
        break;
      }
      assert.equal(probe.status, 200, probe.body);
      assert.equal(probe.body, 'ok');
      assert.ok(Date.now() < deadline, 'the session was not dropped in time');
      await new Promise((r) => setTimeout(r, 25)); // probe interval, not synchronisation
    }
    const elapsed = Date.now() - start;
    assert.ok(elapsed >= PING_INTERVAL + PING_TIMEOUT - 100, `session dropped after ${elapsed} ms (too early)`);
    assertJsonError(await req(url), 400, 1, 'Session ID unknown');
  });

  test('an empty message is echoed as an empty message packet', async () => {
    const { ws, next } = await openRawWs(server);
    try {
      assert.match(await next(T, 'open packet'), /^0\{/);
      ws.send('4');
      assert.equal(await next(T, 'echo'), '4');
    } finally {
      ws.terminate();
    }
    const { sid } = await handshake(server);
    const url = eioUrl(server, `EIO=4&transport=polling&sid=${sid}`);
    const post = await req(url, { method: 'POST', body: '4\x1e4x\x1e4' });
    assert.equal(post.body, 'ok');
    const got = await req(url);
    // a ping may join the echoed packets when the poll comes late
    assert.deepEqual(got.body.split('\x1e').filter((p) => p !== '2'), ['4', '4x', '4']);
  });
});

describe('HTTP error answers', () => {
  let server;
  before(async () => {
    server = await startServer({ 'ping-interval': 10000, 'ping-timeout': 5000, 'max-payload': MAX_PAYLOAD });
  });
  after(() => server?.stop());

  test('unknown transport → 400 code 0', async () => {
    assertJsonError(await req(eioUrl(server, 'EIO=4&transport=foo')), 400, 0, 'Transport unknown');
    assertJsonError(await req(eioUrl(server, 'EIO=4')), 400, 0, 'Transport unknown');
    assertJsonError(await req(eioUrl(server, 'EIO=4&transport=webtransport')), 400, 0, 'Transport unknown');
  });

  test('unknown sid → 400 code 1', async () => {
    assertJsonError(await req(eioUrl(server, 'EIO=4&transport=polling&sid=doesnotexist')), 400, 1, 'Session ID unknown');
    assertJsonError(await req(eioUrl(server, 'EIO=4&transport=polling&sid=doesnotexist'), { method: 'POST', body: '4x' }),
                    400, 1, 'Session ID unknown');
  });

  test('POST handshake → 400 code 2', async () => {
    assertJsonError(await req(eioUrl(server, 'EIO=4&transport=polling'), { method: 'POST', body: '4hi' }),
                    400, 2, 'Bad handshake method');
  });

  test('transport=websocket without upgrade → 400 code 3', async () => {
    assertJsonError(await req(eioUrl(server, 'EIO=4&transport=websocket')), 400, 3, 'Bad request');
  });

  test('EIO=3 or missing EIO → 400 code 5', async () => {
    assertJsonError(await req(eioUrl(server, 'EIO=3&transport=polling')), 400, 5, 'Unsupported protocol version');
    assertJsonError(await req(eioUrl(server, 'transport=polling')), 400, 5, 'Unsupported protocol version');
  });

  test('a path outside the Engine.IO path → 404', async () => {
    for (const p of ['/', '/other/', '/engine.io.x/', '/socket.io/']) {
      const res = await req(eioUrl(server, 'EIO=4&transport=polling', p));
      assert.equal(res.status, 404, `${p}: ${res.status} ${res.body}`);
    }
  });

  test('handshake answers the configured values', async () => {
    const open = await handshake(server);
    assert.equal(typeof open.sid, 'string');
    assert.deepEqual(open.upgrades, ['websocket']);
    assert.equal(open.pingInterval, 10000);
    assert.equal(open.pingTimeout, 5000);
    assert.equal(open.maxPayload, MAX_PAYLOAD);
  });

  test('a POST body over --max-payload → 413', async () => {
    const { sid } = await handshake(server);
    const res = await req(eioUrl(server, `EIO=4&transport=polling&sid=${sid}`),
                          { method: 'POST', body: '4' + 'x'.repeat(MAX_PAYLOAD + 10) });
    assert.equal(res.status, 413);
  });

  test('a POST within --max-payload is accepted and echoed', async () => {
    const { sid } = await handshake(server);
    const body = '4' + 'y'.repeat(MAX_PAYLOAD - 1);
    const post = await req(eioUrl(server, `EIO=4&transport=polling&sid=${sid}`), { method: 'POST', body });
    assert.equal(post.status, 200);
    assert.equal(post.body, 'ok');
    const get = await req(eioUrl(server, `EIO=4&transport=polling&sid=${sid}`));
    assert.equal(get.status, 200);
    assert.equal(get.body, body);
  });

  test('a second concurrent GET on one sid → 400, the pending GET gets "1", the session is gone', async () => {
    const { sid } = await handshake(server);
    const url = eioUrl(server, `EIO=4&transport=polling&sid=${sid}`);
    // The first GET goes over its own connection; the second is sent once the first
    // is fully written. Whichever the server sees second is the overlapping one.
    const first = new Promise((resolve, reject) => {
      const r = http.get(url, { agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => { body += d; });
        res.on('end', () => resolve({ status: res.statusCode, body }));
      });
      r.on('error', reject);
      r.on('finish', () => firstWritten());
    });
    let firstWritten;
    const written = new Promise((r) => { firstWritten = r; });
    await withTimeout(written, T, 'first GET written');
    const second = req(url);
    const [a, b] = await withTimeout(Promise.all([first, second]), T, 'both GETs answered');
    const answers = [a, b].map(({ status, body }) => ({ status, body }));
    const overlap = answers.filter((x) => x.status === 400);
    const closed = answers.filter((x) => x.status === 200);
    assert.equal(overlap.length, 1, JSON.stringify(answers));
    assert.equal(closed.length, 1, JSON.stringify(answers));
    assert.equal(closed[0].body, '1');
    assertJsonError(await req(url), 400, 1, 'Session ID unknown');
  });

  test('a POST with an invalid payload closes the session', async () => {
    const { sid } = await handshake(server);
    const url = eioUrl(server, `EIO=4&transport=polling&sid=${sid}`);
    // The reference destroys this request's connection without an answer; an error
    // answer is just as fine. What matters is that the session is closed.
    const post = await req(url, { method: 'POST', body: 'abc' }).catch((err) => ({ status: 'network error', err }));
    assert.notEqual(post.status, 200, `POST answered ${post.status} ${post.body}`);
    assertJsonError(await req(url), 400, 1, 'Session ID unknown');
  });

  test('GET transport=websocket without upgrade for a polling sid → 400 code 3', async () => {
    const { sid } = await handshake(server);
    const res = await req(eioUrl(server, `EIO=4&transport=websocket&sid=${sid}`), { signal: AbortSignal.timeout(1000) });
    assertJsonError(res, 400, 3, 'Bad request');
  });

  test('polling GET with the sid of an upgraded session → 400 code 3; the session survives', async () => {
    const socket = await openClient(server, MODES[2]);
    try {
      // The client reports the upgrade once it has sent the upgrade packet; an
      // echo over the WebSocket comes back only after the server has read it.
      // Until then a GET is still the session's poll (the reference too).
      await echoRoundTrip(socket, 'upgrade done');
      const res = await req(eioUrl(server, `EIO=4&transport=polling&sid=${socket.id}`));
      assertJsonError(res, 400, 3, 'Bad request');
      await echoRoundTrip(socket, 'after bad poll');
    } finally {
      await closeClient(socket);
    }
  });

  test('a second websocket upgrade for an upgraded sid is closed; the session survives', async () => {
    const socket = await openClient(server, MODES[2]);
    try {
      await echoRoundTrip(socket, 'upgrade done');  // as above: the server has the upgrade
      const ws = new WebSocket(wsUrl(server, `EIO=4&transport=websocket&sid=${socket.id}`));
      ws.on('error', () => {});
      const outcome = await withTimeout(new Promise((resolve) => {
        let opened = false;
        ws.once('open', () => { opened = true; });
        ws.once('unexpected-response', (_, res) => resolve({ opened, status: res.statusCode }));
        ws.once('close', (code) => resolve({ opened, code }));
      }), T, 'second upgrade to be closed');
      assert.equal(outcome.opened, true, `reference accepts then closes: ${JSON.stringify(outcome)}`);
      await echoRoundTrip(socket, 'after second upgrade');
      assert.equal(socket.transport.name, 'websocket');
    } finally {
      await closeClient(socket);
    }
  });

  test('a websocket upgrade with an unknown sid → HTTP 400', async () => {
    const ws = new WebSocket(wsUrl(server, 'EIO=4&transport=websocket&sid=doesnotexist'));
    ws.on('error', () => {});
    const res = await withTimeout(new Promise((resolve, reject) => {
      ws.once('unexpected-response', (_, r) => {
        let body = '';
        r.setEncoding('utf8');
        r.on('data', (d) => { body += d; });
        r.on('end', () => resolve({ status: r.statusCode, body }));
        r.on('error', () => resolve({ status: r.statusCode, body }));
      });
      ws.once('open', () => reject(new Error('upgrade with unknown sid was accepted')));
    }), T, "'unexpected-response'");
    assert.equal(res.status, 400);
    assert.equal(res.body, 'Session ID unknown');
  });

  test('a websocket handshake with EIO=3 is refused', async () => {
    // The reference completes the WebSocket upgrade before it checks EIO and then
    // writes an HTTP 400 onto the upgraded connection and destroys it; refusing the
    // upgrade with HTTP 400 is the clean form of that. Either way: no open packet.
    const ws = new WebSocket(wsUrl(server, 'EIO=3&transport=websocket'));
    ws.on('error', () => {});
    const messages = [];
    ws.on('message', (m) => messages.push(m.toString()));
    const outcome = await withTimeout(new Promise((resolve) => {
      ws.once('unexpected-response', (_, r) => { r.resume(); resolve({ status: r.statusCode }); });
      ws.once('close', (code) => resolve({ code }));
    }), T, 'EIO=3 websocket to be refused');
    if (outcome.status !== undefined) assert.equal(outcome.status, 400);
    assert.deepEqual(messages.filter((m) => m.startsWith('0')), []);
  });

  test('a websocket message over --max-payload → close code 1009', async () => {
    const { ws, next, closed } = await openRawWs(server);
    assert.match(await next(T, 'open packet'), /^0\{/);
    ws.send('4' + 'z'.repeat(MAX_PAYLOAD + 10));
    const { code } = await withTimeout(closed, T, 'close after oversized message');
    assert.equal(code, 1009);
  });

  test('echoes that back up behind a client that stops reading all arrive, in order', async () => {
    // About 13 MB of echoes: more than the kernel's socket buffers take, less
    // than the 16 MiB the server queues per WebSocket. The server's writes
    // stop part-way, wait, and go on where they stopped.
    const { ws, next } = await openRawWs(server);
    const n = 15000;
    const tag = (i) => '4' + String(i).padStart(6, '0');
    try {
      assert.match(await next(T, 'open packet'), /^0\{/);
      ws._socket.pause();
      for (let i = 0; i < n; i++) ws.send(tag(i) + 'x'.repeat(MAX_PAYLOAD - 100));
      await new Promise((r) => setTimeout(r, 500));
      ws._socket.resume();
      for (let i = 0; i < n; i++) {
        const m = await next(T, `echo ${i}`);
        if (m.slice(0, 7) !== tag(i) || m.length !== MAX_PAYLOAD - 93) {
          assert.fail(`echo ${i} arrived as ${m.slice(0, 7)}..., ${m.length} bytes`);
        }
      }
    } finally {
      ws.terminate();
    }
  });

  test('a websocket message within --max-payload is echoed', async () => {
    const { ws, next } = await openRawWs(server);
    try {
      assert.match(await next(T, 'open packet'), /^0\{/);
      const msg = '4' + 'z'.repeat(MAX_PAYLOAD - 1);
      ws.send(msg);
      assert.equal(await next(T, 'echo'), msg);
    } finally {
      ws.terminate();
    }
  });
});

describe('CORS', () => {
  describe('with --cors-origin *', () => {
    let server;
    before(async () => { server = await startServer({ 'cors-origin': '*' }); });
    after(() => server?.stop());

    test('responses carry Access-Control-Allow-Origin: *', async () => {
      const headers = { Origin: 'http://example.com' };
      const hs = await req(eioUrl(server, 'EIO=4&transport=polling'), { headers });
      assert.equal(hs.status, 200);
      assert.equal(hs.headers.get('access-control-allow-origin'), '*');
      const { sid } = JSON.parse(hs.body.slice(1));
      const post = await req(eioUrl(server, `EIO=4&transport=polling&sid=${sid}`), { method: 'POST', body: '4x', headers });
      assert.equal(post.status, 200);
      assert.equal(post.headers.get('access-control-allow-origin'), '*');
      const get = await req(eioUrl(server, `EIO=4&transport=polling&sid=${sid}`), { headers });
      assert.equal(get.body, '4x');
      assert.equal(get.headers.get('access-control-allow-origin'), '*');
      const err = await req(eioUrl(server, 'EIO=4&transport=foo'), { headers });
      assertJsonError(err, 400, 0, 'Transport unknown');
      assert.equal(err.headers.get('access-control-allow-origin'), '*');
    });

    test('an OPTIONS preflight answers 204 with Access-Control-Allow-Methods', async () => {
      const res = await req(eioUrl(server, 'EIO=4&transport=polling'), {
        method: 'OPTIONS',
        headers: {
          Origin: 'http://example.com',
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'content-type',
        },
      });
      assert.equal(res.status, 204);
      assert.equal(res.headers.get('access-control-allow-origin'), '*');
      const methods = (res.headers.get('access-control-allow-methods') ?? '').split(',').map((s) => s.trim());
      assert.ok(methods.includes('GET') && methods.includes('POST'), `allow-methods: ${methods}`);
      assert.equal(res.body, '');
    });

    test('engine.io-client works through CORS (polling)', async () => {
      const socket = await openClient(server, MODES[0], { extraHeaders: { Origin: 'http://example.com' } });
      try {
        await echoRoundTrip(socket, 'cors');
      } finally {
        await closeClient(socket);
      }
    });
  });

  describe('without --cors-origin', () => {
    let server;
    before(async () => { server = await startServer(); });
    after(() => server?.stop());

    const noCorsHeaders = (res) => {
      const cors = [...res.headers.keys()].filter((k) => k.startsWith('access-control-'));
      assert.deepEqual(cors, []);
    };

    test('no Access-Control-* header on any answer', async () => {
      const headers = { Origin: 'http://example.com' };
      const hs = await req(eioUrl(server, 'EIO=4&transport=polling'), { headers });
      assert.equal(hs.status, 200);
      noCorsHeaders(hs);
      const { sid } = JSON.parse(hs.body.slice(1));
      noCorsHeaders(await req(eioUrl(server, `EIO=4&transport=polling&sid=${sid}`), { method: 'POST', body: '4x', headers }));
      noCorsHeaders(await req(eioUrl(server, `EIO=4&transport=polling&sid=${sid}`), { headers }));
      noCorsHeaders(await req(eioUrl(server, 'EIO=4&transport=foo'), { headers }));
      noCorsHeaders(await req(eioUrl(server, 'EIO=4&transport=polling'), {
        method: 'OPTIONS',
        headers: { ...headers, 'Access-Control-Request-Method': 'POST' },
      }));
    });
  });
});

describe('bad input never hurts other clients', () => {
  let server;
  before(async () => {
    server = await startServer({ 'ping-interval': 10000, 'ping-timeout': 5000, 'max-payload': MAX_PAYLOAD });
  });
  after(() => server?.stop());

  const garbage = [
    ['malformed request line', async (port) => {
      const s = await connectTcp(port);
      s.resume();
      s.write('THIS IS NOT HTTP\r\n\r\n');
      return s;
    }],
    ['binary noise', async (port) => {
      const s = await connectTcp(port);
      s.resume();
      s.write(crypto.randomBytes(4096));
      return s;
    }],
    ['bad header syntax', async (port) => {
      const s = await connectTcp(port);
      s.resume();
      s.write(`GET ${PATH}?EIO=4&transport=polling HTTP/1.1\r\nHost 127.0.0.1\r\n: nothing\r\n\r\n`);
      return s;
    }],
    ['invalid content-length', async (port) => {
      const s = await connectTcp(port);
      s.resume();
      s.write(`POST ${PATH}?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\nabc`);
      return s;
    }],
    ['huge header', async (port) => {
      const s = await connectTcp(port);
      s.resume();
      s.write(`GET ${PATH}?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(200000)}\r\n\r\n`);
      return s;
    }],
    ['unmasked websocket frame', async (port) => {
      const s = await rawWsUpgrade(port);
      s.write(Buffer.from([0x81, 0x05, ...Buffer.from('4oops')]));
      return s;
    }],
    ['reserved websocket opcode', async (port) => {
      const s = await rawWsUpgrade(port);
      s.write(maskedFrame(0x3, '4oops'));
      return s;
    }],
    ['continuation frame without a start', async (port) => {
      const s = await rawWsUpgrade(port);
      s.write(maskedFrame(0x0, '4oops'));
      return s;
    }],
    ['websocket frame with a truncated header then close', async (port) => {
      const s = await rawWsUpgrade(port);
      s.end(Buffer.from([0x81, 0xff]));
      return s;
    }],
  ];

  for (const mode of MODES) {
    test(`echo keeps working for a ${mode.name} client while garbage arrives`, async () => {
      const socket = await openClient(server, mode);
      let closeReason = null;
      socket.on('close', (r) => { closeReason = r; });
      try {
        for (const [name, send] of garbage) {
          const s = await send(server.port);
          await echoRoundTrip(socket, `after ${name}`);
          await withTimeout(tcpClosed(s), T, `server to close the connection that sent ${name}`);
          s.destroy();
        }
        assert.equal(closeReason, null);
        assert.equal(socket.readyState, 'open');
      } finally {
        await closeClient(socket);
      }
    });
  }

  test('invalid UTF-8 in a websocket text frame → close code 1007, others unaffected', async () => {
    const socket = await openClient(server, MODES[1]);
    try {
      const { ws, next, closed } = await openRawWs(server);
      assert.match(await next(T, 'open packet'), /^0\{/);
      ws.send(Buffer.from([0x34, 0xff, 0xfe, 0xfd]), { binary: false });
      const { code } = await withTimeout(closed, T, 'close after invalid UTF-8');
      assert.equal(code, 1007);
      await echoRoundTrip(socket, 'unaffected');
    } finally {
      await closeClient(socket);
    }
  });

  test('invalid Engine.IO packets over websocket close only that session', async () => {
    const socket = await openClient(server, MODES[1]);
    try {
      const { ws, next, closed } = await openRawWs(server);
      assert.match(await next(T, 'open packet'), /^0\{/);
      ws.send('x-not-a-packet');
      await withTimeout(closed, T, 'close after invalid packet');
      await echoRoundTrip(socket, 'unaffected');
    } finally {
      await closeClient(socket);
    }
  });

  test('many simultaneous garbage connections do not block a client', async () => {
    const socket = await openClient(server, MODES[0]);
    try {
      const conns = await Promise.all(Array.from({ length: 50 }, async (_, i) => {
        const s = await connectTcp(server.port);
        s.resume();
        s.write(i % 2 ? crypto.randomBytes(512) : 'GET /\r\n\r\n\0\0\0');
        return s;
      }));
      for (let i = 0; i < 5; i++) await echoRoundTrip(socket, `burst ${i}`);
      await withTimeout(Promise.all(conns.map(tcpClosed)), T, 'server to close the garbage connections');
    } finally {
      await closeClient(socket);
    }
  });
});

describe('shutdown', () => {
  test('SIGTERM stops the server promptly while sessions are open', async () => {
    const server = await startServer({ 'ping-interval': 25000, 'ping-timeout': 20000 }, { stopTimeoutMs: 3000 });
    let socket;
    try {
      socket = await openClient(server, MODES[1]);
      await handshake(server); // plus a polling session nobody polls
      const { sid } = await handshake(server); // and one with a pending long-poll
      const pending = fetch(eioUrl(server, `EIO=4&transport=polling&sid=${sid}`)).then((r) => r.text()).catch(() => null);
      const closed = nextEvent(socket, 'close', 5000, "client 'close' after SIGTERM");
      const result = await server.stop();
      assert.equal(result.forced, false, `needed SIGKILL after ${result.ms} ms`);
      await closed;
      await withTimeout(pending, 5000, 'pending long-poll to end');
    } finally {
      await server.stop();
      socket?.close();
    }
  });

  test('SIGTERM stops an idle server promptly', async () => {
    const server = await startServer();
    const result = await server.stop();
    assert.equal(result.forced, false, `needed SIGKILL after ${result.ms} ms`);
  });
});
