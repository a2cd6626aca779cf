// Operations and hardening: the reference's answers to hostile input that
// differed, health endpoints, Prometheus metrics (checked with promtool and
// parsed with python3-prometheus-client), the slow-consumer bound and the
// drain on SIGTERM, against the real sio-server.

import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { io } from 'socket.io-client';
import WebSocket from 'ws';
import { nextEvent, startServer, withTimeout } from './server.js';

const T = 5000;

function request(port, path, { method = 'GET', body, host = '127.0.0.1' } = {}) {
  return withTimeout(new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { 'Content-Length': Buffer.byteLength(body) };
    const req = http.request({ host, port, path, method, headers, agent: false }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { data += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: data }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  }), T, `${method} ${path}`);
}

/** The metrics page parsed by python3-prometheus-client: {name: [{labels, value}]}. */
function parseMetrics(text) {
  const script = `
import sys, json
from prometheus_client.parser import text_string_to_metric_families
out = {}
for family in text_string_to_metric_families(sys.stdin.read()):
    for s in family.samples:
        out.setdefault(s.name, []).append({"labels": s.labels, "value": s.value})
print(json.dumps(out))
`;
  const r = spawnSync('/usr/bin/python3', ['-c', script], { input: text, encoding: 'utf8', timeout: T });
  assert.equal(r.status, 0, `prometheus_client could not parse the page: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function value(metrics, name, labels = {}) {
  const samples = metrics[name] ?? [];
  const hit = samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  assert.ok(hit, `no sample ${name} ${JSON.stringify(labels)}`);
  return hit.value;
}

async function scrape(port) {
  const res = await request(port, '/metrics');
  assert.equal(res.status, 200);
  return { text: res.body, metrics: parseMetrics(res.body) };
}

/** Polls `check` (sync or async) until it returns true or `ms` pass. */
async function until(check, ms, what) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms: ${typeof what === 'function' ? what() : what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function connectClient(server, opts = {}) {
  const socket = io(server.url, { path: '/socket.io/', forceNew: true, reconnection: false,
                                  transports: ['websocket'], ...opts });
  return socket;
}

/**
 * `n` connected clients in the contract app's "room": how many `msg` each
 * got so far, and the reasons of any disconnect among them.
 */
async function roomMembers(server, n) {
  const members = Array.from({ length: n }, () => connectClient(server));
  await Promise.all(members.map((c) => nextEvent(c, 'connect', T, 'connect')));
  for (const c of members) assert.equal(await withTimeout(c.emitWithAck('join', 'room'), T, 'join'), true);
  const counts = members.map(() => 0);
  members.forEach((c, i) => c.on('msg', () => { counts[i] += 1; }));
  const lost = [];
  members.forEach((c) => c.on('disconnect', (reason) => lost.push(reason)));
  return { members, counts, lost };
}

/**
 * `sender` broadcasts `payload` to "room" (numbers `from` to `to` - 1) in
 * bursts of a hundred, each followed by a round trip, so that members in
 * this process read as they go. With `scrapeEvery`, the largest send-queue
 * gauge seen every that many broadcasts is returned.
 */
async function broadcastInBursts(server, sender, payload, from, to, scrapeEvery = 0) {
  let maxQueued = 0;
  for (let i = from; i < to; i++) {
    sender.emit('broadcast', 'room', payload);
    if (i % 100 === 99) await withTimeout(sender.emitWithAck('echo', i), 20000, 'echo between broadcasts');
    if (scrapeEvery && i % scrapeEvery === scrapeEvery - 1) {
      const m = (await scrape(server.port)).metrics;
      maxQueued = Math.max(maxQueued, value(m, 'socketio_send_queue_bytes'));
    }
  }
  return maxQueued;
}

describe('hostile input answered as the reference answers it', () => {
  let server;
  after(async () => { await server?.stop(); });

  test('a second polling POST while one is still being received gets 400 and ends the session', async () => {
    server = await startServer({ 'gateway-threads': 1 });
    const open = await request(server.port, '/engine.io/?EIO=4&transport=polling');
    assert.equal(open.status, 200);
    const sid = JSON.parse(open.body.slice(1)).sid;
    const target = `/engine.io/?EIO=4&transport=polling&sid=${sid}`;

    // The first POST: its head and part of its body.
    const first = net.connect(server.port, '127.0.0.1');
    await nextEvent(first, 'connect', T, 'first POST connection');
    first.write(`POST ${target} HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n` +
                'Content-Length: 20\r\n\r\n4hel');
    // A request on another connection is answered after the server has read
    // the bytes that came before it (one I/O thread).
    assert.equal((await request(server.port, '/nothing-here')).status, 404);

    const second = await request(server.port, target, { method: 'POST', body: '4hi' });
    assert.equal(second.status, 400);
    const later = await request(server.port, target);
    assert.equal(later.status, 400);
    assert.deepEqual(JSON.parse(later.body), { code: 1, message: 'Session ID unknown' });
    first.destroy();
  });

  test('a POST that arrives whole while no other is under way is still accepted', async () => {
    const open = await request(server.port, '/engine.io/?EIO=4&transport=polling');
    const sid = JSON.parse(open.body.slice(1)).sid;
    const target = `/engine.io/?EIO=4&transport=polling&sid=${sid}`;
    const res = await request(server.port, target, { method: 'POST', body: '4hi' });
    assert.equal(res.status, 200);
    assert.equal(res.body, 'ok');
    const echo = await request(server.port, target);
    assert.equal(echo.body, '4hi');
    await server.stop();
    server = null;
  });

  test('a BINARY_EVENT that declares 0 attachments closes the connection; others go on', async () => {
    server = await startServer({ app: 'contract', path: '/socket.io/' });
    const other = connectClient(server);
    await nextEvent(other, 'connect', T, 'other client connect');
    const raw = new WebSocket(`ws://127.0.0.1:${server.port}/socket.io/?EIO=4&transport=websocket`);
    const messages = [];
    raw.on('message', (d) => messages.push(d.toString()));
    const closed = new Promise((resolve) => raw.once('close', resolve));
    await nextEvent(raw, 'open', T, 'raw open');
    raw.send('40');
    await until(() => messages.some((m) => m.startsWith('40{')), T, 'the CONNECT answer');
    raw.send('450-["echo",1]');
    await withTimeout(closed, T, 'the server to close the connection');
    assert.ok(!messages.some((m) => m.startsWith('43')), 'no ack for the refused packet');
    assert.equal(await withTimeout(other.emitWithAck('echo', 'still here'), T, 'echo'), 'still here');
    other.disconnect();
    await server.stop();
    server = null;
  });
});

