#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "sio/actors/request_info.hpp"

namespace sio {

/// Byte-level settings of the HTTP/WebSocket front end. The largest message
/// and the transports allowed are Engine.IO settings (`engine_options`), which
/// the gateway enforces too.
struct gateway_options {
  std::string bind_address = "0.0.0.0";
  /// 0 picks a free port; gateway::port() tells which.
  std::uint16_t port = 3000;
  /// The Engine.IO endpoint; like the reference, any target that starts
  /// with it is an Engine.IO request.
  std::string path = "/socket.io/";
  /// cors.origin: empty means no CORS headers at all (the reference's
  /// default); "*" or an origin otherwise.
  std::string cors_origin;
  bool cors_credentials = false;
  /// Plain files for requests outside the Engine.IO path ("/" is its
  /// index.html); empty: such requests get 404.
  std::string static_dir;
  /// The official client bundle (socket.io-client's dist/ directory), served
  /// at <path>socket.io.js, socket.io.min.js and the like, as the reference's
  /// serveClient does; empty: not served.
  std::string client_dir;
  /// Largest request head (request line and headers).
  std::size_t max_header_bytes = 16 * 1024;
  /// How long a client may take to send a request head, and a WebSocket
  /// close handshake may take.
  std::chrono::milliseconds request_timeout{30000};
  /// Bytes queued for one WebSocket before its client counts as too slow
  /// and is disconnected.
  std::size_t max_ws_outbound_bytes = 16 * 1024 * 1024;
  /// perMessageDeflate: compress WebSocket messages (RFC 7692) when the
  /// client offers it. Off by default, as in the reference: it costs CPU and
  /// a zlib state (up to ~300 KB) per connection.
  bool per_message_deflate = false;
  /// perMessageDeflate.threshold: messages smaller than this many bytes go
  /// out uncompressed.
  std::size_t per_message_deflate_threshold = 1024;
  /// allowRequest: decides on each handshake; false answers 403 with
  /// `message` (default "Forbidden").
  std::function<bool(const request_info&, std::string& message)> allow_request;
  /// A plain WebSocket endpoint (RFC 6455 only, no Engine.IO or Socket.IO)
  /// at exactly this path, next to the Engine.IO one; empty: none. Each
  /// client there is a socket of `ws_namespace` (see plain_websocket.hpp).
  std::string ws_path;
  /// The namespace whose sockets the plain WebSocket clients are.
  std::string ws_namespace = "/";
};

}  // namespace sio
