// The memory connection state recovery holds: N clients connect to
// `sio-server --app recovery`, all lose their connection at once (their
// sessions wait to be recovered), then M broadcasts of P bytes go to their
// room. Prints the server's resident memory at each step and what the
// sessions and the kept events cost. Run by tools/bench.sh --recovery:
//   node recovery_memory.js [--sessions N] [--broadcasts M] [--payload P]
import { readFileSync } from 'node:fs';
import { io } from 'socket.io-client';
import { startServer, withTimeout } from './server.js';

const argv = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const N = arg('sessions', 1000);
const M = arg('broadcasts', 10000);
const P = arg('payload', 100);
const T = 30000;

const rssOf = (pid) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m[1]) * 1024;
};
const settle = () => new Promise((r) => setTimeout(r, 1000));
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;

const server = await startServer({
  app: 'recovery', path: '/socket.io/', 'recovery-max-disconnection': 600000,
  'actor-threads': 1, 'gateway-threads': 1,
});
const opts = { path: '/socket.io/', transports: ['websocket'], forceNew: true, reconnection: false };
const connect = () => new Promise((resolve, reject) => {
  const s = io(server.url, opts);
  s.once('connect', () => resolve(s));
  s.once('connect_error', reject);
});
try {
  const control = await withTimeout(connect(), T, 'control client');
  await settle();
  const base = rssOf(server.pid);
  const clients = [];
  for (let i = 0; i < N; i += 100) {
    clients.push(...await withTimeout(Promise.all(
      Array.from({ length: Math.min(100, N - i) }, connect)), T, 'clients'));
  }
  await settle();
  const connected = rssOf(server.pid);
  for (const c of clients) c.io.engine.close(); // "transport close": each session waits
  await settle();
  const waiting = rssOf(server.pid);
  const payload = 'x'.repeat(P);
  for (let i = 0; i < M; i += 100) {
    await withTimeout(Promise.all(Array.from({ length: Math.min(100, M - i) },
      () => control.emitWithAck('broadcast', 'room1', payload))), T, 'broadcasts');
  }
  await settle();
  const after = rssOf(server.pid);
  console.log(`recovery memory: ${N} sessions waiting, ${M} broadcasts of ${P} B to their room`);
  console.log(`  server RSS: idle ${kib(base)}, ${N} connected ${kib(connected)}, ` +
              `after they dropped ${kib(waiting)}, after the broadcasts ${kib(after)}`);
  console.log(`  per waiting session (connected -> dropped): ${kib((waiting - connected) / N)} ` +
              `(a connected one cost ${kib((connected - base) / N)})`);
  console.log(`  per kept broadcast: ${((after - waiting) / M).toFixed(0)} B ` +
              `(shared by all ${N} sessions)`);
  control.close();
} finally {
  await server.stop();
}
