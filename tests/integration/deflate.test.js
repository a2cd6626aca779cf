// Integration tests: permessage-deflate (RFC 7692) on the WebSocket transport of
// the real sio-server (app eio-echo), off by default and on with
// --per-message-deflate, as the reference's perMessageDeflate option (ws's
// defaults and a 1024-byte threshold).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import net from 'node:net';
import zlib from 'node:zlib';
import { Socket } from 'engine.io-client';
import WebSocket from 'ws';
import { nextEvent, queueMessages, startServer, withTimeout } from './server.js';

const PATH = '/engine.io/';
const QUERY = 'EIO=4&transport=websocket';
const MAX_PAYLOAD = 200000;
const T = 5000;

// ---------------------------------------------------------------------------
// helpers

/** About 100 KB of text that compresses well but not trivially, with non-ASCII characters. */
function bigText(n = 100 * 1024) {
  let s = '';
  // Whole pieces only: cutting one could split a surrogate pair.
  for (let i = 0; s.length < n; i++) s += `{"i":${i},"name":"caf\u00e9 \u{1F600}","ok":true},`;
  return s;
}

/** Half random bytes, half a pattern: the compressor sees both. */
function bigBinary(n = 100 * 1024) {
  const b = Buffer.alloc(n);
  crypto.randomFillSync(b, 0, n / 2);
  for (let i = n / 2; i < n; i++) b[i] = i % 251;
  return b;
}

/**
 * Opens a `ws` client on the Engine.IO endpoint and waits for the open packet.
 * Resolves with the client, the Sec-WebSocket-Extensions header of the 101, a
 * next() for the following messages and a promise of the close.
 */
