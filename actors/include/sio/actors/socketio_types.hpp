#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sio/actors/adapter.hpp"
#include "sio/actors/links.hpp"
#include "sio/protocol/json.hpp"

namespace sio {

/// The arguments of an event, as the client sent them (binary ones are
/// json::binary_t values).
using args = std::vector<json>;

/// Why a namespace middleware refused a socket; the client gets it as
/// CONNECT_ERROR {"message": ..., "data": ...}.
struct connect_error {
  std::string message;
  std::optional<json> data;
};

/// Calls the next middleware, or refuses the socket when given an error.
using next_fn = std::function<void(std::optional<connect_error>)>;

/// `socket.handshake` of the reference.
struct handshake {
  json headers = json::object();
  std::string time;
  std::string address;
  bool xdomain = false;
  bool secure = false;
  std::int64_t issued = 0;  // ms since the epoch
  std::string url;
  json query = json::object();
  json auth = json::object();
};

/// The frames of one encoded Socket.IO packet (its text, then one frame per
/// binary attachment), shared by every recipient of a broadcast.
using frame_batch = std::shared_ptr<const std::vector<frame>>;

/// Called with the client's reply to an emit_with_ack, or with nothing when
/// the timeout passed or the socket disconnected first.
using ack_callback = std::function<void(std::optional<args>)>;

/// Options of the Socket.IO layer, named after the reference's ServerOptions.
struct socketio_options {
  /// connectTimeout: a connection that joins no namespace in this time is closed.
  std::chrono::milliseconds connect_timeout{45000};
  /// Attachments one binary packet may carry (socket.io-parser's maxAttachments).
  std::size_t max_attachments = 10;
  /// Deepest JSON nesting accepted from clients.
  std::size_t max_json_depth = default_max_json_depth;
  /// Bytes of one packet with its attachments (maxHttpBufferSize).
  std::size_t max_packet_bytes = 1000000;
  /// The timeout of emit_with_ack when none is given (the reference waits
  /// forever; a server should not).
  std::chrono::milliseconds default_ack_timeout{30000};
  /// The cluster adapter of every namespace (none: this node alone).
  adapter_factory adapter;
};

}  // namespace sio
