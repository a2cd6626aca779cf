// Long-polling clients through a real haproxy with sticky sessions (the
// configuration of the README) in front of two sio-server nodes of one Redis
// cluster: every request of a session reaches the node that made it, and a
// broadcast reaches every client once whichever node holds it.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { io } from 'socket.io-client';
import { nextEvent, startServer, withTimeout } from './server.js';
import { eventually, freePort, startRedis } from './redis.js';

const T = 5000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let redis; let nodes = []; let haproxy; let haproxyExited; let dir; let front;
const clients = [];

before(async () => {
  redis = await startRedis();
  for (let i = 0; i < 2; i++) {
    nodes.push(await startServer({
      app: 'contract', path: '/socket.io/', adapter: 'redis', 'redis-url': redis.url(),
      'ping-interval': 300, 'ping-timeout': 2000,
    }));
  }
  front = await freePort();
  dir = mkdtempSync(path.join(os.tmpdir(), 'sio-haproxy-'));
  const cfg = path.join(dir, 'haproxy.cfg');
  writeFileSync(cfg, [
    'defaults', '  mode http', '  timeout connect 5s', '  timeout client 60s', '  timeout server 60s',
    'frontend socketio', `  bind 127.0.0.1:${front}`, '  default_backend nodes',
    'backend nodes', '  balance roundrobin', '  cookie SIO_NODE insert indirect nocache',
    `  server a 127.0.0.1:${nodes[0].port} cookie a`,
    `  server b 127.0.0.1:${nodes[1].port} cookie b`, ''].join('\n'));
  haproxy = spawn('haproxy', ['-f', cfg, '-db'], { stdio: ['ignore', 'ignore', 'pipe'] });
  haproxyExited = new Promise((resolve) => haproxy.once('exit', resolve));
  await eventually(async () => {
    try { return (await fetch(`http://127.0.0.1:${front}/socket.io/?EIO=4&transport=polling`)).ok; } catch { return false; }
  }, 10000, 'haproxy to forward');
});

after(async () => {
  for (const s of clients) s.disconnect();
  if (haproxy) { haproxy.kill('SIGTERM'); await withTimeout(haproxyExited, 5000, 'haproxy to exit'); }
  for (const n of nodes) await n.stop();
  await redis?.kill();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('polling clients stay on their node and get every broadcast once', async () => {
  for (let i = 0; i < 4; i++) {
    const s = io(`http://127.0.0.1:${front}`, { transports: ['polling'], withCredentials: true, reconnection: false });
    s.got = [];
    s.on('msg', (p) => s.got.push(p));
    clients.push(s);
    await nextEvent(s, 'connect', T, 'connect through haproxy');
    assert.equal(await withTimeout(s.emitWithAck('join', 'r'), T, 'join'), true);
  }
  // Several polling rounds (heartbeats every 300 ms) go through the balancer:
  // a request sent to the other node would end the session.
  await sleep(1000);
  for (const s of clients) assert.equal(s.connected, true);
  assert.equal(await withTimeout(clients[0].emitWithAck('room-size', 'r'), T, 'room-size'), 4);
  clients[1].emit('broadcast', 'r', 'via-haproxy');
  await eventually(() => clients.every((s) => s.got.length >= 1), T, 'everyone got it');
  await sleep(300);
  for (const s of clients) assert.deepEqual(s.got, ['via-haproxy']);
});
