// Side by side with one server of the run: for each scenario, each other
// server's figures divided by that server's, round by round (the servers of
// a round ran back to back), and the median of those ratios.
//
//   node compare.js RUNS SCENARIOS ROUNDS BASE SERVER...
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const [runsDir, scenarioList, roundArg, base, ...others] = process.argv.slice(2);
const rounds = Number(roundArg);
const figures = {
  fanout: [["deliveries/s", "deliveries_per_s"], ["server CPU per delivery", "server_cpu_us_per_op"]],
  echo: [["acks/s", "acks_per_s"], ["server CPU per ack", "server_cpu_us_per_op"]],
  connect: [["handshakes/s", "handshakes_per_s"],
            ["server CPU per handshake", "server_cpu_us_per_op"]],
};
figures["fanout-latency"] = [["latency p99", "latency_us.p99"],
                             ["server CPU per delivery", "server_cpu_us_per_op"]];

const get = (o, keys) => keys.split(".").reduce((v, k) => (v == null ? v : v[k]), o);
const report = (s, srv, round) => {
  try {
    return JSON.parse(fs.readFileSync(path.join(runsDir, `${s}.${srv}.${round}.json`), "utf8"));
  } catch {
    return { ok: false };
  }
};
const median = (xs) => {
  const v = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
};

console.log(`\nSide by side with ${base} (ratio = server / ${base}; each round's ratio, ` +
            "then their median):");
let failed = false;
for (const s of scenarioList.split(",")) {
  for (const [label, key] of figures[s] || []) {
    for (const srv of others) {
      const ratios = [];
      for (let round = 1; round <= rounds; ++round) {
        const a = report(s, srv, round);
        const b = report(s, base, round);
        const x = a.ok && get(a.results, key);
        const y = b.ok && get(b.results, key);
        if (typeof x === "number" && typeof y === "number" && y !== 0) ratios.push(x / y);
      }
      if (ratios.length !== rounds) {
        console.log(`  ${s}  ${label}  ${srv}: FAILED (a round has no figure)`);
        failed = true;
        continue;
      }
      console.log(`  ${s.padEnd(14)} ${label.padEnd(26)} ${srv.padEnd(15)} ` +
                  `${median(ratios).toFixed(3)}  (rounds: ${ratios.map((r) => r.toFixed(3)).join(" ")})`);
    }
  }
}
process.exit(failed ? 1 : 0);
