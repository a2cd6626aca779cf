#include "ops_routes.hpp"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <vector>

#include <boost/asio/post.hpp>
#include <caf/event_based_actor.hpp>

#include "sio/actors/atoms.hpp"
#include "sio/actors/metrics.hpp"

namespace sio::detail::ops {
namespace {

namespace m = sio::metrics;

std::string_view path_of(std::string_view target) {
  auto q = target.find('?');
  return q == std::string_view::npos ? target : target.substr(0, q);
}

// A label value as the exposition format wants it: \, " and newline escaped.
std::string escape(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out.push_back(c);
  }
  return out;
}

std::string label_name(std::string_view reason) {
  std::string out(reason);
  for (auto& c : out)
    if (c == ' ') c = '_';
  return out;
}

class writer {
 public:
  void family(std::string_view name, std::string_view type, std::string_view help) {
    out_ << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
  }
  template <class Value>
  void sample(std::string_view name, Value value, std::string_view labels = {}) {
    out_ << name;
    if (!labels.empty()) out_ << '{' << labels << '}';
    out_ << ' ' << value << '\n';
  }
  std::string str() const { return out_.str(); }

 private:
  std::ostringstream out_;
};

// The standard process_* figures, from /proc (Linux).
void process_figures(writer& w) {
  std::ifstream stat_file("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_file)), std::istreambuf_iterator<char>());
  auto after_name = stat.rfind(')');
  if (after_name == std::string::npos) return;
  std::istringstream fields(stat.substr(after_name + 2));
  // Fields from the third (state) on; utime is the 14th field of the line.
  std::string field;
  std::vector<std::string> f;
  while (fields >> field) f.push_back(field);
  if (f.size() < 22) return;
  double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  double utime = std::stod(f[11]), stime = std::stod(f[12]);
  double start_ticks = std::stod(f[19]);
  double vsize = std::stod(f[20]);
  double rss_pages = std::stod(f[21]);
  double boot_time = 0;
  std::ifstream proc_stat("/proc/stat");
  for (std::string line; std::getline(proc_stat, line);)
    if (line.rfind("btime ", 0) == 0) boot_time = std::stod(line.substr(6));
  std::size_t fds = 0;
  if (DIR* dir = opendir("/proc/self/fd")) {
    while (auto* entry = readdir(dir))
      if (entry->d_name[0] != '.') ++fds;
    closedir(dir);
    if (fds > 0) --fds;  // the directory's own descriptor
  }
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);

  w.family("process_cpu_seconds_total", "counter", "Total user and system CPU time in seconds.");
  w.sample("process_cpu_seconds_total", (utime + stime) / ticks);
  w.family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
  w.sample("process_resident_memory_bytes",
           static_cast<std::uint64_t>(rss_pages * static_cast<double>(sysconf(_SC_PAGESIZE))));
  w.family("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.");
  w.sample("process_virtual_memory_bytes", static_cast<std::uint64_t>(vsize));
  w.family("process_start_time_seconds", "gauge",
           "Start time of the process since unix epoch in seconds.");
  w.sample("process_start_time_seconds", boot_time + start_ticks / ticks);
  w.family("process_open_fds", "gauge", "Number of open file descriptors.");
  w.sample("process_open_fds", fds);
  w.family("process_max_fds", "gauge", "Maximum number of open file descriptors.");
  w.sample("process_max_fds", static_cast<std::uint64_t>(limit.rlim_cur));
}

}  // namespace

endpoint match(std::string_view target) noexcept {
  auto path = path_of(target);
  if (path == "/livez") return endpoint::livez;
  if (path == "/readyz") return endpoint::readyz;
  if (path == "/metrics") return endpoint::metrics;
  return endpoint::none;
}

answer readiness(const gateway_context& ctx) {
  if (ctx.draining.load(std::memory_order_relaxed))
    return {503, "text/plain; charset=utf-8", "draining\n"};
  return {200, "text/plain; charset=utf-8", "ok\n"};
}

