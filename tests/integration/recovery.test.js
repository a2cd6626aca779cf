// Integration tests: connection state recovery of the real sio-server (app
// "recovery", examples/recovery, which runs with --recovery). The first part
// ports socket.io's own server tests (test/connection-state-recovery.ts) with
// raw Engine.IO polling requests; the rest drives npm's socket.io-client through
// real network failures: a killed TCP connection, a ping timeout, a closed
// transport, over polling and over WebSocket, with events sent while the client
// was away. Bad input (forged or reused pids, offsets never issued, another
// namespace, a flood of random pids) gets a fresh socket and touches nobody.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { io } from 'socket.io-client';
import { nextEvent, startServer, stopClientsAndServer, withTimeout } from './server.js';

const PATH = '/socket.io/';
const T = 5000; // bound for one exchange
const SEP = '\x1e';
// Raw polling sessions the tests leave open cannot be told that the server
// stops: it cuts them off at once rather than after the default 10 s.
const QUICK_STOP = { 'shutdown-timeout': 200 };

// -- raw Engine.IO over polling, as socket.io's test/support/util.ts ------------

async function req(server, query, init = {}) {
  const url = `${server.url}${PATH}?EIO=4&transport=polling${query}`;
  const res = await withTimeout(fetch(url, { signal: AbortSignal.timeout(T), ...init }), T + 500,
                                `${init.method ?? 'GET'} ${url}`);
  const body = await res.text();
  assert.equal(res.status, 200, body);
  return body;
}

async function eioHandshake(server) {
  const body = await req(server, '');
  return JSON.parse(body.slice(1)).sid;
}

const eioPush = (server, sid, body) => req(server, `&sid=${sid}`, { method: 'POST', body });
const eioPoll = (server, sid) => req(server, `&sid=${sid}`);

/** Polls until a packet starting with `prefix` arrived; returns every packet so far. */
async function pollUntil(server, sid, prefix) {
  const packets = [];
  while (!packets.some((p) => p.startsWith(prefix))) {
    for (const p of (await eioPoll(server, sid)).split(SEP)) if (p !== '6') packets.push(p);
  }
  return packets;
}

/** A raw client's ack'ed event: its reply (the first argument). */
async function rawAck(server, sid, nsp, id, event, ...args) {
  const prefix = nsp === '/' ? '' : `${nsp},`;
  await eioPush(server, sid, `42${prefix}${id}${JSON.stringify([event, ...args])}`);
  const packets = await pollUntil(server, sid, `43${prefix}${id}`);
  const reply = packets.find((p) => p.startsWith(`43${prefix}${id}`));
  return JSON.parse(reply.slice(`43${prefix}${id}`.length))[0];
}

// -- clients -------------------------------------------------------------------

function context() {
  const ctx = { server: null, clients: new Set() };
  ctx.client = (nsp = '/', opts = {}) => {
    const socket = io(`${ctx.server.url}${nsp}`, {
      path: PATH, forceNew: true, reconnectionDelay: 50, reconnectionDelayMax: 50, ...opts,
    });
    ctx.clients.add(socket);
    return socket;
  };
  ctx.connected = async (nsp = '/', opts = {}) => {
    const socket = ctx.client(nsp, opts);
    await nextEvent(socket, 'connect', T, `connect of ${nsp}`);
    return socket;
  };
  /** The server-side state of `socket`. */
  ctx.state = (socket) => withTimeout(socket.emitWithAck('state'), T, 'state');
  /** Has the server broadcast `event` (to `room`, or to everyone) and waits for its ack. */
  ctx.broadcast = (control, room, event) =>
    withTimeout(control.emitWithAck('broadcast', room, event), T, `broadcast ${event}`);
  return ctx;
}