describe('health and metrics', () => {
  let server;
  after(async () => { await server?.stop(); });

  test('/livez and /readyz answer 200 while serving', async () => {
    server = await startServer({ app: 'contract', path: '/socket.io/', 'metrics-listen': '127.0.0.1:0' });
    for (const path of ['/livez', '/readyz']) {
      const res = await request(server.port, path);
      assert.equal(res.status, 200, path);
      assert.equal(res.body, 'ok\n');
    }
  });

  test('/metrics passes promtool and counts what happened', async () => {
    const clients = [connectClient(server), connectClient(server), connectClient(server, { transports: ['polling'] })];
    await Promise.all(clients.map((c) => nextEvent(c, 'connect', T, 'connect')));
    for (let i = 0; i < 5; i++) await withTimeout(clients[0].emitWithAck('echo', i), T, 'echo');
    const { text, metrics } = await scrape(server.port);

    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: T });
    assert.equal(check.status, 0, `promtool check metrics: ${check.stdout}${check.stderr}`);

    assert.equal(value(metrics, 'socketio_engine_connections', { transport: 'websocket' }), 2);
    assert.equal(value(metrics, 'socketio_engine_connections', { transport: 'polling' }), 1);
    assert.equal(value(metrics, 'socketio_sockets', { namespace: '/' }), 3);
    assert.ok(value(metrics, 'socketio_events_received_total') >= 5);
    assert.ok(value(metrics, 'socketio_acks_sent_total') >= 5);
    assert.ok(value(metrics, 'socketio_frames_written_total') >= value(metrics, 'socketio_writes_total'));
    assert.ok(value(metrics, 'process_resident_memory_bytes') > 0);
    assert.ok(value(metrics, 'process_open_fds') > 0);

    for (const c of clients) c.disconnect();
    await until(async () => {
      const m = (await scrape(server.port)).metrics;
      return value(m, 'socketio_sockets', { namespace: '/' }) === 0 &&
             value(m, 'socketio_connections_closed_total', { reason: 'transport_close' }) === 3;
    }, T, 'the sockets to be gone from the metrics');
  });

  test('the separate metrics listener serves the operations endpoints only', async () => {
    const match = /metrics on http:\/\/[^:]+:(\d+)\/metrics/.exec(server.output());
    assert.ok(match, server.output());
    const port = Number(match[1]);
    assert.notEqual(port, server.port);
    const res = await request(port, '/metrics');
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/);
    parseMetrics(res.body);
    assert.equal((await request(port, '/livez')).status, 200);
    assert.equal((await request(port, '/socket.io/?EIO=4&transport=polling')).status, 404);
  });

  test('on SIGTERM /readyz answers 503 at once while clients are still served', async () => {
    await server.stop();
    server = await startServer({ app: 'contract', path: '/socket.io/', 'pre-stop-delay': 3000 },
                               { stopTimeoutMs: 8000 });
    const client = connectClient(server);
    await nextEvent(client, 'connect', T, 'connect');
    process.kill(server.pid, 'SIGTERM');
    await until(async () => (await request(server.port, '/readyz')).status === 503, T,
                '/readyz to answer 503');
    assert.equal(await withTimeout(client.emitWithAck('echo', 'during the delay'), T, 'echo'), 'during the delay');
    const [reason] = await nextEvent(client, 'disconnect', 8000, 'the drain to close the client');
    assert.equal(reason, 'transport close');
    await withTimeout(server.exited, 8000, 'the server to exit');
    server = null;
  });
});

