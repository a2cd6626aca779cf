#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sio/gateway/gateway_options.hpp"
#include "sio/protocol/engine_io.hpp"
#include "sio/protocol/query.hpp"

/// Which Engine.IO action an HTTP request asks for, decided from its method,
/// query and headers alone, in the order the reference's verify() and
/// handshake() check them. Pure: no sockets.
namespace sio::route {

/// The path part of a request target.
std::string_view path_of(std::string_view target) noexcept;

enum class action : std::uint8_t {
  not_engine_io,  // serve as a plain HTTP request (static files, 404)
  client_file,    // the official client bundle under the Engine.IO path
  preflight,      // CORS preflight: 204 with the CORS headers
  handshake,      // new session over polling (GET without sid)
  poll_get,       // GET with sid
  poll_post,      // POST with sid
  ws_handshake,   // WebSocket upgrade without sid: new session
  ws_upgrade,     // WebSocket upgrade with sid: upgrade an existing session
  fail,           // answer `error` (HTTP 400/403 JSON, or an upgrade refusal)
  bad_method,     // a polling request with sid and a method other than GET/POST: 500
};

struct decision {
  action what = action::fail;
  engineio::http_error error = engineio::http_error::bad_request;
  std::string sid;
};

struct request_view {
  std::string_view method;  // "GET", "POST", ...
  std::string_view target;
  std::string_view origin;  // the Origin header, "" if absent
  bool is_websocket_upgrade = false;
};

/// The transports a server accepts (socket.io's `transports` option).
struct transports {
  bool polling = true;
  bool websocket = true;
};

decision decide(const request_view& req, const gateway_options& opts, transports allowed = {});

/// The reference's check for characters no header may hold.
bool has_invalid_header_char(std::string_view value) noexcept;

}  // namespace sio::route