async function openWs(server, wsOpts = {}) {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}${PATH}?${QUERY}`, wsOpts);
  let extensionsHeader;
  ws.once('upgrade', (res) => { extensionsHeader = res.headers['sec-websocket-extensions']; });
  const take = queueMessages(ws);
  ws.on('error', () => {});
  const closed = new Promise((resolve) => ws.once('close', (code) => resolve(code)));
  const next = (what = 'ws message') => take(T, what);
  await Promise.race([
    nextEvent(ws, 'open', T, 'ws open'),
    closed.then((code) => { throw new Error(`ws closed before open (${code})`); }),
  ]);
  assert.match(await next('open packet'), /^0\{/);
  return { ws, extensionsHeader, next, closed };
}

/** Bytes the client's socket has read and written so far. */
function traffic(ws) {
  // ws keeps its net.Socket here; its counters show what the wire carried.
  return { read: ws._socket.bytesRead, written: ws._socket.bytesWritten };
}

/**
 * A WebSocket by hand over TCP: sends the upgrade with `extensions` as the
 * Sec-WebSocket-Extensions header (none when undefined) and parses the answer.
 * Resolves with {status, headers, body} and, after a 101, frame helpers.
 */
async function rawUpgrade(server, extensions) {
  const sock = net.connect({ host: '127.0.0.1', port: server.port });
  sock.on('error', () => {});
  await nextEvent(sock, 'connect', T, 'TCP connect');
  const key = crypto.randomBytes(16).toString('base64');
  sock.write(`GET ${PATH}?${QUERY} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n` +
             `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n` +
             (extensions === undefined ? '' : `Sec-WebSocket-Extensions: ${extensions}\r\n`) + '\r\n');
  let buffer = Buffer.alloc(0);
  let wake = null;
  let ended = false;
  sock.on('data', (d) => { buffer = Buffer.concat([buffer, d]); wake?.(); });
  sock.on('close', () => { ended = true; wake?.(); });
  const waitFor = async (ready, what) => {
    while (!ready()) {
      if (ended) throw new Error(`connection closed while waiting for ${what}`);
      await withTimeout(new Promise((r) => { wake = r; }), T, what);
    }
  };

  await waitFor(() => buffer.includes('\r\n\r\n'), 'the upgrade response');
  const headEnd = buffer.indexOf('\r\n\r\n');
  const [statusLine, ...lines] = buffer.subarray(0, headEnd).toString('latin1').split('\r\n');
  buffer = buffer.subarray(headEnd + 4);
  const headers = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  const status = Number(statusLine.split(' ')[1]);
  if (status !== 101) {
    const length = Number(headers['content-length'] ?? 0);
    await waitFor(() => buffer.length >= length, 'the response body');
    sock.destroy();
    return { status, headers, body: buffer.toString() };
  }

  /** The next server frame: {fin, rsv1, opcode, payload}. */
  const nextFrame = async () => {
    await waitFor(() => buffer.length >= 2, 'a frame header');
    let length = buffer[1] & 0x7f;
    let offset = 2;
    if (length === 126) {
      await waitFor(() => buffer.length >= 4, 'a frame length');
      length = buffer.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      await waitFor(() => buffer.length >= 10, 'a frame length');
      length = Number(buffer.readBigUInt64BE(2));
      offset = 10;
    }
    await waitFor(() => buffer.length >= offset + length, 'a frame payload');
    const frame = {
      fin: (buffer[0] & 0x80) !== 0,
      rsv1: (buffer[0] & 0x40) !== 0,
      opcode: buffer[0] & 0x0f,
      payload: Buffer.from(buffer.subarray(offset, offset + length)),
    };
    buffer = buffer.subarray(offset + length);
    return frame;
  };
  /** Sends one masked frame; `rsv1` marks it compressed. */
  const sendFrame = (opcode, payload, { rsv1 = false } = {}) => {
    const mask = crypto.randomBytes(4);
    const head = payload.length < 126 ? Buffer.from([0, 0x80 | payload.length])
      : Buffer.from([0, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
    head[0] = 0x80 | (rsv1 ? 0x40 : 0) | opcode;
    const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]));
    sock.write(Buffer.concat([head, mask, masked]));
  };
  return { status, headers, sock, nextFrame, sendFrame };
}

/** Raw DEFLATE with a sync flush, the trailing 00 00 ff ff left off (RFC 7692 7.2.1). */
function deflate(data) {
  const out = zlib.deflateRawSync(data, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  return out.subarray(0, out.length - 4);
}

function inflate(data) {
  return zlib.inflateRawSync(Buffer.concat([data, Buffer.from([0, 0, 0xff, 0xff])]),
                             { finishFlush: zlib.constants.Z_SYNC_FLUSH });
}

/** A close frame's code. */
function closeCode(frame) {
  assert.equal(frame.opcode, 0x8, `a close frame, got opcode ${frame.opcode}`);
  return frame.payload.readUInt16BE(0);
}

// ---------------------------------------------------------------------------

describe('with --per-message-deflate', () => {
  let server;
  before(async () => {
    server = await startServer({ 'per-message-deflate': true, 'max-payload': MAX_PAYLOAD,
                                 'ping-interval': 10000, 'ping-timeout': 5000 });
  });
  after(() => server?.stop());

  test('the extension is negotiated with a ws client', async () => {
    const { ws, extensionsHeader } = await openWs(server, { perMessageDeflate: true });
    try {
      // ws offers "permessage-deflate; client_max_window_bits"; the server
      // leaves the client's window as it is, like the reference.
      assert.equal(extensionsHeader, 'permessage-deflate');
      assert.equal(ws.extensions, 'permessage-deflate');
    } finally {
      ws.terminate();
    }
  });

  test('a 100 KB text message round-trips, compressed both ways', async () => {
    const { ws, next } = await openWs(server, { perMessageDeflate: true });
    try {
      const msg = '4' + bigText();
      const before = traffic(ws);
      ws.send(msg);
      assert.equal(await next('echo'), msg);
      const after = traffic(ws);
      assert.ok(after.written - before.written < msg.length / 4, `client sent ${after.written - before.written} bytes`);
      assert.ok(after.read - before.read < msg.length / 4, `server sent ${after.read - before.read} bytes`);
    } finally {
      ws.terminate();
    }
  });

  test('a 100 KB binary message round-trips exactly', async () => {
    const { ws, next } = await openWs(server, { perMessageDeflate: true });
    try {
      const msg = bigBinary();
      ws.send(msg);
      const echo = await next('echo');
      assert.ok(Buffer.isBuffer(echo), 'binary echo');
      assert.ok(echo.equals(msg), 'same bytes');
    } finally {
      ws.terminate();
    }
  });

  test('small messages and many messages in a row (context takeover) round-trip', async () => {
    const { ws, next } = await openWs(server, { perMessageDeflate: true });
    try {
      for (const msg of ['4', '4hi', '4caf\u00e9', '4' + 'x'.repeat(1023), '4' + 'x'.repeat(1024)]) {
        ws.send(msg);
        assert.equal(await next(`echo of ${msg.length} chars`), msg);
      }
      ws.send(Buffer.from([1, 2, 3]));
      assert.deepEqual([...await next('binary echo')], [1, 2, 3]);
      const text = bigText(3000);
      const sent = [];
      for (let i = 0; i < 30; i++) {
        sent.push(`4${i}:${text}`);
        ws.send(sent[i]);
      }
      for (let i = 0; i < sent.length; i++) assert.equal(await next(`echo ${i}`), sent[i]);
    } finally {
      ws.terminate();
    }
  });

  test('a message whose inflated size exceeds --max-payload → close code 1009', async () => {
    const { ws, closed } = await openWs(server, { perMessageDeflate: true });
    const before = traffic(ws);
    ws.send('4' + 'z'.repeat(MAX_PAYLOAD + 10));
    assert.equal(await withTimeout(closed, T, 'close after the oversized message'), 1009);
    assert.ok(traffic(ws).written - before.written < 10000, 'small on the wire');
  });

  test('compressed text that is not UTF-8 → close code 1007', async () => {
    const { ws, closed } = await openWs(server, { perMessageDeflate: true });
    ws.send(Buffer.from([0x34, 0xff, 0xfe]), { binary: false });
    assert.equal(await withTimeout(closed, T, 'close after invalid UTF-8'), 1007);
  });

  test('the 101 echoes the agreed parameters; the threshold decides what is compressed', async () => {
    const c = await rawUpgrade(server,
      'x-foo, permessage-deflate; server_no_context_takeover; client_max_window_bits=10');
    try {
      assert.equal(c.status, 101);
      assert.equal(c.headers['sec-websocket-extensions'],
                   'permessage-deflate; server_no_context_takeover; client_max_window_bits=10');
      const open = await c.nextFrame();
      assert.equal(open.rsv1, false, 'the open packet is below the threshold');
      assert.match(open.payload.toString(), /^0\{/);

      c.sendFrame(0x1, Buffer.from('4small'));
      let f = await c.nextFrame();
      assert.deepEqual([f.rsv1, f.opcode, f.payload.toString()], [false, 0x1, '4small']);

      const big = '4' + 'y'.repeat(2000);
      c.sendFrame(0x1, deflate(big), { rsv1: true });
      f = await c.nextFrame();
      assert.deepEqual([f.rsv1, f.opcode], [true, 0x1]);
      assert.ok(f.payload.length < 100, `compressed to ${f.payload.length} bytes`);
      assert.equal(inflate(f.payload).toString(), big);
      // server_no_context_takeover: every message is compressed on its own.
      c.sendFrame(0x1, deflate(big), { rsv1: true });
      const again = await c.nextFrame();
      assert.ok(again.payload.equals(f.payload), 'the same bytes without context takeover');
    } finally {
      c.sock?.destroy();
    }
  });

  test('a compressed message that does not inflate → close code 1007', async () => {
    const c = await rawUpgrade(server, 'permessage-deflate');
    try {
      assert.equal(c.status, 101);
      await c.nextFrame();  // open packet
      c.sendFrame(0x2, Buffer.from([0xff, 0xff, 0xff]), { rsv1: true });
      assert.equal(closeCode(await c.nextFrame()), 1007);
    } finally {
      c.sock?.destroy();
    }
  });

  test('RSV1 on a control frame → close code 1002', async () => {
    const c = await rawUpgrade(server, 'permessage-deflate');
    try {
      await c.nextFrame();  // open packet
      c.sendFrame(0x9, Buffer.from('x'), { rsv1: true });
      assert.equal(closeCode(await c.nextFrame()), 1002);
    } finally {
      c.sock?.destroy();
    }
  });

  test('an invalid Sec-WebSocket-Extensions header → HTTP 400, as ws answers', async () => {
    for (const header of ['permessage-deflate; foo', 'permessage-deflate; server_max_window_bits=16',
                          'permessage-deflate;;', 'permessage-deflate, permessage-deflate; x=1']) {
      const c = await rawUpgrade(server, header);
      assert.equal(c.status, 400, header);
      assert.equal(c.body, 'Invalid or unacceptable Sec-WebSocket-Extensions header');
    }
  });

  test('a client that does not offer the extension gets plain WebSocket', async () => {
    const { ws, extensionsHeader, next } = await openWs(server, { perMessageDeflate: false });
    try {
      assert.equal(extensionsHeader, undefined);
      const msg = '4' + bigText();
      const before = traffic(ws);
      ws.send(msg);
      assert.equal(await next('echo'), msg);
      assert.ok(traffic(ws).read - before.read > msg.length, 'uncompressed');
    } finally {
      ws.terminate();
    }
  });

  test('engine.io-client (polling, then upgraded) echoes small and 100 KB messages', async () => {
    const socket = new Socket(server.url, { path: PATH, perMessageDeflate: { threshold: 1024 } });
    try {
      await nextEvent(socket, 'open', T, "'open'");
      if (socket.transport.name !== 'websocket') await nextEvent(socket, 'upgrade', T, "'upgrade'");
      assert.equal(socket.transport.name, 'websocket');
      assert.equal(socket.transport.ws.extensions, 'permessage-deflate');
      for (const msg of ['hello', bigText(), 'bye']) {
        const echo = nextEvent(socket, 'message', T, 'echo');
        socket.send(msg);
        assert.equal((await echo)[0], msg);
      }
      const echo = nextEvent(socket, 'message', T, 'binary echo');
      const bin = bigBinary();
      socket.send(bin);
      assert.ok(Buffer.from((await echo)[0]).equals(bin));
    } finally {
      socket.close();
    }
  });
});

describe('without --per-message-deflate (the default)', () => {
  let server;
  before(async () => { server = await startServer({ 'max-payload': MAX_PAYLOAD }); });
  after(() => server?.stop());

  test('the extension is not negotiated and messages go uncompressed', async () => {
    const { ws, extensionsHeader, next } = await openWs(server, { perMessageDeflate: true });
    try {
      assert.equal(extensionsHeader, undefined);
      assert.equal(ws.extensions, '');
      const msg = '4' + bigText();
      const before = traffic(ws);
      ws.send(msg);
      assert.equal(await next('echo'), msg);
      assert.ok(traffic(ws).read - before.read > msg.length, 'uncompressed');
      const bin = bigBinary();
      ws.send(bin);
      assert.ok((await next('binary echo')).equals(bin));
    } finally {
      ws.terminate();
    }
  });

  test('the header is not even parsed: an invalid one does not matter', async () => {
    const c = await rawUpgrade(server, 'permessage-deflate; foo');
    try {
      assert.equal(c.status, 101);
      assert.equal(c.headers['sec-websocket-extensions'], undefined);
    } finally {
      c.sock?.destroy();
    }
  });

  test('a compressed frame is a protocol error → close code 1002', async () => {
    const c = await rawUpgrade(server, 'permessage-deflate');
    try {
      await c.nextFrame();  // open packet
      c.sendFrame(0x1, deflate('4hello'), { rsv1: true });
      assert.equal(closeCode(await c.nextFrame()), 1002);
    } finally {
      c.sock?.destroy();
    }
  });
});