describe('bounded memory per client', () => {
  let server;
  after(async () => { await server?.stop(); });

  test('a client that stops reading is disconnected as a slow consumer; the others get everything', async () => {
    const limit = 4 * 1024 * 1024;
    server = await startServer({ app: 'contract', path: '/socket.io/', 'send-queue-limit': limit });
    const N = 10000;
    const payload = 'x'.repeat(4000);

    const { members, counts, lost } = await roomMembers(server, 3);

    // The slow one: a raw WebSocket that joins, then stops reading.
    const slow = new WebSocket(`ws://127.0.0.1:${server.port}/socket.io/?EIO=4&transport=websocket`);
    const slowMessages = [];
    slow.on('message', (d) => { if (slowMessages.length < 10) slowMessages.push(d.toString()); });
    const slowClosed = new Promise((resolve) => slow.once('close', resolve));
    await nextEvent(slow, 'open', T, 'slow client open');
    slow.send('40');
    await until(() => slowMessages.some((m) => m.startsWith('40{')), T, 'the slow client CONNECT');
    slow.send('421["join","room"]');
    await until(() => slowMessages.some((m) => m === '431[true]'), T, 'the slow client join ack');
    slow._socket.pause();

    // The members read as they go while the slow one reads nothing.
    const maxQueued = await broadcastInBursts(server, members[0], payload, 0, N, 1000);
    await until(() => counts.every((n) => n === N), 30000, () => `every member to get ${N} (got ${counts})`);
    assert.deepEqual(lost, []);
    const { metrics } = await scrape(server.port);
    assert.equal(value(metrics, 'socketio_connections_closed_total', { reason: 'slow_consumer' }), 1);
    // The bound holds: the gauge sums every client's queue, the slow one's
    // never past the limit by more than one burst.
    assert.ok(maxQueued <= 2 * limit, `send queues reached ${maxQueued} bytes`);
    assert.equal(value(metrics, 'socketio_engine_connections', { transport: 'websocket' }), 3);
    slow._socket.resume();
    await withTimeout(slowClosed, T, 'the slow client to see its connection closed');
    for (const c of members) c.disconnect();
  });

  test('a plain WebSocket client that stops reading is disconnected as a slow consumer too', async () => {
    await server?.stop();
    const limit = 1024 * 1024;
    server = await startServer({ app: 'contract', path: '/socket.io/', 'ws-path': '/ws',
      'send-queue-limit': limit });
    const N = 3000;
    const payload = 'x'.repeat(4000);
    const { members, counts, lost } = await roomMembers(server, 2);

    // The contract app puts a plain client into the room its query names.
    const slow = new WebSocket(`ws://127.0.0.1:${server.port}/ws?join=room`);
    const slowClosed = new Promise((resolve) => slow.once('close', (code) => resolve(code)));
    const greeted = nextEvent(slow, 'message', T, 'the plain client greeting');
    await nextEvent(slow, 'open', T, 'plain client open');
    await greeted;
    await until(async () => await withTimeout(members[0].emitWithAck('room-size', 'room'), T, 'room-size') === 3,
      T, 'the plain client in the room');
    slow._socket.pause();

    await broadcastInBursts(server, members[0], payload, 0, N);
    await until(() => counts.every((n) => n === N), 30000, () => `every member to get ${N} (got ${counts})`);
    assert.deepEqual(lost, []);
    const { metrics } = await scrape(server.port);
    assert.equal(value(metrics, 'socketio_connections_closed_total', { reason: 'slow_consumer' }), 1);
    slow._socket.resume();
    await withTimeout(slowClosed, T, 'the plain client to see its connection closed');
    for (const c of members) c.disconnect();
  });
});

