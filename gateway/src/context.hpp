#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "sio/gateway/gateway_options.hpp"

namespace sio::detail {

class admission;

/// What every gateway session needs to know; shared, read-only after start.
struct gateway_context {
  caf::actor_system& system;
  caf::actor registry;
  gateway_options options;
  /// The version of the client bundle in options.client_dir (its ETag).
  std::string client_version;
  /// Writes under way on all sessions, so a graceful shutdown can wait for
  /// the last close frames and answers to leave.
  mutable std::atomic<int> writes_in_flight{0};
  /// Set when a graceful shutdown begins: /readyz answers 503 from then on.
  mutable std::atomic<bool> draining{false};
  /// Every I/O thread's io_context, which /livez checks are running.
  std::vector<boost::asio::io_context*> io_contexts{};
  /// The connection limits (see gateway_options); never null once started.
  admission* limits = nullptr;
  /// options.trusted_proxies, parsed.
  std::vector<boost::asio::ip::address> trusted_proxies{};
  bool trusted(const boost::asio::ip::address& a) const {
    for (const auto& p : trusted_proxies)
      if (p == a) return true;
    return false;
  }
  /// When the gateway started, for process_start_time_seconds.
  std::chrono::system_clock::time_point started = std::chrono::system_clock::now();
};

}  // namespace sio::detail
