#pragma once

#include <cstdint>

#include "sio/gateway/engine_route.hpp"
#include "sio/gateway/gateway_options.hpp"

/// Whether a request is for the plain WebSocket endpoint (gateway_options::
/// ws_path), decided before the Engine.IO routes. Pure: no sockets.
namespace sio::route {

enum class plain_action : std::uint8_t {
  not_plain,       // not the plain path (or none configured): the usual routes
  upgrade,         // a WebSocket upgrade: a plain WebSocket client
  engine_io_query, // Engine.IO's query (EIO, transport, sid) on the plain path: HTTP 400
  not_upgrade,     // any other request to the plain path: the usual routes
};

/// The plain path matches with or without a trailing slash, as clients
/// (socket.io-client among them) add one.
plain_action decide_plain(const request_view& req, const gateway_options& opts);

/// The body of the 400 that answers an Engine.IO request on the plain path.
inline constexpr std::string_view plain_path_message =
    "This path serves plain WebSocket clients; Socket.IO clients connect at the Engine.IO path";

}  // namespace sio::route
