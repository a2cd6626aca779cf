#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "sio/actors/adapter.hpp"
#include "sio/cluster/redis_link.hpp"

namespace sio::cluster {

/// `@socket.io/redis-adapter`'s options, as far as they apply.
struct redis_adapter_options {
  /// redis://HOST:PORT
  std::string url = "redis://127.0.0.1:6379";
  /// The channel prefix (`key`).
  std::string key = "socket.io";
  /// How long a cluster request (fetch_sockets, the server count) waits for
  /// every node (`requestsTimeout`).
  std::chrono::milliseconds requests_timeout{5000};
  /// Where the link and the adapters report outages and dropped messages
  /// (default: stderr).
  std::function<void(std::string_view event, std::string_view detail)> log;
};

/// Counters of the adapters of a cluster, readable from any thread.
struct redis_adapter_stats {
  /// Messages on the channels that could not be read or made no sense.
  std::atomic<std::uint64_t> malformed{0};
  /// Broadcasts from other nodes delivered here.
  std::atomic<std::uint64_t> received_broadcasts{0};
  /// Cluster requests that failed before every node answered.
  std::atomic<std::uint64_t> failed_requests{0};
};

/// The process's Redis cluster membership: one link, and a factory for the
/// adapter of each namespace (socketio_options::adapter).
class redis_cluster {
 public:
  /// Starts the link (a Redis that is down is retried). Throws
  /// std::invalid_argument when the URL is not redis://HOST:PORT.
  explicit redis_cluster(redis_adapter_options options);

  adapter_factory adapter() const;
  const redis_link_stats& link_stats() const noexcept { return link_->stats(); }
  const redis_adapter_stats& stats() const noexcept { return *stats_; }

 private:
  redis_adapter_options options_;
  std::shared_ptr<redis_link> link_;
  std::shared_ptr<redis_adapter_stats> stats_;
};

}  // namespace sio::cluster
