#pragma once

#include <functional>
#include <string>
#include <vector>

#include "sio/actors/server.hpp"
#include "sio/actors/session_handler.hpp"

namespace sio {
struct server_options;
}

namespace sio::examples {

/// A built-in app of sio-server.
struct app {
  std::string name;
  std::string description;
  /// A Socket.IO app sets up its namespaces and handlers on the server.
  std::function<void(server&)> configure;
  /// An Engine.IO-only app (no Socket.IO) brings its own session handler
  /// instead; then `configure` is not used.
  handler_factory engine_handler;
  /// Its web page: a directory under examples/ ("chat/public") that
  /// sio-server serves at "/" unless told otherwise; empty: none.
  std::string web_dir;
  /// The plain WebSocket path it serves when --ws-path is not given; empty:
  /// none.
  std::string ws_path;
  /// Whether sio-server runs it with connection state recovery on
  /// (as with --recovery).
  bool recovery = false;
  /// Adjusts the server's options (e.g. a gateway hook) just before the
  /// server starts on `system`, which outlives it; empty: nothing.
  std::function<void(server_options&, caf::actor_system& system)> setup;
};

/// Every app `sio-server --app NAME` knows.
std::vector<app> builtin_apps();

}  // namespace sio::examples
