// The paired comparison of tools/bench.sh --paired: for each scenario and
// each variant, the ratio variant / base of the server's CPU per operation
// (schedstat, to the nanosecond) in each pair of back-to-back runs, then the
// median of those ratios, their interquartile range and a bootstrap 95%
// interval of the median. A pair's two runs meet the same moment of the
// machine, so what moves both (another tenant, the clock) cancels in the
// ratio; the median and its interval say how far the rest still moves it.
//
//   node paired.js RUNS SCENARIOS PAIRS SKIP OUT BASE VARIANT...
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const [runsDir, scenarioList, pairArg, skipArg, out, base, ...variants] = process.argv.slice(2);
const pairs = Number(pairArg);
const skip = Number(skipArg);
const figures = {
  fanout: [["CPU per delivery", "server_sched_cpu_us_per_op"], ["deliveries/s", "deliveries_per_s"]],
  echo: [["CPU per ack", "server_sched_cpu_us_per_op"], ["acks/s", "acks_per_s"]],
};

const report = (s, srv, pair) => {
  try {
    return JSON.parse(fs.readFileSync(path.join(runsDir, `${s}.${srv}.${pair}.json`), "utf8"));
  } catch {
    return { ok: false };
  }
};
const quantile = (xs, q) => {
  const v = [...xs].sort((a, b) => a - b);
  const at = (v.length - 1) * q;
  const lo = Math.floor(at);
  return v[lo] + (v[Math.min(lo + 1, v.length - 1)] - v[lo]) * (at - lo);
};
// A fixed seed: the same runs give the same interval.
let seed = 0x2545f491;
const random = () => {
  seed ^= seed << 13; seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5; seed >>>= 0;
  return seed / 0x100000000;
};
const bootstrap = (xs, n = 2000) => {
  const medians = [];
  for (let i = 0; i < n; ++i) {
    const sample = xs.map(() => xs[Math.floor(random() * xs.length)]);
    medians.push(quantile(sample, 0.5));
  }
  return [quantile(medians, 0.025), quantile(medians, 0.975)];
};
const pct = (r) => `${r >= 1 ? "+" : ""}${((r - 1) * 100).toFixed(2)}%`;

console.log(`\nPaired runs, ratio = variant / ${base} per pair (pairs ${skip + 1}..${pairs}; ` +
            `the first ${skip} discarded as warm-up):`);
const results = [];
let failed = false;
for (const s of scenarioList.split(",")) {
  for (const [label, key] of figures[s] || []) {
    for (const srv of variants) {
      const ratios = [];
      const baseFigures = [];
      for (let pair = skip + 1; pair <= pairs; ++pair) {
        const a = report(s, srv, pair);
        const b = report(s, base, pair);
        const x = a.ok && a.results[key];
        const y = b.ok && b.results[key];
        if (typeof x === "number" && typeof y === "number" && y !== 0) {
          ratios.push(x / y);
          baseFigures.push(y);
        }
      }
      if (ratios.length < 3) {
        console.log(`  ${s} ${label} ${srv}: FAILED (${ratios.length} usable pairs)`);
        failed = true;
        continue;
      }
      const median = quantile(ratios, 0.5);
      const iqr = [quantile(ratios, 0.25), quantile(ratios, 0.75)];
      const ci = bootstrap(ratios);
      console.log(`  ${s.padEnd(7)} ${label.padEnd(17)} ${srv.padEnd(14)} median ${median.toFixed(4)} ` +
                  `(${pct(median)})  IQR ${iqr[0].toFixed(4)}..${iqr[1].toFixed(4)}  ` +
                  `95% CI ${ci[0].toFixed(4)}..${ci[1].toFixed(4)}  n=${ratios.length}  ` +
                  `${base} median ${quantile(baseFigures, 0.5).toFixed(3)}`);
      results.push({ scenario: s, figure: key, base, variant: srv, pairs: ratios.length,
                     median, iqr, ci95: ci, ratios, base_median: quantile(baseFigures, 0.5) });
    }
  }
}
fs.writeFileSync(out, JSON.stringify(results, null, 2) + "\n");
process.exit(failed ? 1 : 0);
