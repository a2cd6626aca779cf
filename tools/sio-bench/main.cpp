// sio-bench: the load generator of the benchmark scenarios (fanout, echo,
// connect; the README's Benchmarks section). It speaks Engine.IO v4 /
// Socket.IO v5 over WebSocket itself, with the project's codecs, many
// connections per thread. Loopback targets only.
//
// A run that saw an error, a refused connection or a lost delivery prints
// what went wrong, no figures, and exits with 1.
#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <fstream>
#include <functional>
#include <optional>
#include <thread>

#include <CLI/CLI.hpp>
#include <boost/asio/ip/address.hpp>

#include "load.hpp"
#include "proc_stats.hpp"
#include "sio/protocol/json.hpp"
#include "sio/protocol/socket_io.hpp"

namespace sio_bench {
namespace {

using std::chrono::milliseconds;

const char* scenario_name(scenario s) {
  switch (s) {
    case scenario::fanout: return "fanout";
    case scenario::echo: return "echo";
    case scenario::connect: return "connect";
  }
  return "?";
}

/// Header length in front of a broadcast payload: "S" 20 digits "T" 20 digits ":".
constexpr std::size_t stamp_size = 2 * digits + 3;

std::string json_text(const sio::json& v) {
  std::string out;
  (void)sio::write_json(v, out);
  return out;
}

templates make_templates(const config& cfg) {
  templates t;
  if (cfg.kind == scenario::fanout) {
    std::string payload = "S" + std::string(digits, '0') + "T" + std::string(digits, '0') + ":";
    payload.append(cfg.payload - stamp_size, 'x');
    sio::socketio::encoded enc;
    (void)sio::socketio::encode(
        sio::socketio::packet{sio::socketio::packet_type::event, "/", std::nullopt,
                              sio::json::array({"broadcast", cfg.room, payload})},
        enc);
    t.broadcast = enc.text;
    t.seq_at = t.broadcast.rfind("\"S") + 2;
    t.ts_at = t.seq_at + digits + 1;
    std::string body = json_text(sio::json::array({"msg", payload}));
    t.msg_body_size = body.size();
    t.msg_payload_at = body.find("\"S") + 1;
  } else if (cfg.kind == scenario::echo) {
    std::string payload(cfg.payload, 'x');
    t.echo_event_body = json_text(sio::json::array({"echo", payload}));
    t.echo_ack_body = json_text(sio::json::array({payload}));
  }
  return t;
}

struct run {
  const config& cfg;
  templates tpl;
  std::atomic<int> ph{0};
  std::vector<std::unique_ptr<worker>> workers;
  std::vector<std::thread> threads;
  std::vector<std::string> failures;  // why the run failed, besides connection errors

  std::uint64_t sum(std::atomic<std::uint64_t> counters::*field) const {
    std::uint64_t total = 0;
    for (const auto& w : workers) total += (w->stats.*field).load(std::memory_order_relaxed);
    return total;
  }
  std::uint64_t errors() const { return sum(&counters::errors); }
  void set(phase p) { ph.store(static_cast<int>(p), std::memory_order_relaxed); }

  /// Sleeps until `done()` or `seconds` pass; false (at once) on an error.
  bool wait(double seconds, const std::function<bool()>& done) {
    auto until = std::chrono::steady_clock::now() +
                 std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                     std::chrono::duration<double>(seconds));
    while (true) {
      if (errors() > 0) return false;
      if (done && done()) return true;
      if (std::chrono::steady_clock::now() >= until) return !done;
      std::this_thread::sleep_for(milliseconds(2));
    }
  }