answer metrics_page(const gateway_context& ctx) {
  auto t = m::sum();
  using c = m::counter;
  writer w;
  auto transport = [](std::string_view name) { return "transport=\"" + std::string(name) + '"'; };

  w.family("socketio_engine_connections", "gauge", "Open Engine.IO sessions by transport.");
  w.sample("socketio_engine_connections",
           t.get(c::polling_opened) - t.get(c::upgraded) - t.get(c::polling_closed),
           transport("polling"));
  w.sample("socketio_engine_connections",
           t.get(c::websocket_opened) + t.get(c::upgraded) - t.get(c::websocket_closed),
           transport("websocket"));
  w.family("socketio_handshakes_total", "counter",
           "Engine.IO sessions opened, by first transport.");
  w.sample("socketio_handshakes_total", t.get(c::polling_opened), transport("polling"));
  w.sample("socketio_handshakes_total", t.get(c::websocket_opened), transport("websocket"));
  w.family("socketio_upgrades_total", "counter", "Sessions upgraded from polling to WebSocket.");
  w.sample("socketio_upgrades_total", t.get(c::upgraded));
  w.family("socketio_handshake_rejections_total", "counter",
           "Handshakes and connections refused before a session existed, by reason.");
  for (std::size_t i = 0; i < t.rejected.size(); ++i)
    w.sample("socketio_handshake_rejections_total", t.rejected[i],
             "reason=\"" + std::string(m::to_string(static_cast<m::rejection>(i))) + '"');
  w.family("socketio_connections_closed_total", "counter", "Engine.IO sessions ended, by reason.");
  for (std::size_t i = 0; i <= static_cast<std::size_t>(close_reason::slow_consumer); ++i)
    w.sample("socketio_connections_closed_total", t.closed_by_reason[i],
             "reason=\"" + label_name(to_string(static_cast<close_reason>(i))) + '"');
  w.family("socketio_sockets", "gauge",
           "Connected Socket.IO sockets by namespace (the first namespaces seen; the rest are "
           "\"other\").");
  for (std::size_t i = 0; i < t.namespaces.size(); ++i)
    w.sample("socketio_sockets", t.sockets[i], "namespace=\"" + escape(t.namespaces[i]) + '"');
  if (t.namespaces.size() >= m::max_namespace_labels)
    w.sample("socketio_sockets", t.sockets[m::max_namespace_labels], "namespace=\"other\"");

  auto counter = [&](std::string_view name, c which, std::string_view help) {
    w.family(name, "counter", help);
    w.sample(name, t.get(which));
  };
  counter("socketio_events_received_total", c::events_in, "EVENT packets received from clients.");
  counter("socketio_events_rate_limited_total", c::events_rate_limited,
          "EVENT packets dropped because their connection was past its event rate.");
  counter("socketio_events_sent_total", c::events_out,
          "EVENT packets emitted to a single socket (broadcasts count as deliveries).");
  counter("socketio_deliveries_total", c::deliveries,
          "Broadcast packets handed to a recipient connection.");
  counter("socketio_acks_received_total", c::acks_in, "Acknowledgements received from clients.");
  counter("socketio_acks_sent_total", c::acks_out, "Acknowledgements sent to clients.");
  counter("socketio_volatile_dropped_total", c::volatile_dropped,
          "Volatile packets dropped because their client's send queue was past its soft bound, "
          "or every queue together past the budget.");
  counter("socketio_frames_written_total", c::frames_written, "WebSocket frames written.");
  counter("socketio_writes_total", c::writes,
          "Gather writes that carried those frames (frames per write = the ratio).");
  w.family("socketio_send_queue_bytes", "gauge",
           "Bytes queued for clients and not yet sent: WebSocket queues not yet taken by the "
           "kernel, packets polling clients have not fetched.");
  w.sample("socketio_send_queue_bytes", t.get(c::send_queue_bytes));
  w.family("socketio_send_queue_budget_bytes", "gauge",
           "The memory budget over every send queue, WebSocket and polling (0: none).");
  w.sample("socketio_send_queue_budget_bytes",
           static_cast<std::int64_t>(ctx.options.max_total_buffered));
  counter("socketio_send_queue_budget_closes_total", c::budget_closes,
          "Connections disconnected as slow consumers because they held the largest queues "
          "while all queues together were over the budget.");
  w.family("socketio_reads_paused", "gauge",
           "Connections not being read because a queue of theirs is full (backpressure).");
  w.sample("socketio_reads_paused", t.get(c::reads_paused));
  w.family("socketio_backend_queued_events", "gauge",
           "Client events waiting for a free slot at their backend (the proxy).");
  w.sample("socketio_backend_queued_events", t.get(c::backend_queued));
  counter("socketio_backend_reconnects_total", c::backend_reconnects,
          "Backend channels connected again after losing their connection.");
  counter("socketio_backend_connect_failures_total", c::backend_link_failures,
          "Attempts to connect or reconnect a backend channel that failed (retried with "
          "backoff).");
  counter("socketio_cluster_publishes_dropped_total", c::cluster_publishes_dropped,
          "Messages for the other nodes of the cluster lost because Redis was unreachable.");
  counter("socketio_cluster_messages_dropped_total", c::cluster_messages_dropped,
          "Messages on the cluster's channels dropped because they could not be read.");
  counter("socketio_cluster_requests_failed_total", c::cluster_requests_failed,
          "Cluster requests (fetches, counts, acks) that ended before every node answered.");
  counter("socketio_cluster_reconnects_total", c::cluster_reconnects,
          "Attempts to connect to Redis again after losing it or failing to reach it.");

  w.family("socketio_ack_latency_seconds", "histogram",
           "Time from an emit with an acknowledgement to the client's answer.");
  std::int64_t cumulative = 0;
  for (std::size_t i = 0; i < m::ack_latency_bounds.size(); ++i) {
    cumulative += t.ack_latency[i];
    std::ostringstream le;
    le << "le=\"" << m::ack_latency_bounds[i] << '"';
    w.sample("socketio_ack_latency_seconds_bucket", cumulative, le.str());
  }
  cumulative += t.ack_latency.back();
  w.sample("socketio_ack_latency_seconds_bucket", cumulative, "le=\"+Inf\"");
  w.sample("socketio_ack_latency_seconds_sum", static_cast<double>(t.ack_latency_micros) / 1e6);
  w.sample("socketio_ack_latency_seconds_count", cumulative);

  process_figures(w);
  return {200, "text/plain; version=0.0.4; charset=utf-8", w.str()};
}

