#pragma once

#include <chrono>
#include <string>

#include "sio/actors/engine_options.hpp"
#include "sio/actors/socketio_types.hpp"
#include "sio/gateway/gateway_options.hpp"

namespace sio {

/// Everything a server is told, after socket.io's ServerOptions: one section
/// per layer, each setting in exactly one of them.
struct server_options {
  /// Engine.IO: pingInterval, pingTimeout, upgradeTimeout, maxHttpBufferSize
  /// (`max_payload`, which bounds an HTTP body, a WebSocket message and a
  /// Socket.IO packet with its attachments alike) and the transports
  /// (`allow_polling`, `allow_websocket`).
  engine_options engine;
  /// Socket.IO: connectTimeout, the default ack timeout, the parser's bounds.
  socketio_options socketio;
  /// HTTP and WebSocket: address, port, path, CORS, pages, perMessageDeflate,
  /// allowRequest.
  gateway_options gateway;
  /// The gateway's I/O threads; 0: one per core.
  unsigned io_threads = 0;
  /// How long stop() lets open sessions end before it cuts them off.
  std::chrono::milliseconds shutdown_timeout{10000};
  /// How long stop() keeps serving with /readyz answering 503 before it
  /// closes sessions, so that load balancers take the server out first.
  std::chrono::milliseconds pre_stop_delay{0};
};

/// The first setting of `options` that contradicts another or cannot work,
/// named as in the struct ("engine.allow_polling ..."); empty when none.
/// sio::start throws std::invalid_argument with this text.
std::string check_options(const server_options& options);

}  // namespace sio
