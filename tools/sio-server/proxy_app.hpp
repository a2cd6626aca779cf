#pragma once

#include <string>

#include "server_options.hpp"
#include "sio/actors/server.hpp"

namespace sio {

/// Why the --backend flags cannot be used as given (shown as a usage
/// error), or "" when they can.
std::string proxy_usage_error(const server_options& o);

/// For --app proxy: every namespace (a dynamic one matching all names) is
/// played by the backend of --backend. Call before session_handlers().
void configure_proxy(server& io, const server_options& o);

}  // namespace sio
