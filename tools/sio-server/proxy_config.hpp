#pragma once

// The backend proxy's part of the config file: `[[backends]]` (where each
// backend is and how to reach it) and `[[routes]]` (which backend plays which
// part of which namespace). The flags' part of the file is CLI11's; these two
// tables are read here, with a TOML parser, since CLI11 reads no arrays of
// tables.

#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "sio/rpc/backend_proxy.hpp"

namespace sio {

/// One `[[backends]]` table.
struct backend_entry {
  std::string name;
  rpc::backend_options options;
};

/// One `[[routes]]` table: the namespace (or "*": every namespace no other
/// route names) and who plays what in it.
struct route_entry {
  std::string nsp;
  /// The backend that decides connects ("" = none: every connect accepted).
  std::string connect;
  /// The backend told of disconnects ("" = none).
  std::string disconnect;
  /// Event name ("*" = every event without a local handler) -> backend.
  std::vector<std::pair<std::string, std::string>> events;
  /// Timeouts, order, failure policies and what travels with events; its
  /// connect, events and disconnect members are set per backend.
  rpc::route_options options;
};

struct proxy_config {
  std::vector<backend_entry> backends;
  std::vector<route_entry> routes;
  bool empty() const noexcept { return backends.empty() && routes.empty(); }
};

/// Reads the `[[backends]]` and `[[routes]]` tables of the TOML file at
/// `path` (the other keys are left to the flags). The string is what is
/// wrong: a syntax error with its line, an unknown key, a route naming no
/// declared backend, a certificate file that cannot be read.
std::variant<proxy_config, std::string> read_proxy_config(const std::string& path);

}  // namespace sio