void liveness(const gateway_context& ctx, std::chrono::milliseconds within,
              std::function<void(answer)> done) {
  struct probe {
    std::atomic<std::size_t> left;
    std::atomic<bool> answered{false};
    std::function<void(answer)> done;
    void arrived() {
      if (left.fetch_sub(1, std::memory_order_acq_rel) == 1) finish(true);
    }
    void finish(bool live) {
      if (answered.exchange(true)) return;
      if (live)
        done({200, "text/plain; charset=utf-8", "ok\n"});
      else
        done({503, "text/plain; charset=utf-8", "not responding\n"});
    }
  };
  auto p = std::make_shared<probe>();
  p->left = ctx.io_contexts.size() + 1;  // every I/O thread and the registry
  p->done = std::move(done);
  for (auto* io : ctx.io_contexts) boost::asio::post(*io, [p] { p->arrived(); });
  ctx.system.spawn([p, registry = ctx.registry, within](caf::event_based_actor* self) {
    self->delayed_send(self, within, atoms::tick::value);
    self->request(registry, within, atoms::count::value)
        .then([p](std::size_t) { p->arrived(); }, [p](caf::error&) { p->finish(false); });
    return caf::behavior{[self, p](atoms::tick) {
      p->finish(false);
      self->quit();
    }};
  });
}

}  // namespace sio::detail::ops