/** A raw WebSocket socket in `room` that then stops reading: {ws, closed}. */
async function pausedMember(server, room) {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/socket.io/?EIO=4&transport=websocket`);
  const seen = [];
  ws.on('message', (d) => { if (seen.length < 10) seen.push(d.toString()); });
  const closed = new Promise((resolve) => ws.once('close', resolve));
  await nextEvent(ws, 'open', T, 'paused client open');
  ws.send('40');
  await until(() => seen.some((m) => m.startsWith('40{')), T, 'the paused client CONNECT');
  ws.send(`421["join","${room}"]`);
  await until(() => seen.some((m) => m === '431[true]'), T, 'the paused client join ack');
  ws._socket.pause();
  return { ws, closed };
}

describe('a memory budget over all send queues', () => {
  let server;
  after(async () => { await server?.stop(); });

  test('paused clients that pass the budget together, each under its own bound, are disconnected; the others get everything', async () => {
    const budget = 3 * 1024 * 1024;
    const ownBound = 64 * 1024 * 1024;  // never reached: only the budget can act
    server = await startServer({ app: 'contract', path: '/socket.io/', 'send-queue-limit': ownBound,
                                 'max-total-buffered': budget });
    const N = 10000;
    const payload = 'x'.repeat(4000);

    const { members, counts, lost } = await roomMembers(server, 2);
    const paused = [];
    for (let i = 0; i < 3; i++) paused.push(await pausedMember(server, 'room'));

    const maxQueued = await broadcastInBursts(server, members[0], payload, 0, N, 200);
    await until(() => counts.every((n) => n === N), 30000, () => `every member to get ${N} (got ${counts})`);
    assert.deepEqual(lost, []);
    const { metrics } = await scrape(server.port);
    assert.equal(value(metrics, 'socketio_send_queue_budget_bytes'), budget);
    assert.equal(value(metrics, 'socketio_send_queue_budget_closes_total'), 3);
    assert.equal(value(metrics, 'socketio_connections_closed_total', { reason: 'slow_consumer' }), 3);
    assert.equal(value(metrics, 'socketio_engine_connections', { transport: 'websocket' }), 2);
    // The budget holds: all queues together never past it by more than a burst
    // (100 broadcasts to each paused client) and the threads' unpublished bytes.
    assert.ok(maxQueued <= budget + 3 * 100 * 4100 + 4 * 65536, `send queues reached ${maxQueued} bytes`);
    for (const p of paused) {
      p.ws._socket.resume();
      await withTimeout(p.closed, T, 'a paused client to see its connection closed');
    }
    for (const c of members) c.disconnect();
  });
});

describe('a memory budget that counts polling clients too', () => {
  let server;
  after(async () => { await server?.stop(); });

  test('a polling client that stops fetching counts toward the budget and is disconnected past it; the others get everything', async () => {
    const budget = 1024 * 1024;  // the polling client's own bound (16 MiB) is never reached
    server = await startServer({ app: 'contract', path: '/socket.io/', 'max-total-buffered': budget });
    const target = (sid) => `/socket.io/?EIO=4&transport=polling&sid=${sid}`;
    // A raw polling client: it joins the room, then fetches nothing more.
    const open = await request(server.port, '/socket.io/?EIO=4&transport=polling');
    assert.equal(open.status, 200);
    const sid = JSON.parse(open.body.slice(1)).sid;
    assert.equal((await request(server.port, target(sid), { method: 'POST', body: '40' })).body, 'ok');
    assert.match((await request(server.port, target(sid))).body, /^40\{/);
    assert.equal((await request(server.port, target(sid), { method: 'POST', body: '421["join","room"]' })).body, 'ok');
    assert.equal((await request(server.port, target(sid))).body, '431[true]');

    const { members, counts, lost } = await roomMembers(server, 2);
    const payload = 'x'.repeat(4000);
    const sender = members[0];

    // Under the budget: the unfetched packets show in the send-queue gauge.
    for (let i = 0; i < 10; i++) sender.emit('broadcast', 'room', payload);
    await until(() => counts.every((n) => n === 10), T, 'the members to get the first 10');
    await until(async () => value((await scrape(server.port)).metrics, 'socketio_send_queue_bytes') >= 10 * 4000,
                T, 'the polling outbox to count in socketio_send_queue_bytes');
    let m = (await scrape(server.port)).metrics;
    assert.equal(value(m, 'socketio_engine_connections', { transport: 'polling' }), 1);
    assert.equal(value(m, 'socketio_send_queue_budget_closes_total'), 0);

    // Past it: the polling client goes as a slow consumer, its queue freed.
    const N = 1000;
    await broadcastInBursts(server, sender, payload, 10, N);
    await until(() => counts.every((n) => n === N), 30000, () => `every member to get ${N} (got ${counts})`);
    assert.deepEqual(lost, []);
    await until(async () => value((await scrape(server.port)).metrics, 'socketio_engine_connections',
                                  { transport: 'polling' }) === 0, T, 'the polling client to be closed');
    m = (await scrape(server.port)).metrics;
    assert.equal(value(m, 'socketio_send_queue_budget_closes_total'), 1);
    assert.equal(value(m, 'socketio_connections_closed_total', { reason: 'slow_consumer' }), 1);
    assert.ok(value(m, 'socketio_send_queue_bytes') < 64 * 1024, 'the polling queue freed');
    assert.equal((await request(server.port, target(sid))).status, 400);
    for (const c of members) c.disconnect();
  });
});

/** A raw HTTP/1.1 request from `localAddress`: {status, headers, body}. */
function requestFrom(localAddress, port, path, headers = {}) {
  return withTimeout(new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, localAddress, headers, agent: false }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { data += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: data }));
    });
    req.on('error', reject);
    req.end();
  }), T, `GET ${path} from ${localAddress}`);
}

/** An open TCP connection from `localAddress`, idle. */
async function holdConnection(port, localAddress = '127.0.0.1') {
  const s = net.connect({ host: '127.0.0.1', port, localAddress });
  await nextEvent(s, 'connect', T, `connection from ${localAddress}`);
  return s;
}

const HANDSHAKE = '/engine.io/?EIO=4&transport=polling';

describe('limits', () => {
  let server;
  after(async () => { await server?.stop(); });

  test('past --max-connections a new client gets 503 with Retry-After; a freed place is taken again', async () => {
    server = await startServer({ 'max-connections': 3 });
    const held = [await holdConnection(server.port), await holdConnection(server.port),
                  await holdConnection(server.port)];
    const refused = await requestFrom('127.0.0.1', server.port, HANDSHAKE);
    assert.equal(refused.status, 503);
    assert.equal(refused.headers['retry-after'], '1');
    held.pop().destroy();
    await until(async () => (await requestFrom('127.0.0.1', server.port, HANDSHAKE)).status === 200, T,
                'a place to be free again');
    for (const s of held) s.destroy();
    const { metrics } = await scrape(server.port);
    assert.ok(value(metrics, 'socketio_handshake_rejections_total', { reason: 'max_connections' }) >= 1);
    await server.stop();
    server = null;
  });

  test('a connection flood from one address is refused with 429; other addresses are served', async () => {
    server = await startServer({ 'max-connections-per-ip': 5 });
    const flood = [];
    for (let i = 0; i < 5; i++) flood.push(await holdConnection(server.port, '127.0.0.2'));
    const refused = await Promise.all([1, 2, 3].map(() => requestFrom('127.0.0.2', server.port, HANDSHAKE)));
    for (const r of refused) assert.equal(r.status, 429);
    for (const from of ['127.0.0.3', '127.0.0.4']) {
      const ok = await requestFrom(from, server.port, HANDSHAKE);
      assert.equal(ok.status, 200, from);
    }
    for (const s of flood) s.destroy();
    await server.stop();
    server = null;
  });

  test('the handshake rate holds over time, per address', async () => {
    const rate = 20;
    const burst = 5;
    server = await startServer({ 'handshake-rate': rate, 'handshake-burst': burst });
    const t0 = Date.now();
    const accepted = [];
    let refused = 0;
    while (Date.now() - t0 < 2000) {
      const r = await requestFrom('127.0.0.5', server.port, HANDSHAKE);
      if (r.status === 200) accepted.push(Date.now() - t0);
      else {
        assert.equal(r.status, 429);
        refused += 1;
      }
    }
    const elapsed = (Date.now() - t0) / 1000;
    assert.ok(refused > 0, 'the flood was never refused');
    // The burst, then the sustained rate: over the last 1.5 s about rate * 1.5.
    const late = accepted.filter((t) => t >= 500).length;
    assert.ok(late >= rate * 1.5 * 0.7 && late <= rate * 1.5 * 1.3 + 1,
              `${late} handshakes accepted in the last 1.5 s, want about ${rate * 1.5}`);
    assert.ok(accepted.length <= burst + rate * elapsed + 1, `${accepted.length} accepted in all`);
    // Another address is not held back by the flood.
    assert.equal((await requestFrom('127.0.0.6', server.port, HANDSHAKE)).status, 200);
    await server.stop();
    server = null;
  });

  test('X-Forwarded-For counts only from a trusted proxy', async () => {
    server = await startServer({ 'handshake-rate': 0.5, 'handshake-burst': 1, 'trusted-proxy': '127.0.0.7' });
    const via = (from, xff) => requestFrom(from, server.port, HANDSHAKE, { 'X-Forwarded-For': xff });
    // Through the trusted proxy each client has its own budget.
    assert.equal((await via('127.0.0.7', '10.0.0.1')).status, 200);
    assert.equal((await via('127.0.0.7', '10.0.0.1')).status, 429);
    assert.equal((await via('127.0.0.7', '10.0.0.2')).status, 200);
    assert.equal((await via('127.0.0.7', '10.9.9.9, 10.0.0.3')).status, 200);
    // From anyone else the header is ignored: the real address counts.
    assert.equal((await via('127.0.0.8', '10.0.0.4')).status, 200);
    assert.equal((await via('127.0.0.8', '10.0.0.5')).status, 429);
    await server.stop();
    server = null;
  });

  test('--max-namespaces refuses one namespace too many with CONNECT_ERROR', async () => {
    server = await startServer({ app: 'contract', path: '/socket.io/', 'max-namespaces': 1 });
    const main = connectClient(server);
    await nextEvent(main, 'connect', T, 'connect /');
    const custom = main.io.socket('/custom');
    const [err] = await nextEvent(custom, 'connect_error', T, 'connect_error on /custom');
    assert.equal(err.message, 'Too many namespaces');
    assert.equal(main.connected, true);
    main.disconnect();
    await server.stop();
    server = null;
  });

  test('a binary packet whose attachments never arrive closes its connection', async () => {
    server = await startServer({ app: 'contract', path: '/socket.io/', 'ping-interval': 200,
                                 'ping-timeout': 5000, 'binary-timeout': 300 });
    const open = async () => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/socket.io/?EIO=4&transport=websocket`);
      const messages = [];
      ws.on('message', (d) => {
        const m = d.toString();
        if (m === '2') ws.send('3');
        else messages.push(m);
      });
      let isClosed = false;
      const closed = new Promise((resolve) => ws.once('close', () => { isClosed = true; resolve(); }));
      await nextEvent(ws, 'open', T, 'open');
      ws.send('40');
      await until(() => messages.some((m) => m.startsWith('40{')), T, 'CONNECT answer');
      return { ws, closed, isClosed: () => isClosed };
    };
    const half = await open();
    const whole = await open();
    half.ws.send('451-["echo",{"_placeholder":true,"num":0}]');
    await withTimeout(half.closed, T, 'the half-sent packet to close its connection');
    assert.equal(whole.isClosed(), false, 'a connection that sent nothing half was closed too');
    whole.ws.close();
    await server.stop();
    server = null;
  });

  test('an event flood from one socket is held to its rate over time; another socket is not held back', async () => {
    const rate = 200;
    const burst = 50;
    server = await startServer({ app: 'contract', path: '/socket.io/',
                                 'max-events-per-second': rate, 'event-burst': burst });
    const flooder = connectClient(server);
    const other = connectClient(server);
    await Promise.all([flooder, other].map((c) => nextEvent(c, 'connect', T, 'connect')));
    const lost = [];
    for (const c of [flooder, other]) c.on('disconnect', (reason) => lost.push(reason));

    // Ten times the rate for two seconds, each event asking for an ack; the
    // other socket meanwhile makes a round trip every 20 ms, a quarter of the
    // rate, and must get every answer.
    let sent = 0;
    const answered = [];
    const t0 = Date.now();
    const flood = (async () => {
      while (Date.now() - t0 < 2000) {
        for (let i = 0; i < 20; i++) {
          sent += 1;
          flooder.emit('echo', sent, () => answered.push(Date.now() - t0));
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    let otherAnswers = 0;
    const calm = (async () => {
      while (Date.now() - t0 < 2000) {
        assert.equal(await withTimeout(other.emitWithAck('echo', otherAnswers), T, 'the other socket'), otherAnswers);
        otherAnswers += 1;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await Promise.all([flood, calm]);
    const elapsed = (Date.now() - t0) / 1000;

    // Every event is either answered or counted as dropped.
    let limited = 0;
    await until(async () => {
      limited = value((await scrape(server.port)).metrics, 'socketio_events_rate_limited_total');
      return limited + answered.length === sent;
    }, T, () => `answers (${answered.length}) and drops (${limited}) to add up to ${sent}`);
    assert.ok(limited > 0, 'the flood was never limited');
    // The burst, then the sustained rate: after the first half second about
    // rate per second, not only a burst's worth at the start.
    const late = answered.filter((t) => t >= 500 && t < 2000).length;
    assert.ok(late >= rate * 1.5 * 0.7 && late <= rate * 1.5 * 1.3 + 1,
              `${late} events answered between 0.5 s and 2 s, want about ${rate * 1.5}`);
    assert.ok(answered.length <= burst + rate * (elapsed + 0.5), `${answered.length} answered in all`);
    assert.ok(otherAnswers >= 20, `the other socket made only ${otherAnswers} round trips in 2 s`);
    assert.deepEqual(lost, []);
    // The flooder keeps its connection and is served again once it slows down.
    await until(async () => {
      try {
        return (await flooder.timeout(300).emitWithAck('echo', 'again')) === 'again';
      } catch {
        return false;
      }
    }, T, 'the flooder to be answered again');
    for (const c of [flooder, other]) c.disconnect();
    await server.stop();
    server = null;
  });
});

describe('logs', () => {
  let server;
  after(async () => { await server?.stop(); });

  test('at debug level every session end is logged with its reason', async () => {
    server = await startServer({ app: 'contract', path: '/socket.io/', 'log-level': 'debug',
                                 'log-format': 'json', 'ping-interval': 300, 'ping-timeout': 300 });
    const closes = () => server.output().split('\n')
      .filter((l) => l.startsWith('{') && l.includes('"session_closed"'))
      .map((l) => JSON.parse(l));
    // A raw WebSocket client: its sid from the open packet; it answers pings
    // only while `answering`.
    const raw = async () => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.port}/socket.io/?EIO=4&transport=websocket`);
      const state = { ws, sid: null, answering: true };
      ws.on('message', (d) => {
        const m = d.toString();
        if (m.startsWith('0{')) state.sid = JSON.parse(m.slice(1)).sid;
        if (m === '2' && state.answering) ws.send('3');
      });
      state.closed = new Promise((resolve) => ws.once('close', resolve));
      await nextEvent(ws, 'open', T, 'open');
      await until(() => state.sid !== null, T, 'the open packet');
      return state;
    };

    const leaving = connectClient(server);
    const polling = connectClient(server, { transports: ['polling'] });
    await Promise.all([leaving, polling].map((c) => nextEvent(c, 'connect', T, 'connect')));
    const leavingSid = leaving.io.engine.id;
    const pollingSid = polling.io.engine.id;
    const silent = await raw();
    const garbled = await raw();

    leaving.disconnect();
    polling.disconnect();
    silent.answering = false;
    garbled.ws.send('9 not an Engine.IO packet');
    await withTimeout(Promise.all([silent.closed, garbled.closed]), T, 'the raw clients to be closed');

    const want = [[leavingSid, 'transport close', 'websocket'], [pollingSid, 'transport close', 'polling'],
                  [silent.sid, 'ping timeout', 'websocket'], [garbled.sid, 'parse error', 'websocket']];
    await until(() => want.every(([sid]) => closes().some((c) => c.sid === sid)), T,
                () => `a session_closed line for each session; got ${JSON.stringify(closes())}`);
    for (const [sid, reason, transport] of want) {
      const line = closes().find((c) => c.sid === sid);
      assert.equal(line.level, 'debug');
      assert.equal(line.reason, reason, sid);
      assert.equal(line.transport, transport, sid);
      assert.equal(line.address, '127.0.0.1');
    }
    await server.stop();
    server = null;
  });

  test('at debug level every socket that leaves a namespace is logged with its reason', async () => {
    server = await startServer({ app: 'features', path: '/socket.io/', 'log-level': 'debug',
                                 'log-format': 'json' });
    const closes = () => server.output().split('\n')
      .filter((l) => l.startsWith('{') && l.includes('"socket_closed"'))
      .map((l) => JSON.parse(l));
    const served = connectClient(server);         // the server disconnects it
    const leaving = io(`${server.url}/dyn-7`, { path: '/socket.io/', forceNew: true,
                                                reconnection: false, transports: ['websocket'] });
    const cut = connectClient(server);            // its transport closes under it
    await Promise.all([served, leaving, cut].map((c) => nextEvent(c, 'connect', T, 'connect')));
    const want = [[served, '/', 'server namespace disconnect'],
                  [leaving, '/dyn-7', 'client namespace disconnect'],
                  [cut, '/', 'transport close']].map(([c, nsp, reason]) =>
      ({ sid: c.io.engine.id, socket: c.id, nsp, reason }));

    const gone = nextEvent(served, 'disconnect', T, 'the server to disconnect its socket');
    served.emit('disconnect-me');
    assert.equal((await gone)[0], 'io server disconnect');
    leaving.disconnect();
    cut.io.engine.close();

    await until(() => want.every((w) => closes().some((c) => c.socket === w.socket)), T,
                () => `a socket_closed line for each socket; got ${JSON.stringify(closes())}`);
    for (const w of want) {
      const lines = closes().filter((c) => c.socket === w.socket);
      assert.equal(lines.length, 1, `one line for ${w.socket}`);
      assert.equal(lines[0].level, 'debug');
      assert.deepEqual({ sid: lines[0].sid, socket: lines[0].socket, nsp: lines[0].nsp, reason: lines[0].reason }, w);
    }
    await server.stop();
    server = null;
  });

  test('at info level session ends are not logged', async () => {
    server = await startServer({ app: 'contract', path: '/socket.io/', 'log-format': 'json' });
    const c = connectClient(server);
    await nextEvent(c, 'connect', T, 'connect');
    c.disconnect();
    const { code } = await server.stop().then(() => server.exited);
    assert.equal(code, 0);
    assert.doesNotMatch(server.output(), /session_closed/);
    assert.doesNotMatch(server.output(), /socket_closed/);
    assert.match(server.output(), /"event":"stopped"/);
    server = null;
  });
});
