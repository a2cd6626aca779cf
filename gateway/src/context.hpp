#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "sio/actors/engine_options.hpp"
#include "sio/gateway/engine_route.hpp"
#include "sio/gateway/gateway_options.hpp"
#include "allow_request.hpp"

namespace sio::detail {

/// The gateway's options with the Engine.IO settings it enforces as well.
struct gateway_settings : gateway_options {
  gateway_settings(gateway_options g, const engine_options& e)
      : gateway_options(std::move(g)),
        max_payload(e.max_payload),
        allow_polling(e.allow_polling),
        allow_websocket(e.allow_websocket) {}
  /// maxHttpBufferSize: largest polling body and WebSocket message.
  std::size_t max_payload;
  bool allow_polling;
  bool allow_websocket;
};

inline route::decision decide(const route::request_view& req, const gateway_settings& s) {
  return route::decide(req, s, {s.allow_polling, s.allow_websocket});
}
class admission;

/// What every gateway session needs to know; shared, read-only after start.
struct gateway_context {
  caf::actor_system& system;
  caf::actor registry;
  gateway_settings options;
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
  /// The handshakes waiting for allow_request_async (closed by the stop).
  std::shared_ptr<handshake_answers> answers = std::make_shared<handshake_answers>();
  /// When the gateway started, for process_start_time_seconds.
  std::chrono::system_clock::time_point started = std::chrono::system_clock::now();
};

}  // namespace sio::detail
