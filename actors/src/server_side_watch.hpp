#pragma once

#include <cstddef>
#include <string>

#include "sio/actors/server_side_emit.hpp"

namespace sio::detail {

/// Tells the watchers of namespace `nsp` of a server-side emit that reached
/// this node; returns how many watchers it reached.
std::size_t report_server_side_emit(const std::string& nsp, const server_side_emit_request& req);

}  // namespace sio::detail