  void stop_all() {
    set(phase::done);
    for (auto& w : workers) w->close_all();
    // Let the closes run, then stop the threads.
    std::this_thread::sleep_for(milliseconds(50));
    for (auto& w : workers) w->stop();
    for (auto& t : threads)
      if (t.joinable()) t.join();
  }
};

struct sample {
  std::uint64_t t_ns = 0;
  std::optional<double> server_cpu;
  std::optional<double> server_sched_cpu;  ///< the server's alone, to the nanosecond
  std::optional<double> redis_cpu;
  std::map<int, std::pair<std::string, double>> server_threads;
  double self_cpu = 0;
};

sample take_sample(const config& cfg) {
  sample s;
  s.t_ns = now_ns();
  if (cfg.server_pid > 0) {
    s.server_cpu = proc::cpu_seconds(cfg.server_pid);
    s.server_threads = proc::thread_cpu_seconds(cfg.server_pid);
    s.server_sched_cpu = proc::sched_cpu_seconds(cfg.server_pid);
    for (int pid : cfg.more_server_pids)
      if (auto more = proc::cpu_seconds(pid); more && s.server_cpu) *s.server_cpu += *more;
  }
  if (cfg.redis_pid > 0) s.redis_cpu = proc::cpu_seconds(cfg.redis_pid);
  s.self_cpu = proc::self_cpu_seconds();
  return s;
}

/// Adds the CPU figures of the window [a, b] for `ops` operations.
void add_cpu(const config& cfg, const sample& a, const sample& b, double ops, const char* op,
             sio::json& out) {
  double wall = static_cast<double>(b.t_ns - a.t_ns) / 1e9;
  double self = b.self_cpu - a.self_cpu;
  out["bench_cpu_s"] = self;
  out["bench_cpu_pct"] = 100.0 * self / wall;
  out["bench_threads"] = cfg.threads;
  if (a.server_cpu && b.server_cpu) {
    double server = *b.server_cpu - *a.server_cpu;
    out["server_cpu_s"] = server;
    out["server_cpu_pct"] = 100.0 * server / wall;
    out["server_cpu_tick_s"] = proc::tick_seconds();
    out["op"] = op;
    if (ops > 0) out["server_cpu_us_per_op"] = 1e6 * server / ops;
    if (a.server_sched_cpu && b.server_sched_cpu && ops > 0)
      out["server_sched_cpu_us_per_op"] = 1e6 * (*b.server_sched_cpu - *a.server_sched_cpu) / ops;
    // Per thread, busiest first: a thread near 100% is the server's bottleneck.
    std::vector<std::pair<double, std::string>> threads;
    for (const auto& [tid, t] : b.server_threads) {
      auto before = a.server_threads.find(tid);
      double used = t.second - (before == a.server_threads.end() ? 0.0 : before->second.second);
      if (used > 0) threads.emplace_back(100.0 * used / wall, t.first);
    }
    std::sort(threads.begin(), threads.end(), std::greater<>());
    sio::json list = sio::json::array();
    for (const auto& [pct, name] : threads) list.push_back({{"name", name}, {"cpu_pct", pct}});
    out["server_threads"] = list;
  }
  if (a.redis_cpu && b.redis_cpu) {
    double redis = *b.redis_cpu - *a.redis_cpu;
    out["redis_cpu_s"] = redis;
    out["redis_cpu_pct"] = 100.0 * redis / wall;
    if (ops > 0) out["redis_cpu_us_per_op"] = 1e6 * redis / ops;
  }
}

double us(std::uint64_t ns) { return static_cast<double>(ns) / 1e3; }

histogram merged(const run& r, histogram worker::*field) {
  histogram h;
  for (const auto& w : r.workers) h.merge((*w).*field);
  return h;
}

sio::json latency_json(const histogram& h) {
  return {{"p50", us(h.quantile(0.50))}, {"p99", us(h.quantile(0.99))}, {"max", us(h.max())},
          {"samples", h.count()}};
}

/// Connects everything and waits until it is settled. False on an error or
/// when the setup deadline passes.
bool set_up(run& r, std::size_t total) {
  for (auto& w : r.workers) w->begin();
  bool ok = r.wait(r.cfg.setup_timeout_s, [&] { return r.sum(&counters::settled) == total; });
  if (!ok && r.errors() == 0)
    r.failures.push_back("setup: only " + std::to_string(r.sum(&counters::settled)) + " of " +
                         std::to_string(total) + " connections ready after " +
                         std::to_string(r.cfg.setup_timeout_s) + " s");
  return ok;
}

// Starts the load, warms up, then measures for the configured duration: the
// samples at both ends of the window, or nothing when the run failed.
template <class Start>
std::optional<std::pair<sample, sample>> measure(run& r, Start&& start) {
  r.set(phase::warmup);
  start();
  if (!r.wait(r.cfg.warmup_s, {})) return std::nullopt;
  r.set(phase::measure);
  sample a = take_sample(r.cfg);
  if (!r.wait(r.cfg.duration_s, {})) return std::nullopt;
  r.set(phase::drain);
  return std::pair{a, take_sample(r.cfg)};
}

void run_fanout(run& r, sio::json& res) {
  const auto& cfg = r.cfg;
  std::uint64_t subs = cfg.connections;
  if (!set_up(r, subs + 1)) return;
  auto window = measure(r, [&] { r.workers[0]->start_publishing(); });
  if (!window) return;
  auto [a, b] = *window;
  // Everything sent must arrive: the publisher's copies, then every
  // subscriber's.
  auto delivered = [&] {
    return r.sum(&counters::pub_inflight) == 0 &&
           r.sum(&counters::received) >= r.sum(&counters::pub_sent) * subs;
  };
  bool drained = r.wait(cfg.drain_timeout_s, delivered);
  std::uint64_t sent = r.sum(&counters::pub_sent);
  std::uint64_t expected = sent * subs;
  std::uint64_t received = r.sum(&counters::received);
  res["broadcasts_sent"] = sent;
  res["deliveries_expected"] = expected;
  res["lost"] = expected > received ? expected - received : 0;
  if (!drained && r.errors() == 0)
    r.failures.push_back("drain: " + std::to_string(expected - received) + " of " +
                         std::to_string(expected) + " deliveries and " +
                         std::to_string(r.sum(&counters::pub_inflight)) +
                         " publisher copies missing after " +
                         std::to_string(cfg.drain_timeout_s) + " s");
  if (!drained || r.errors() > 0) return;
  double wall = static_cast<double>(b.t_ns - a.t_ns) / 1e9;
  double deliveries = static_cast<double>(r.sum(&counters::window_ops));
  res["window_s"] = wall;
  res["broadcasts_per_s"] = static_cast<double>(r.sum(&counters::pub_window)) / wall;
  res["deliveries_per_s"] = deliveries / wall;
  res["latency_us"] = latency_json(merged(r, &worker::latency));
  add_cpu(cfg, a, b, deliveries, "delivery", res);
}

void run_echo(run& r, sio::json& res) {
  const auto& cfg = r.cfg;
  if (!set_up(r, cfg.connections)) return;
  auto window = measure(r, [&] {
    for (auto& w : r.workers) w->start_echo();
  });
  if (!window) return;
  auto [a, b] = *window;
  bool drained = r.wait(cfg.drain_timeout_s, [&] { return r.sum(&counters::outstanding) == 0; });
  res["lost"] = r.sum(&counters::outstanding);
  if (!drained && r.errors() == 0)
    r.failures.push_back("drain: " + std::to_string(r.sum(&counters::outstanding)) +
                         " acks missing after " + std::to_string(cfg.drain_timeout_s) + " s");
  if (!drained || r.errors() > 0) return;
  double wall = static_cast<double>(b.t_ns - a.t_ns) / 1e9;
  double acks = static_cast<double>(r.sum(&counters::window_ops));
  res["window_s"] = wall;
  res["acks_per_s"] = acks / wall;
  res["latency_us"] = latency_json(merged(r, &worker::latency));
  add_cpu(cfg, a, b, acks, "ack", res);
}

void run_connect(run& r, sio::json& res) {
  const auto& cfg = r.cfg;
  std::optional<std::uint64_t> rss0;
  if (cfg.server_pid > 0) rss0 = proc::rss_kib(cfg.server_pid);
  r.set(phase::measure);
  sample a = take_sample(cfg);
  if (!set_up(r, cfg.connections)) return;
  sample b = take_sample(cfg);
  std::uint64_t last = 0;
  for (const auto& w : r.workers)
    last = std::max(last, w->stats.last_settle_ns.load(std::memory_order_relaxed));
  b.t_ns = last;  // the last handshake's end, not when this thread noticed it
  double wall = static_cast<double>(b.t_ns - a.t_ns) / 1e9;
  r.set(phase::drain);
  res["window_s"] = wall;
  res["handshakes_per_s"] = static_cast<double>(cfg.connections) / wall;
  res["handshake_ms"] = {{"p50", us(merged(r, &worker::handshake).quantile(0.5)) / 1e3},
                         {"p99", us(merged(r, &worker::handshake).quantile(0.99)) / 1e3},
                         {"max", us(merged(r, &worker::handshake).max()) / 1e3}};
  add_cpu(cfg, a, b, static_cast<double>(cfg.connections), "handshake", res);
  // Idle: what the connections cost at rest.
  if (!r.wait(cfg.idle_s, {})) return;
  if (rss0) {
    auto rss1 = proc::rss_kib(cfg.server_pid);
    if (rss1) {
      res["server_rss_before_kib"] = *rss0;
      res["server_rss_after_kib"] = *rss1;
      res["server_kib_per_connection"] =
          (static_cast<double>(*rss1) - static_cast<double>(*rss0)) /
          static_cast<double>(cfg.connections);
    }
  }
}

void print_result(const config& cfg, const sio::json& res) {
  auto num = [&](const char* k) { return res.contains(k) ? res[k].get<double>() : NAN; };
  switch (cfg.kind) {
    case scenario::fanout:
      std::printf("  broadcasts/s   %.1f\n  deliveries/s   %.0f\n", num("broadcasts_per_s"),
                  num("deliveries_per_s"));
      break;
    case scenario::echo:
      std::printf("  acks/s         %.0f\n", num("acks_per_s"));
      break;
    case scenario::connect:
      std::printf("  handshakes/s   %.0f   (p50 %.2f ms, p99 %.2f ms)\n", num("handshakes_per_s"),
                  res["handshake_ms"]["p50"].get<double>(),
                  res["handshake_ms"]["p99"].get<double>());
      break;
  }
  if (res.contains("latency_us")) {
    const auto& l = res["latency_us"];
    std::printf("  latency        p50 %.0f us   p99 %.0f us   max %.0f us   (%llu samples)\n",
                l["p50"].get<double>(), l["p99"].get<double>(), l["max"].get<double>(),
                static_cast<unsigned long long>(l["samples"].get<std::uint64_t>()));
  }
  if (res.contains("lost")) std::printf("  lost           %llu\n",
                                        static_cast<unsigned long long>(res["lost"].get<std::uint64_t>()));
  if (res.contains("server_cpu_s"))
    std::printf("  server CPU     %.2f s (%.0f%% of a core): %.2f us per %s\n",
                num("server_cpu_s"), num("server_cpu_pct"), num("server_cpu_us_per_op"),
                res["op"].get<std::string>().c_str());
  if (res.contains("redis_cpu_s"))
    std::printf("  Redis CPU      %.2f s (%.0f%% of a core): %.2f us per %s\n", num("redis_cpu_s"),
                num("redis_cpu_pct"), num("redis_cpu_us_per_op"), res["op"].get<std::string>().c_str());
  if (res.contains("server_threads") && !res["server_threads"].empty()) {
    std::printf("  server threads");
    std::size_t shown = 0;
    for (const auto& t : res["server_threads"]) {
      if (shown++ == 4) break;
      std::printf("  %s %.0f%%", t["name"].get<std::string>().c_str(), t["cpu_pct"].get<double>());
    }
    std::printf("\n");
  }
  if (res.contains("server_kib_per_connection"))
    std::printf("  server RSS     %.0f -> %.0f KiB: %.1f KiB per idle connection\n",
                num("server_rss_before_kib"), num("server_rss_after_kib"),
                num("server_kib_per_connection"));
  std::printf("  sio-bench CPU  %.2f s (%.0f%% of a core, %u thread%s)\n", num("bench_cpu_s"),
              num("bench_cpu_pct"), cfg.threads, cfg.threads == 1 ? "" : "s");
}

int run_bench(const config& cfg) {
  // Descriptors: one per connection, plus a few. Raise the soft limit to the
  // hard one; more than that needs several processes.
  std::size_t total = cfg.connections + (cfg.kind == scenario::fanout ? 1 : 0);
  rlimit lim{};
  getrlimit(RLIMIT_NOFILE, &lim);
  if (lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
    getrlimit(RLIMIT_NOFILE, &lim);
  }
  if (total + 64 > lim.rlim_cur) {
    std::fprintf(stderr,
                 "sio-bench: %zu connections need %zu descriptors; the limit is %llu "
                 "(hard limit %llu): run fewer per process\n",
                 total, total + 64, static_cast<unsigned long long>(lim.rlim_cur),
                 static_cast<unsigned long long>(lim.rlim_max));
    return 2;
  }
  boost::system::error_code ec;
  auto address = asio::ip::make_address(cfg.host, ec);
  if (ec || !address.is_loopback()) {
    std::fprintf(stderr, "sio-bench: --host must be a loopback address (127.0.0.0/8, ::1)\n");
    return 2;
  }
  if (cfg.kind == scenario::fanout && cfg.payload < stamp_size) {
    std::fprintf(stderr, "sio-bench: fanout --payload must be at least %zu bytes\n", stamp_size);
    return 2;
  }
  if (total > cfg.per_address && !address.is_v4()) {
    std::fprintf(stderr, "sio-bench: over --per-address connections need an IPv4 target\n");
    return 2;
  }

  run r{cfg, make_templates(cfg), {}, {}, {}, {}};
  tcp::endpoint target(address, cfg.port);
  std::size_t per_thread = (cfg.concurrency + cfg.threads - 1) / cfg.threads;
  for (unsigned i = 0; i < cfg.threads; ++i)
    r.workers.push_back(std::make_unique<worker>(cfg, r.tpl, r.ph, target, i, per_thread));
  for (std::size_t i = 0; i < total; ++i) {
    role rl = role::idle;
    if (cfg.kind == scenario::fanout) rl = i == 0 ? role::publisher : role::subscriber;
    if (cfg.kind == scenario::echo) rl = role::echo;
    r.workers[i % cfg.threads]->add(i, rl);
  }

  std::printf("sio-bench %s against %s:%u%s: ", scenario_name(cfg.kind), cfg.host.c_str(),
              static_cast<unsigned>(cfg.port), cfg.label.empty() ? "" : (" (" + cfg.label + ")").c_str());
  switch (cfg.kind) {
    case scenario::fanout:
      std::printf("%zu subscribers + 1 publisher, payload %zu B, window %zu, %g s (+%g s warm-up)",
                  cfg.connections, cfg.payload, cfg.window, cfg.duration_s, cfg.warmup_s);
      break;
    case scenario::echo:
      std::printf("%zu clients, payload %zu B, %g s (+%g s warm-up)", cfg.connections,
                  cfg.payload, cfg.duration_s, cfg.warmup_s);
      break;
    case scenario::connect:
      std::printf("%zu connections, %zu handshakes at once, then %g s idle", cfg.connections,
                  cfg.concurrency, cfg.idle_s);
      break;
  }
  std::printf(", %u thread%s\n", cfg.threads, cfg.threads == 1 ? "" : "s");
  std::fflush(stdout);

  for (auto& w : r.workers) r.threads.emplace_back([&w] { w->run(); });

  sio::json res = sio::json::object();
  switch (cfg.kind) {
    case scenario::fanout: run_fanout(r, res); break;
    case scenario::echo: run_echo(r, res); break;
    case scenario::connect: run_connect(r, res); break;
  }
  r.stop_all();

  std::vector<std::string> errors = r.failures;
  std::uint64_t error_count = r.errors();
  for (const auto& w : r.workers)
    for (const auto& e : w->error_log) errors.push_back(e);
  if (res.contains("lost") && res["lost"].get<std::uint64_t>() > 0)
    errors.push_back(std::to_string(res["lost"].get<std::uint64_t>()) + " lost " +
                     (cfg.kind == scenario::echo ? "acks" : "deliveries"));
  bool ok = errors.empty() && error_count == 0;

  sio::json report = {{"scenario", scenario_name(cfg.kind)},
                      {"label", cfg.label},
                      {"ok", ok},
                      {"params",
                       {{"connections", cfg.connections},
                        {"payload", cfg.payload},
                        {"window", cfg.window},
                        {"duration_s", cfg.duration_s},
                        {"warmup_s", cfg.warmup_s},
                        {"threads", cfg.threads},
                        {"concurrency", cfg.concurrency},
                        {"idle_s", cfg.idle_s}}}};
  if (ok) {
    report["results"] = res;
    print_result(cfg, res);
    double per_thread_pct = res.value("bench_cpu_pct", 0.0) / cfg.threads;
    if (per_thread_pct > 85)
      std::printf("  warning: sio-bench used %.0f%% of each of its threads: it may be the "
                  "bottleneck (try --threads)\n",
                  per_thread_pct);
    report["bench_saturated"] = per_thread_pct > 85;
  } else {
    report["errors"] = errors;
    report["error_count"] = error_count;
    if (res.contains("lost")) report["lost"] = res["lost"];
    std::printf("  FAILED: no figures from this run (%llu connection errors)\n",
                static_cast<unsigned long long>(error_count));
    for (const auto& e : errors) std::printf("  error: %s\n", e.c_str());
  }
  std::fflush(stdout);
  if (!cfg.json_out.empty()) {
    std::ofstream out(cfg.json_out);
    out << report.dump(2) << "\n";
    if (!out) {
      std::fprintf(stderr, "sio-bench: cannot write %s\n", cfg.json_out.c_str());
      return 1;
    }
  }
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace sio_bench

int main(int argc, char** argv) {
  using sio_bench::config;
  using sio_bench::scenario;
  config cfg;
  CLI::App cli{"sio-bench: Socket.IO load generator (the benchmark scenarios)"};
  std::string kind = "fanout";
  cli.add_option("scenario", kind, "fanout, echo or connect")
      ->check(CLI::IsMember({"fanout", "echo", "connect"}))
      ->required();
  cli.add_option("--host", cfg.host, "Server address (loopback only)")->capture_default_str();
  cli.add_option("--port", cfg.port, "Server port")->required();
  cli.add_option("--path", cfg.path, "Engine.IO path")->capture_default_str();
  cli.add_option("-c,--connections", cfg.connections,
                 "fanout: subscribers (plus one publisher); echo: clients; connect: connections")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000000}));
  cli.add_option("-p,--payload", cfg.payload, "Payload bytes (fanout: at least 43)")
      ->capture_default_str();
  cli.add_option("-w,--window", cfg.window, "fanout: broadcasts in flight")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000}));
  cli.add_option("-d,--duration", cfg.duration_s, "Measured seconds")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 3600.0));
  cli.add_option("--warmup", cfg.warmup_s, "Seconds of load before measuring")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 600.0));
  cli.add_option("-t,--threads", cfg.threads, "Threads (connections are spread over them)")
      ->capture_default_str()
      ->check(CLI::Range(1u, 64u));
  cli.add_option("--concurrency", cfg.concurrency, "Handshakes in progress at once")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000}));
  cli.add_option("--idle", cfg.idle_s, "connect: seconds idle before reading the server's RSS")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 600.0));
  cli.add_option("--server-pid", cfg.server_pid,
                 "The server's pid: its CPU time (/proc/PID/stat) and RSS (/proc/PID/status)");
  cli.add_option("--port2", cfg.port2,
                 "fanout on a cluster: a second node's port, for every other subscriber");
  cli.add_option("--more-server-pids", cfg.more_server_pids,
                 "Pids whose CPU adds to the server's (a cluster's other nodes)")
      ->delimiter(',');
  cli.add_option("--redis-pid", cfg.redis_pid, "A Redis behind the servers: its CPU, apart");
  cli.add_option("--handshake-timeout", cfg.handshake_timeout_ms,
                 "ms for one connection's TCP connect, upgrade, Engine.IO and Socket.IO "
                 "handshakes (and join)")
      ->capture_default_str()
      ->check(CLI::Range(1u, 600000u));
  cli.add_option("--setup-timeout", cfg.setup_timeout_s, "Seconds for all connections to be ready")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 3600.0));
  cli.add_option("--drain-timeout", cfg.drain_timeout_s,
                 "Seconds for what is in flight to arrive after the window")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 600.0));
  cli.add_option("--per-address", cfg.per_address,
                 "Connections per source address 127.0.0.x once there are more")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{60000}));
  cli.add_option("--room", cfg.room, "fanout: the room")->capture_default_str();
  cli.add_option("--plain-path", cfg.plain_path,
                 "fanout: subscribers are plain WebSocket clients of this path (the server's "
                 "--ws-path), joining the room by its query; the publisher stays Socket.IO");
  cli.add_option("--json", cfg.json_out, "Write the report as JSON to this file");
  cli.add_option("--label", cfg.label, "A name for the server, in the report");
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e) == 0 ? 0 : 2;
  }
  cfg.kind = kind == "echo" ? scenario::echo : kind == "connect" ? scenario::connect
                                                                 : scenario::fanout;
  return sio_bench::run_bench(cfg);
}
