// The table of tools/bench.sh: reads the sio-bench reports of one run
// (RUNS/SCENARIO.SERVER.ROUND.json), prints every figure of each server (the
// median of its rounds) and the ratio ours / reference, and writes them all
// to OUT as JSON.
//
//   node report.js RUNS OUT SCENARIOS ROUNDS SERVER...   (the last server is the reference)
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const [runsDir, outFile, scenarioList, roundArg, ...servers] = process.argv.slice(2);
const rounds = Number(roundArg);
const reference = servers[servers.length - 1];
const ours = servers.slice(0, -1);
const scenarios = scenarioList.split(",");

const get = (o, keys) => keys.split(".").reduce((v, k) => (v == null ? v : v[k]), o);
// [label, path in "results", which way is better, unit scale]
const metrics = {
  fanout: [
    ["broadcasts/s", "broadcasts_per_s", "higher"],
    ["deliveries/s", "deliveries_per_s", "higher"],
    ["latency p50 (ms)", "latency_us.p50", "lower", 1e-3],
    ["latency p99 (ms)", "latency_us.p99", "lower", 1e-3],
    ["latency max (ms)", "latency_us.max", "lower", 1e-3],
    ["server CPU per delivery (us)", "server_cpu_us_per_op", "lower"],
    ["lost deliveries", "lost", "zero"],
  ],
  echo: [
    ["acks/s", "acks_per_s", "higher"],
    ["latency p50 (ms)", "latency_us.p50", "lower", 1e-3],
    ["latency p99 (ms)", "latency_us.p99", "lower", 1e-3],
    ["server CPU per ack (us)", "server_cpu_us_per_op", "lower"],
  ],
  connect: [
    ["handshakes/s", "handshakes_per_s", "higher"],
    ["handshake p99 (ms)", "handshake_ms.p99", "lower"],
    ["server CPU per handshake (us)", "server_cpu_us_per_op", "lower"],
    ["server RSS per idle connection (KiB)", "server_kib_per_connection", "lower"],
  ],
};
metrics["fanout-latency"] = metrics.fanout;
const common = [
  ["server CPU (% of a core)", "server_cpu_pct", "info"],
  ["busiest server thread (% of a core)", "server_threads.0.cpu_pct", "info"],
  ["sio-bench CPU (% of a core)", "bench_cpu_pct", "info"],
];

// runs[scenario][server]: the reports of its rounds, in order.
const runs = {};
let failed = false;
for (const s of scenarios) {
  runs[s] = {};
  for (const srv of servers) {
    runs[s][srv] = [];
    for (let round = 1; round <= rounds; ++round) {
      const file = path.join(runsDir, `${s}.${srv}.${round}.json`);
      let report;
      try {
        report = JSON.parse(fs.readFileSync(file, "utf8"));
      } catch {
        report = { ok: false, errors: ["no report (the server or sio-bench did not run)"] };
      }
      if (!report.ok) failed = true;
      runs[s][srv].push(report);
    }
  }
}

const median = (xs) => {
  const v = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
};

// One figure of a server over its rounds: the median; lost deliveries add
// up. A server with a failed round has no figure but its losses.
const figure = (reports, key, scale) => {
  if (key === "lost") return reports.reduce((sum, r) => sum + (r.lost || 0), 0);
  if (!reports.every((r) => r.ok)) return "FAILED";
  // Some figures are missing from short runs (a thread's share of the CPU).
  const values = reports.map((r) => get(r.results, key)).filter((v) => typeof v === "number");
  return values.length > 0 ? median(values) * scale : undefined;
};

const fmt = (v) => {
  if (v === undefined || v === null || Number.isNaN(v)) return "-";
  if (typeof v === "string") return v;
  const a = Math.abs(v);
  if (a >= 100 || Number.isInteger(v)) return Math.round(v).toLocaleString("en-US");
  if (a >= 10) return v.toFixed(1);
  return v.toFixed(2);
};

const table = [];
for (const s of scenarios) {
  for (const [label, key, better, scale = 1] of [...(metrics[s] || []), ...common]) {
    const row = { scenario: s, metric: label, better, values: {}, ratio: {} };
    for (const srv of servers) row.values[srv] = figure(runs[s][srv], key, scale);
    // The ratio of each round (its servers ran back to back, at the same
    // moment of the machine), then their median.
    for (const o of ours) {
      const ratios = runs[s][o].map((r, i) => {
        const v = figure([r], key, scale);
        const ref = figure([runs[s][reference][i]], key, scale);
        return typeof v === "number" && typeof ref === "number" && ref !== 0 ? v / ref : null;
      });
      row.ratio[o] = ratios.every((x) => x !== null) ? median(ratios) : null;
    }
    table.push(row);
  }
}

let refVersion = "?";
try {
  refVersion = require(path.join(__dirname, "..", "reference", "node_modules", "socket.io",
                                 "package.json")).version;
} catch {}

const header = ["scenario", "metric", ...servers, ...ours.map((o) => `${o}/ref`), "better"];
const lines = [header];
for (const row of table)
  lines.push([row.scenario, row.metric, ...servers.map((s) => fmt(row.values[s])),
              ...ours.map((o) => (row.ratio[o] == null ? "-" : row.ratio[o].toFixed(2))),
              row.better]);
const widths = header.map((_, i) => Math.max(...lines.map((l) => l[i].length)));
const print = (l) =>
  console.log(l.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  "));
console.log("");
// A table against another base than the reference (the proxy scenario)
// brings its own heading.
if (process.env.SIO_REPORT_TITLE) console.log(process.env.SIO_REPORT_TITLE);
else console.log(`sio-server vs the reference (socket.io ${refVersion}, Node ${process.version}); ` +
            `${os.cpus().length} cores. ratio = ours / reference.` +
            (rounds > 1 ? ` Each figure is the median of ${rounds} rounds; each ratio the ` +
                          "median of the rounds' ratios." : ""));
if (!process.env.SIO_REPORT_TITLE)
  console.log("ours-1+1: --actor-threads 1 --gateway-threads 1, the like-for-like comparison with " +
              "single-threaded Node; ours-default: all cores. The headline is server CPU per op.");
if (servers.includes("floor"))
  console.log("floor: tools/floor-server, raw epoll on one thread and only what sio-bench " +
              "needs: the least server CPU per op any design can spend here.");
print(lines[0]);
let last = "";
for (const l of lines.slice(1)) {
  if (l[0] !== last && last !== "") console.log("");
  last = l[0];
  print(l);
}
const which = (round) => (rounds > 1 ? ` (round ${round})` : "");
for (const s of scenarios)
  for (const srv of servers)
    runs[s][srv].forEach((r, i) => {
      if (!r.ok)
        console.log(`FAILED ${s} ${srv}${which(i + 1)}: ${(r.errors || []).slice(0, 5).join("; ")}`);
    });
for (const s of scenarios)
  for (const srv of servers)
    runs[s][srv].forEach((r, i) => {
      if (r.bench_saturated)
        console.log(`note: ${s} ${srv}${which(i + 1)}: sio-bench saturated its threads; ` +
                    "it may be the bottleneck");
    });

fs.mkdirSync(path.dirname(outFile), { recursive: true });
fs.writeFileSync(outFile, JSON.stringify({
  date: new Date().toISOString(),
  machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version },
  reference: `socket.io ${refVersion}`,
  servers, scenarios, rounds, table, runs,
}, null, 2) + "\n");
console.log(`\nwritten: ${path.relative(process.cwd(), outFile) || outFile}`);
process.exit(failed ? 1 : 0);
