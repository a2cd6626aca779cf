#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

#include <caf/actor_system.hpp>

#include "sio/actors/server.hpp"
#include "sio/actors/session_handler.hpp"
#include "sio/server_options.hpp"

namespace sio {

/// A started server: its session registry, gateway and Socket.IO server on
/// the host's actor system, which must outlive it. Destroying it stops it.
class running_server {
 public:
  running_server(running_server&&) noexcept;
  running_server& operator=(running_server&&) noexcept;
  ~running_server();

  /// The port it listens on (the chosen one when the options said 0).
  std::uint16_t port() const;
  /// The port of the separate metrics listener (gateway.metrics_listen), 0
  /// when there is none.
  std::uint16_t metrics_port() const;
  /// Engine.IO sessions open now (asks the registry; at most a second).
  std::size_t open_sessions() const;

  /// The Socket.IO server, to broadcast from anywhere (`io().of("/").emit`);
  /// its namespaces are fixed by now. Throws std::logic_error when the
  /// server was started by start_engine_io.
  server& io();

  /// Stops gracefully: /readyz answers 503 at once; after the options'
  /// pre_stop_delay it accepts no new connection, ends every session with
  /// "server shutting down" once what was queued for it has left, then ends
  /// the I/O threads. Sessions still open after `shutdown_timeout` are cut
  /// off; returns false if that happened. From any thread but a handler's;
  /// a second call waits for the first and returns its answer.
  bool stop();

  /// Blocks until the server has stopped: by stop() on another thread, or by
  /// a signal that stop_on_signals() asked for (then it stops the server on
  /// this thread first). Returns that signal's number, or 0.
  int wait();

  /// From now on SIGINT and SIGTERM make wait() stop the server, after
  /// calling `on_signal` with the signal's number. Signals that come while
  /// it stops reach `on_signal` too (from another thread), and cut the
  /// pre-stop delay short. One server at a time owns
  /// these signals; the previous handlers come back when it is destroyed.
  void stop_on_signals(std::function<void(int)> on_signal = {});

  struct impl;

 private:
  friend running_server start(caf::actor_system&, const server_options&,
                              const std::function<void(server&)>&);
  friend running_server start_engine_io(caf::actor_system&, const server_options&,
                                        handler_factory);
  explicit running_server(std::unique_ptr<impl> i);
  std::unique_ptr<impl> impl_;
};

/// socket.io's `new Server(opts).listen(port)`: makes the Socket.IO server,
/// lets `configure` add its namespaces, middlewares and handlers, and starts
/// listening. Throws std::invalid_argument when check_options() finds a
/// contradiction, and std::system_error (or boost::system::system_error)
/// when the address cannot be bound.
running_server start(caf::actor_system& sys, const server_options& options,
                     const std::function<void(server&)>& configure);

/// An Engine.IO server without Socket.IO: `handlers` makes the layer above
/// Engine.IO for each session. `options.socketio` is not used.
running_server start_engine_io(caf::actor_system& sys, const server_options& options,
                               handler_factory handlers);

}  // namespace sio
