#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sio/actors/close_reason.hpp"

/// Operational counters. Each thread that counts has its own block, written
/// by that thread alone (a relaxed load and store, no locked instruction, no
/// shared cache line), and a scrape sums the blocks of every thread.
namespace sio::metrics {

/// What is counted. Gauges are differences of counters (opened - closed) or
/// signed per-thread sums (bytes queued on one thread, written on it).
enum class counter : std::uint8_t {
  polling_opened,       ///< Engine.IO sessions opened over polling
  websocket_opened,     ///< ... over WebSocket
  upgraded,             ///< polling sessions upgraded to WebSocket
  polling_closed,       ///< sessions that ended on polling
  websocket_closed,     ///< ... on WebSocket
  events_in,            ///< EVENT packets from clients
  events_out,           ///< EVENT packets to one socket (emit, not broadcast)
  deliveries,           ///< broadcast packets handed to a recipient connection
  acks_in,              ///< ACK packets from clients answering the server
  acks_out,             ///< ACK packets the server sent
  volatile_dropped,     ///< volatile packets not sent (queue past its soft bound, or over the budget)
  frames_written,       ///< WebSocket frames written
  writes,               ///< gather writes (system calls) that wrote them
  send_queue_bytes,     ///< gauge: bytes queued for clients and not yet written
  budget_closes,        ///< connections closed as the largest over the global budget
  events_rate_limited,  ///< EVENT packets dropped past a connection's event rate
  reads_paused,         ///< gauge: connections whose reading is paused (backpressure)
  backend_queued,       ///< gauge: events waiting for a backend (the proxy's queues)
  backend_reconnects,   ///< backend channels connected again after losing their link
  backend_link_failures,  ///< attempts to (re)connect a backend channel that failed
  cluster_publishes_dropped,  ///< publishes to the cluster lost while Redis was unreachable
  cluster_messages_dropped,   ///< messages from the cluster's channels that made no sense
  cluster_requests_failed,    ///< cluster requests that ended before every node answered
  cluster_reconnects,         ///< Redis connections made again after losing them
  count_
};

/// Why a handshake or connection was refused before a session existed.
enum class rejection : std::uint8_t {
  bad_request,       ///< a protocol error (unknown transport, bad version ...)
  forbidden,         ///< allowRequest said no
  max_connections,   ///< the server is full
  per_ip,            ///< that address holds too many connections
  handshake_rate,    ///< that address handshakes too fast
  draining,          ///< the server is shutting down
  count_
};

constexpr std::string_view to_string(rejection r) noexcept {
  switch (r) {
    case rejection::bad_request: return "bad_request";
    case rejection::forbidden: return "forbidden";
    case rejection::max_connections: return "max_connections";
    case rejection::per_ip: return "per_ip";
    case rejection::handshake_rate: return "handshake_rate";
    case rejection::draining: return "draining";
    case rejection::count_: break;
  }
  return "other";
}

/// Namespaces with a label of their own; the rest count as "other", so that
/// dynamic namespaces cannot grow the label set without bound.
constexpr std::size_t max_namespace_labels = 32;

/// Ack latency buckets (seconds), upper bounds; +Inf follows.
constexpr std::array<double, 10> ack_latency_bounds = {0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                       0.025,  0.05,  0.1,    0.5,   1.0};

constexpr std::size_t close_reasons = 8;  // >= the number of close_reason values

/// One thread's block. Written only by its thread; read by scrapes.
struct thread_block {
  std::array<std::atomic<std::int64_t>, static_cast<std::size_t>(counter::count_)> counters{};
  std::array<std::atomic<std::int64_t>, close_reasons> closed_by_reason{};
  std::array<std::atomic<std::int64_t>, static_cast<std::size_t>(rejection::count_)> rejected{};
  /// Sockets connected to and disconnected from each namespace slot (the
  /// last slot is "other").
  std::array<std::atomic<std::int64_t>, max_namespace_labels + 1> sockets_joined{};
  std::array<std::atomic<std::int64_t>, max_namespace_labels + 1> sockets_left{};
  std::array<std::atomic<std::int64_t>, ack_latency_bounds.size() + 1> ack_latency{};
  std::atomic<std::int64_t> ack_latency_micros{0};
};

/// This thread's block, made and registered on first use.
thread_block& local() noexcept;

/// The one writer of `a` adds `n`: no read-modify-write needed.
inline void bump(std::atomic<std::int64_t>& a, std::int64_t n = 1) noexcept {
  a.store(a.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

inline void add(counter c, std::int64_t n = 1) noexcept {
  bump(local().counters[static_cast<std::size_t>(c)], n);
}

inline void closed(close_reason r) noexcept {
  bump(local().closed_by_reason[static_cast<std::size_t>(r) % close_reasons]);
}

inline void rejected(rejection r) noexcept {
  bump(local().rejected[static_cast<std::size_t>(r)]);
}

/// Records one ack's round trip.
void ack_latency(std::int64_t micros) noexcept;

/// The label slot of namespace `name`: the same slot every time for one
/// name, `max_namespace_labels` ("other") once the slots are taken. Takes a
/// lock: call it once per namespace, not per packet.
std::size_t namespace_slot(const std::string& name);

/// The sum over every thread's block.
struct totals {
  std::array<std::int64_t, static_cast<std::size_t>(counter::count_)> counters{};
  std::array<std::int64_t, close_reasons> closed_by_reason{};
  std::array<std::int64_t, static_cast<std::size_t>(rejection::count_)> rejected{};
  std::vector<std::string> namespaces;  ///< slot -> name, for the slots in use
  std::array<std::int64_t, max_namespace_labels + 1> sockets{};  ///< connected now
  std::array<std::int64_t, ack_latency_bounds.size() + 1> ack_latency{};
  std::int64_t ack_latency_micros = 0;
  std::int64_t get(counter c) const noexcept { return counters[static_cast<std::size_t>(c)]; }
};

totals sum();

}  // namespace sio::metrics
