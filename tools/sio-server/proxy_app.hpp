#pragma once

#include <memory>
#include <string>

#include "server_options.hpp"
#include "sio/actors/server.hpp"

namespace sio {

/// The `[[backends]]` and `[[routes]]` of the config file.
struct proxy_routes;

/// Reads the proxy's tables of the config file at `config_file` ("" = no
/// file: none); what is wrong with them, or "".
std::string read_proxy_routes(const std::string& config_file,
                              std::shared_ptr<const proxy_routes>& out);

/// Why the --backend flags and the routes cannot be used as given (shown as
/// a usage error), or "" when they can.
std::string proxy_usage_error(const cli::server_options& o, const proxy_routes* routes);

/// With routes: each route's namespace gets its backends. With --backend:
/// for --app proxy every namespace (a dynamic one matching all names) is
/// played by the backend; another app keeps its handlers, and the backend
/// decides its "/" connects and answers the events no handler of the app
/// takes. Call after the app's configure, before session_handlers().
void configure_proxy(server& io, const cli::server_options& o, const proxy_routes* routes);

}  // namespace sio