/** The reference's init(): a raw client connects, gets one event, closes. */
async function init(ctx, control) {
  const sid = await eioHandshake(ctx.server);
  await eioPush(ctx.server, sid, '40');
  const [handshakeBody] = await pollUntil(ctx.server, sid, '40');
  const handshake = JSON.parse(handshakeBody.slice(2));
  assert.ok(handshake.sid);
  assert.ok(handshake.pid, 'the handshake carries a private session id');
  const hello = ctx.broadcast(control, null, 'hello');
  const message = (await pollUntil(ctx.server, sid, '42["hello"')).find((p) => p.startsWith('42["hello"'));
  await hello;
  const data = JSON.parse(message.slice(2));
  const offset = data[1];
  assert.equal(typeof offset, 'string', 'each event carries an offset as its last argument');
  await eioPush(ctx.server, sid, '1');
  return [handshake.sid, handshake.pid, offset];
}

/** Records every event of `socket` (name and args, offset stripped) from now on. */
function recordAll(socket) {
  const events = [];
  socket.onAny((name, ...args) => events.push([name, ...args.slice(0, -1)]));
  return events;
}

async function waitFor(cond, what) {
  const deadline = Date.now() + T;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

// -- socket.io's connection-state-recovery.ts ------------------------------------

describe('connection state recovery (socket.io server tests)', () => {
  const ctx = context();
  let control;
  before(async () => {
    ctx.server = await startServer({ app: 'recovery', path: PATH, ...QUICK_STOP });
    control = await ctx.connected('/', { reconnection: false });
  });
  after(() => stopClientsAndServer(ctx.server, ctx.clients));

  test('restores the session and the missed packets', async () => {
    const [sid, pid, offset] = await init(ctx, control);
    await ctx.broadcast(control, null, 'hello1');
    await ctx.broadcast(control, 'room1', 'hello2');
    const newSid = await eioHandshake(ctx.server);
    await eioPush(ctx.server, newSid, `40{"pid":"${pid}","offset":"${offset}"}`);
    const packets = await pollUntil(ctx.server, newSid, '40');
    // The reference's third packet is a socket.emit() made after the client
    // went; the app makes it in its disconnect handler, so it comes first.
    assert.equal(packets.length, 4, packets.join(' | '));
    assert.ok(packets[0].startsWith('42["missed-direct"'), packets[0]);
    assert.ok(packets[1].startsWith('42["hello1"'), packets[1]);
    assert.ok(packets[2].startsWith('42["hello2"'), packets[2]);
    assert.equal(packets[3], `40{"sid":"${sid}","pid":"${pid}"}`);
  });

  test('restores rooms and data attributes', async () => {
    const [sid, pid, offset] = await init(ctx, control);
    const newSid = await eioHandshake(ctx.server);
    await eioPush(ctx.server, newSid, `40{"pid":"${pid}","offset":"${offset}"}`);
    await pollUntil(ctx.server, newSid, '40');
    const state = await rawAck(ctx.server, newSid, '/', 1, 'state');
    assert.equal(state.id, sid);
    assert.equal(state.recovered, true);
    assert.deepEqual(state.rooms.sort(), [sid, 'room1'].sort());
    assert.equal(state.data.foo, 'bar');
  });

  test('does not run middlewares upon recovery by default', async () => {
    const [, pid, offset] = await init(ctx, control);
    const newSid = await eioHandshake(ctx.server);
    await eioPush(ctx.server, newSid, `40{"pid":"${pid}","offset":"${offset}"}`);
    await pollUntil(ctx.server, newSid, '40');
    const state = await rawAck(ctx.server, newSid, '/', 1, 'state');
    assert.equal(state.recovered, true);
    assert.equal(state.data.middleware_runs, 1, 'only on the first connection');
  });

  test('fails to restore an unknown session', async () => {
    const sid = await eioHandshake(ctx.server);
    await eioPush(ctx.server, sid, '40{"pid":"foo","offset":"bar"}');
    const [body] = await pollUntil(ctx.server, sid, '40');
    const handshake = JSON.parse(body.slice(2));
    assert.notEqual(handshake.sid, 'foo');
    assert.ok(handshake.pid);
    assert.notEqual(handshake.pid, 'foo');
    const state = await rawAck(ctx.server, sid, '/', 1, 'state');
    assert.equal(state.recovered, false);
  });

  // Better than the reference, which needs an offset it still holds.
  test('recovers a client that got no event before it went', async () => {
    const sid = await eioHandshake(ctx.server);
    await eioPush(ctx.server, sid, '40');
    const [body] = await pollUntil(ctx.server, sid, '40');
    const { sid: socketId, pid } = JSON.parse(body.slice(2));
    await eioPush(ctx.server, sid, '1');
    await ctx.broadcast(control, 'room1', 'while-away');
    const newSid = await eioHandshake(ctx.server);
    await eioPush(ctx.server, newSid, `40{"pid":"${pid}"}`);
    const packets = await pollUntil(ctx.server, newSid, '40');
    assert.equal(packets.at(-1), `40{"sid":"${socketId}","pid":"${pid}"}`);
    assert.ok(packets.some((p) => p.startsWith('42["while-away"')), packets.join(' | '));
  });

  test('restores a session at most once: a second CONNECT with its pid is a fresh socket', async () => {
    const [sid, pid, offset] = await init(ctx, control);
    const first = await eioHandshake(ctx.server);
    const second = await eioHandshake(ctx.server);
    // Both at once, as a pid reused on two connections.
    await Promise.all([
      eioPush(ctx.server, first, `40{"pid":"${pid}","offset":"${offset}"}`),
      eioPush(ctx.server, second, `40{"pid":"${pid}","offset":"${offset}"}`),
    ]);
    const answers = await Promise.all([first, second].map(async (s) => {
      const packets = await pollUntil(ctx.server, s, '40');
      return JSON.parse(packets.at(-1).slice(2));
    }));
    const restored = answers.filter((a) => a.sid === sid);
    assert.equal(restored.length, 1, JSON.stringify(answers));
    const fresh = answers.find((a) => a.sid !== sid);
    assert.notEqual(fresh.pid, pid);
  });

  test('a recovery CONNECT on another namespace is a fresh socket there', async () => {
    const [sid, pid, offset] = await init(ctx, control);
    const newSid = await eioHandshake(ctx.server);
    await eioPush(ctx.server, newSid, `40/other,{"pid":"${pid}","offset":"${offset}"}`);
    const packets = await pollUntil(ctx.server, newSid, '40/other,');
    const handshake = JSON.parse(packets.at(-1).slice('40/other,'.length));
    assert.notEqual(handshake.sid, sid);
    assert.notEqual(handshake.pid, pid);
    // The session is still there for its own namespace.
    const back = await eioHandshake(ctx.server);
    await eioPush(ctx.server, back, `40{"pid":"${pid}","offset":"${offset}"}`);
    const again = await pollUntil(ctx.server, back, '40');
    assert.equal(again.at(-1), `40{"sid":"${sid}","pid":"${pid}"}`);
  });

  test('forged or stale offsets and pids get a fresh socket and touch no session', async () => {
    const [sid, pid, offset] = await init(ctx, control);
    for (const auth of [
      { pid, offset: '99999999999999999' }, // never issued
      { pid, offset: 'not-an-offset' },
      { pid, offset: 12 }, // not a string
      { pid: 'a'.repeat(20), offset },
      { pid: 42, offset },
    ]) {
      const s = await eioHandshake(ctx.server);
      await eioPush(ctx.server, s, `40${JSON.stringify(auth)}`);
      const packets = await pollUntil(ctx.server, s, '40');
      const handshake = JSON.parse(packets.at(-1).slice(2));
      assert.notEqual(handshake.sid, sid, JSON.stringify(auth));
      assert.ok(!packets.some((p) => p.startsWith('42')), `nothing replayed for ${JSON.stringify(auth)}`);
    }
    const back = await eioHandshake(ctx.server);
    await eioPush(ctx.server, back, `40{"pid":"${pid}","offset":"${offset}"}`);
    assert.equal((await pollUntil(ctx.server, back, '40')).at(-1), `40{"sid":"${sid}","pid":"${pid}"}`);
  });

  test('a flood of reconnects with random pids gets fresh sockets and keeps the server whole', async () => {
    const [sid, pid, offset] = await init(ctx, control);
    await Promise.all(Array.from({ length: 50 }, async (_, i) => {
      const s = await eioHandshake(ctx.server);
      await eioPush(ctx.server, s, `40{"pid":"random-${i}-${Math.random()}","offset":"${i}"}`);
      const packets = await pollUntil(ctx.server, s, '40');
      assert.notEqual(JSON.parse(packets.at(-1).slice(2)).sid, sid);
      await eioPush(ctx.server, s, '1');
    }));
    const state = await ctx.state(control);
    assert.equal(state.recovered, false, 'the control socket is untouched');
    const back = await eioHandshake(ctx.server);
    await eioPush(ctx.server, back, `40{"pid":"${pid}","offset":"${offset}"}`);
    assert.equal((await pollUntil(ctx.server, back, '40')).at(-1), `40{"sid":"${sid}","pid":"${pid}"}`);
  });

  test('stamps no offset on volatile events nor on emits that want an ack', async () => {
    // Over WebSocket: a volatile event reaches a client that can take it now.
    const client = await ctx.connected('/', { reconnection: false, transports: ['websocket'] });
    const got = [];
    client.onAny((name, ...args) => got.push([name, args]));
    await withTimeout(client.emitWithAck('volatile', 'quiet'), T, 'volatile');
    await withTimeout(client.emitWithAck('with-ack', 'asks'), T, 'with-ack');
    await withTimeout(client.emitWithAck('self', 'mine'), T, 'self');
    await waitFor(() => got.length >= 3, 'three events');
    const byName = Object.fromEntries(got);
    assert.deepEqual(byName.quiet, []);
    assert.equal(byName.asks.length, 1);
    assert.equal(typeof byName.asks[0], 'function', 'only the ack callback');
    assert.equal(byName.mine.length, 1);
    assert.equal(typeof byName.mine[0], 'string', 'a socket.emit() carries an offset');
  });
});

describe('connection state recovery with skipMiddlewares false', () => {
  const ctx = context();
  let control;
  before(async () => {
    ctx.server = await startServer({
      app: 'recovery', path: PATH, 'recovery-skip-middlewares=false': true, ...QUICK_STOP,
    });
    control = await ctx.connected('/', { reconnection: false });
  });
  after(() => stopClientsAndServer(ctx.server, ctx.clients));

  test('runs middlewares even upon recovery', async () => {
    const [, pid, offset] = await init(ctx, control);
    const newSid = await eioHandshake(ctx.server);
    await eioPush(ctx.server, newSid, `40{"pid":"${pid}","offset":"${offset}"}`);
    await pollUntil(ctx.server, newSid, '40');
    const state = await rawAck(ctx.server, newSid, '/', 1, 'state');
    assert.equal(state.recovered, true);
    assert.equal(state.data.middleware_runs, 2);
  });

  // The reference sends the missed packets before its middlewares run.
  test('a middleware that refuses a recovering client sees nothing replayed to it', async () => {
    const [sid, pid, offset] = await init(ctx, control);
    await ctx.broadcast(control, 'room1', 'private');
    const newSid = await eioHandshake(ctx.server);
    await eioPush(ctx.server, newSid, `40{"pid":"${pid}","offset":"${offset}","reject":true}`);
    const packets = await pollUntil(ctx.server, newSid, '44');
    assert.deepEqual(packets, ['44{"message":"rejected"}']);
    // Refused, the session is gone.
    const again = await eioHandshake(ctx.server);
    await eioPush(ctx.server, again, `40{"pid":"${pid}","offset":"${offset}"}`);
    const answer = JSON.parse((await pollUntil(ctx.server, again, '40')).at(-1).slice(2));
    assert.notEqual(answer.sid, sid);
  });
});

describe('connection state recovery is off by default', () => {
  let server;
  const clients = new Set();
  before(async () => { server = await startServer({ app: 'features', path: PATH, ...QUICK_STOP }); });
  after(() => stopClientsAndServer(server, clients));

  test('the CONNECT reply has no pid and a recovery CONNECT is an ordinary one', async () => {
    const sid = await eioHandshake(server);
    await eioPush(server, sid, '40{"pid":"foo","offset":"bar"}');
    const packets = await pollUntil(server, sid, '40');
    const handshake = JSON.parse(packets.find((p) => p.startsWith('40')).slice(2));
    assert.ok(handshake.sid);
    assert.equal(handshake.pid, undefined);
    const hello = packets.find((p) => p.startsWith('42["hello"')) ??
      (await pollUntil(server, sid, '42["hello"')).find((p) => p.startsWith('42["hello"'));
    assert.equal(JSON.parse(hello.slice(2)).length, 2, 'no offset appended');
  });
});

// -- real clients through real failures ------------------------------------------

const MODES = [
  { name: 'WebSocket', opts: { transports: ['websocket'] } },
  { name: 'polling', opts: { transports: ['polling'] } },
];

describe('recovery of socket.io-client through network failures', () => {
  const ctx = context();
  let control;
  before(async () => {
    ctx.server = await startServer({
      app: 'recovery', path: PATH, 'ping-interval': 300, 'ping-timeout': 300, ...QUICK_STOP,
    });
    control = await ctx.connected('/', { reconnection: false, transports: ['websocket'] });
  });
  after(() => stopClientsAndServer(ctx.server, ctx.clients));

  /** Connects, gets one event, fails as `fail` says, gets events meanwhile; checks what came back. */
  async function blip(mode, fail, { before = [], lost = [], during = ['while-away-1', 'while-away-2'], opts = {} } = {}) {
    const socket = await ctx.connected('/', { ...mode.opts, ...opts });
    const firstId = socket.id;
    assert.equal(socket.recovered, false);
    const events = recordAll(socket);
    for (const e of before) await ctx.broadcast(control, 'room1', e);
    await waitFor(() => events.length === before.length, 'the events before the blip');
    const disconnected = nextEvent(socket, 'disconnect', T);
    await fail(socket);
    const [reason] = await disconnected;
    const reconnected = nextEvent(socket, 'connect', T, 'the reconnection');
    for (const e of during) await ctx.broadcast(control, 'room1', e);
    await reconnected;
    assert.equal(socket.recovered, true, `recovered after '${reason}'`);
    assert.equal(socket.id, firstId);
    await waitFor(() => events.length >= before.length + lost.length + during.length, 'the missed events');
    await ctx.broadcast(control, 'room1', 'after');
    await waitFor(() => events.some(([n]) => n === 'after'), 'the event after');
    const names = events.map(([n]) => n).filter((n) => n !== 'missed-direct');
    assert.deepEqual(names, [...before, ...lost, ...during, 'after'], 'each event once, in order');
    socket.disconnect();
    return reason;
  }

  for (const mode of MODES) {
    test(`recovers after the transport closed (${mode.name})`, async () => {
      // The server sees "transport close"; the client calls it "forced close".
      const reason = await blip(mode, (s) => s.io.engine.close(), { before: ['one'] });
      assert.equal(reason, 'forced close');
    });

    test(`recovers a client that got no event yet (${mode.name})`, async () => {
      await blip(mode, (s) => s.io.engine.close());
    });
  }

  test('recovers after its TCP connection was killed (WebSocket)', async () => {
    await blip(MODES[0], (s) => s.io.engine.transport.ws._socket.destroy(), { before: ['one'] });
  });

  test('recovers after a ping timeout, with what was sent into the dead connection', async () => {
    let silent;
    const reason = await blip(MODES[0], async (s) => {
      // The client stops reading: pings and events pile up unread, then the
      // server (or the client) gives up on the silent connection.
      silent = s.io.engine.transport.ws._socket;
      silent.pause();
      await ctx.broadcast(control, 'room1', 'into-the-void');
    }, {
      before: ['one'], lost: ['into-the-void'], during: ['while-away'],
      // The server notices the silence too before the client is back.
      opts: { reconnectionDelay: 1500, reconnectionDelayMax: 1500 },
    });
    assert.equal(reason, 'ping timeout');
    // Its close handshake would wait 30 s for a reply it never reads.
    silent.destroy();
  });
});
