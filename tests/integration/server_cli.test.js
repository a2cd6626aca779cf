// sio-server as an operator meets it: configuration by file, flags and
// environment, usage errors, and the graceful shutdown on SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { io } from 'socket.io-client';
import { SERVER_BIN, startServer, nextEvent, withTimeout } from './server.js';

const T = 5000;

async function handshake(server) {
  const res = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`);
  assert.equal(res.status, 200);
  return JSON.parse((await res.text()).slice(1));
}

test('flags override the --config file and SIO_* variables override both', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sio-config-'));
  const file = path.join(dir, 'server.toml');
  writeFileSync(file, 'ping-interval = 1111\nping-timeout = 2222\nmax-payload = 3333\n');
  process.env.SIO_PING_TIMEOUT = '4444';
  let server;
  try {
    server = await startServer({ app: 'contract', path: '/socket.io/', config: file,
                                 'ping-interval': 5555 });
  } finally {
    delete process.env.SIO_PING_TIMEOUT;
    rmSync(dir, { recursive: true, force: true });
  }
  try {
    const open = await handshake(server);
    assert.equal(open.pingInterval, 5555, 'flag over file');
    assert.equal(open.pingTimeout, 4444, 'environment over file');
    assert.equal(open.maxPayload, 3333, 'file over default');
  } finally {
    await server.stop();
  }
});

test('the environment overrides a flag', async () => {
  process.env.SIO_PING_INTERVAL = '6666';
  let server;
  try {
    server = await startServer({ app: 'contract', path: '/socket.io/', 'ping-interval': 7777 });
  } finally {
    delete process.env.SIO_PING_INTERVAL;
  }
  try {
    assert.equal((await handshake(server)).pingInterval, 6666);
  } finally {
    await server.stop();
  }
});

for (const [what, argv, env, mention] of [
  ['an unknown flag', ['--no-such-flag'], {}, '--no-such-flag'],
  ['a bad value', ['--port', 'abc'], {}, '--port'],
  ['a bad value from the environment', [], { SIO_PING_INTERVAL: 'soon' }, '--ping-interval'],
  ['an unknown app', ['--app', 'nope'], {}, '--app'],
  ['an unknown key in the config file', ['--config', '__FILE__'], {}, 'bogus'],
]) {
  test(`${what} is a usage error: exit code 2 and a message naming it`, () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sio-config-'));
    const file = path.join(dir, 'bad.toml');
    writeFileSync(file, 'bogus = 1\n');
    try {
      const r = spawnSync(SERVER_BIN, argv.map((a) => (a === '__FILE__' ? file : a)),
                          { env: { ...process.env, ...env }, encoding: 'utf8', timeout: T });
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, new RegExp(mention.replace(/[-]/g, '\\-')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('a port in use: a clear message and a non-zero exit', async () => {
  const server = await startServer({ app: 'contract', path: '/socket.io/' });
  try {
    const r = spawnSync(SERVER_BIN, ['--app', 'contract', '--bind', '127.0.0.1',
                                     '--port', String(server.port)],
                        { encoding: 'utf8', timeout: T });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /cannot listen/);
  } finally {
    await server.stop();
  }
});

test('SIGTERM during traffic: queued messages arrive, clients see the transport close, exit 0', async () => {
  const server = await startServer({ app: 'contract', path: '/socket.io/' });
  const clients = await Promise.all(['websocket', 'polling'].map(async (transport) => {
    const s = io(server.url, { transports: [transport], forceNew: true, reconnection: false });
    await nextEvent(s, 'auth', T);
    await withTimeout(s.emitWithAck('join', 'r'), T, 'join');
    return s;
  }));
  try {
    const [ws] = clients;
    // A burst the server echoes; all of it is answered before the shutdown.
    const echoes = [];
    ws.on('message-back', (n) => echoes.push(n));
    for (let i = 0; i < 200; i++) ws.emit('message', i);
    await withTimeout(ws.emitWithAck('echo', 'last'), T, 'echo after the burst');
    assert.equal(echoes.length, 200);

    const reasons = clients.map((s) => nextEvent(s, 'disconnect', T));
    const stopped = await server.stop({ timeoutMs: T });
    assert.equal(stopped.forced, false, server.output());
    assert.equal(stopped.code, 0, server.output());
    const [wsReason, pollReason] = (await Promise.all(reasons)).map(([r]) => r);
    assert.equal(wsReason, 'transport close');
    assert.ok(['transport close', 'transport error'].includes(pollReason), pollReason);
    assert.match(server.output(), /event=shutting_down/);
    assert.match(server.output(), /event=stopped/);
  } finally {
    for (const s of clients) s.close();
    await server.stop();
  }
});

test('a second signal during the pre-stop delay stops at once: exit 1, said in the log', async () => {
  const server = await startServer({ app: 'contract', path: '/socket.io/', 'pre-stop-delay': 20000 });
  try {
    process.kill(server.pid, 'SIGTERM');
    // The first signal is taken when readiness has flipped.
    const deadline = Date.now() + T;
    for (;;) {
      const res = await fetch(`${server.url}/readyz`);
      await res.arrayBuffer();
      if (res.status === 503) break;
      assert.ok(Date.now() < deadline, `/readyz still ${res.status} after SIGTERM`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const t0 = Date.now();
    process.kill(server.pid, 'SIGTERM');
    const { code } = await withTimeout(server.exited, T, 'sio-server to exit on the second signal');
    assert.equal(code, 1, server.output());
    assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
    assert.match(server.output(), /event=stopped_at_once/);
  } finally {
    await server.stop();
  }
});
