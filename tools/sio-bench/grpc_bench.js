// The gRPC scenario of tools/bench.sh: a room of N socket.io-client members on
// one sio-server, then the same broadcasts started two ways, one after the
// other: gRPC Emit calls (W in flight) from @grpc/grpc-js, and 'broadcast'
// events of a Socket.IO client (the contract app emits them to the room).
// For each: calls (or broadcasts) per second, the calls' p50/p99 latency,
// member deliveries per second and the server's CPU time per delivery (from
// /proc/PID/stat). With --watch-only it only holds one WatchEvents stream of
// client events open until killed, for the fanout runs with a watcher.
//
//   node grpc_bench.js --port P --grpc unix:/path --server-pid PID [--members N]
//                      [--window W] [--duration S] [--payload BYTES] [--json FILE]

import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
// The npm packages of the integration tests (one lockfile for the project's Node code).
const require = createRequire(path.join(root, 'tests/integration/package.json'));
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const { io } = require('socket.io-client');

const opt = { members: 1000, window: 10, duration: 5, payload: 100, watchOnly: false };
for (let i = 2; i < process.argv.length; ++i) {
  const a = process.argv[i];
  const next = () => process.argv[++i];
  if (a === '--port') opt.port = Number(next());
  else if (a === '--grpc') opt.grpc = next();
  else if (a === '--server-pid') opt.pid = Number(next());
  else if (a === '--members') opt.members = Number(next());
  else if (a === '--window') opt.window = Number(next());
  else if (a === '--duration') opt.duration = Number(next());
  else if (a === '--payload') opt.payload = Number(next());
  else if (a === '--json') opt.json = next();
  else if (a === '--watch-only') opt.watchOnly = true;
  else { console.error(`grpc_bench: unknown flag ${a}`); process.exit(2); }
}

const pkg = grpc.loadPackageDefinition(protoLoader.loadSync('socketio/v1/socketio.proto', {
  includeDirs: [path.join(root, 'protocol/proto')], keepCase: true, longs: Number, enums: String, oneofs: true,
})).socketio.v1;
const api = new pkg.ServerService(opt.grpc, grpc.credentials.createInsecure());

if (opt.watchOnly) {
  let seen = 0;
  const w = api.WatchEvents({ kinds: ['WATCH_KIND_CLIENT_EVENT'], include_payload: true, buffer: 10000 });
  w.on('data', () => { seen += 1; });
  w.on('error', () => {});
  w.once('metadata', () => console.log('grpc_bench: watching'));
  process.on('SIGTERM', () => { console.log(`grpc_bench: the watcher saw ${seen} events`); process.exit(0); });
  setInterval(() => {}, 1 << 30);
} else {
  await main();
}

function cpuSeconds(pid) {
  // utime and stime, fields 14 and 15, after the command name in parentheses.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

function quantile(sorted, q) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : 0;
}

async function main() {
  const url = `http://127.0.0.1:${opt.port}`;
  const members = [];
  let deliveries = 0;
  for (let i = 0; i < opt.members; ++i) {
    const s = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
    s.on('msg', () => { deliveries += 1; });
    members.push(s);
  }
  await Promise.all(members.map((s) => new Promise((resolve) => s.once('connect', resolve))));
  await Promise.all(members.map((s) => s.timeout(10000).emitWithAck('join', 'bench')));
  const text = 'x'.repeat(opt.payload);

  // gRPC Emit, W calls in flight.
  const emitOnce = () => new Promise((resolve, reject) => {
    api.Emit({ target: { rooms: ['bench'] }, event: 'msg', payload: { args: [{ json: JSON.stringify(text) }] } },
      (err, r) => (err ? reject(err) : resolve(r)));
  });
  const measure = async (label, runOne) => {
    const latencies = [];
    let calls = 0;
    const d0 = deliveries;
    const c0 = cpuSeconds(opt.pid);
    const t0 = process.hrtime.bigint();
    const end = Date.now() + opt.duration * 1000;
    const worker = async () => {
      while (Date.now() < end) {
        const s = process.hrtime.bigint();
        await runOne();
        latencies.push(Number(process.hrtime.bigint() - s) / 1e6);
        calls += 1;
      }
    };
    await Promise.all(Array.from({ length: opt.window }, worker));
    // The deliveries of the last calls still on their way.
    const expected = d0 + calls * opt.members;
    const drainEnd = Date.now() + 10000;
    while (deliveries < expected && Date.now() < drainEnd) await new Promise((r) => setTimeout(r, 20));
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = cpuSeconds(opt.pid) - c0;
    const delivered = deliveries - d0;
    latencies.sort((x, y) => x - y);
    return {
      label, calls, calls_per_s: calls / seconds, p50_ms: quantile(latencies, 0.5), p99_ms: quantile(latencies, 0.99),
      deliveries: delivered, deliveries_per_s: delivered / seconds, lost: expected - deliveries,
      server_cpu_us_per_delivery: delivered ? (cpu * 1e6) / delivered : 0,
    };
  };
  const viaGrpc = await measure('grpc Emit', emitOnce);

  // The same broadcast from a Socket.IO client: its 'broadcast' event, paced
  // by the first member receiving it (no ack to wait for).
  const publisher = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
  await new Promise((resolve) => publisher.once('connect', resolve));
  const probe = members[0];
  let waiting = [];
  probe.on('msg', () => { const w = waiting.shift(); if (w) w(); });
  const viaSocketIo = await measure('socket.io broadcast', () => new Promise((resolve) => {
    waiting.push(resolve);
    publisher.emit('broadcast', 'bench', text);
  }));

  const result = { members: opt.members, window: opt.window, payload: opt.payload, runs: [viaGrpc, viaSocketIo] };
  for (const r of result.runs)
    console.log(`${r.label.padEnd(20)} ${r.calls_per_s.toFixed(0).padStart(7)} calls/s  p50 ${r.p50_ms.toFixed(2)} ms  p99 ${r.p99_ms.toFixed(2)} ms  ` +
      `${r.deliveries_per_s.toFixed(0).padStart(9)} deliveries/s  ${r.server_cpu_us_per_delivery.toFixed(3)} us server CPU/delivery  (lost ${r.lost})`);
  if (opt.json) writeFileSync(opt.json, JSON.stringify(result, null, 2));
  for (const s of [...members, publisher]) s.disconnect();
  api.close();
  process.exit(0);
}
