#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "sio/actors/engine_options.hpp"
#include "sio/gateway/gateway_options.hpp"

namespace sio {

/// The HTTP/WebSocket front end: accepts TCP connections on Asio threads,
/// parses HTTP with Boost.Beast, frames WebSocket messages itself, and turns
/// both into messages to the session registry and the connection actors.
/// It owns sockets and buffers, nothing else.
class gateway {
 public:
  /// `engine` gives the largest message and the transports allowed, which
  /// the gateway enforces before any actor sees a request.
  gateway(caf::actor_system& sys, caf::actor registry, gateway_options options,
          const engine_options& engine = {});
  ~gateway();
  gateway(const gateway&) = delete;
  gateway& operator=(const gateway&) = delete;

  /// Binds, listens and starts `threads` I/O threads. Throws
  /// std::system_error when the address cannot be bound.
  void start(unsigned threads);

  /// The port it listens on (the chosen one when the options said 0).
  std::uint16_t port() const;

  /// The port of the separate metrics listener (options.metrics_listen), 0
  /// when there is none.
  std::uint16_t metrics_port() const;

  /// Marks the server as draining: /readyz answers 503 from now on, so that
  /// load balancers send new clients elsewhere.
  void begin_drain();

  /// Stops accepting new connections; open ones go on (a graceful shutdown
  /// lets them flush first).
  void stop_accepting();

  /// Waits until no write is in flight or `max` passed, whichever is first.
  void drain(std::chrono::milliseconds max);

  /// Stops accepting and ends every I/O thread; returns when they ended.
  void stop();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace sio
