#pragma once

#include <memory>
#include <string>

#include "server_options.hpp"
#include "sio/actors/server.hpp"

namespace sio {

/// Why the gRPC flags cannot be used as given (shown as a usage error), or
/// "" when they can. `socketio`: the app has a Socket.IO server (an
/// Engine.IO-only app has none to drive).
std::string grpc_api_usage_error(const cli::server_options& o, bool socketio);

/// Starts the gRPC API when --grpc-listen is set and prints where it
/// listens; destroying the handle stops it. Throws when it cannot listen.
std::shared_ptr<void> start_grpc_api(server* io, const cli::server_options& o);

}  // namespace sio
