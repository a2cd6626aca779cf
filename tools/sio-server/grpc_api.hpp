#pragma once

#include <memory>
#include <string>

#include "server_options.hpp"
#include "sio/actors/server.hpp"

namespace sio {

/// Why the gRPC flags cannot be used as given (shown as a usage error), or
/// "" when they can. `io` is null for Engine.IO-only apps.
std::string grpc_api_usage_error(const server_options& o, const server* io);

/// Starts the gRPC API when --grpc-listen is set and prints where it
/// listens; destroying the handle stops it. Throws when it cannot listen.
std::shared_ptr<void> start_grpc_api(server* io, const server_options& o);

}  // namespace sio
