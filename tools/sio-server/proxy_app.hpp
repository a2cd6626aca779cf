#pragma once

#include <string>

#include "server_options.hpp"
#include "sio/actors/server.hpp"

namespace sio {

/// Why the --backend flags cannot be used as given (shown as a usage
/// error), or "" when they can.
std::string proxy_usage_error(const cli::server_options& o);

/// With --backend: for --app proxy every namespace (a dynamic one matching
/// all names) is played by the backend; another app keeps its handlers, and
/// the backend decides its "/" connects and answers the events no handler
/// of the app takes. Call after the app's configure, before session_handlers().
void configure_proxy(server& io, const cli::server_options& o);

}  // namespace sio
