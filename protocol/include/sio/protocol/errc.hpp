#pragma once

#include <cstdint>
#include <string_view>

namespace sio {

/// Why a decoder refused its input. One enum for the whole protocol layer;
/// `to_string(errc)` names each for logs and errors.
enum class errc : std::uint8_t {
  /// An Engine.IO packet or polling payload segment with no bytes at all.
  empty_packet = 1,
  /// The first character is not a known Engine.IO packet type ('0'..'6', 'b').
  unknown_engineio_packet_type = 2,
  /// A `b`-prefixed polling segment whose base64 text does not decode.
  invalid_base64 = 3,
  /// The input is larger than the limit the caller passed in.
  too_large = 4,
  /// The first character is not a Socket.IO packet type ('0'..'6').
  unknown_socketio_packet_type = 5,
  /// A binary packet whose attachment count is missing, not decimal, or
  /// not followed by '-'.
  invalid_attachment_count = 6,
  /// A binary packet that declares more attachments than allowed.
  too_many_attachments = 7,
  /// An acknowledgement id that does not fit in 2^53-1 (the largest integer
  /// a JavaScript peer can represent exactly).
  invalid_ack_id = 8,
  /// The packet body is not valid JSON.
  invalid_json = 9,
  /// The JSON body nests deeper than allowed.
  json_too_deep = 10,
  /// The JSON body has the wrong shape for the packet type (CONNECT wants an
  /// object, EVENT a non-empty array, DISCONNECT nothing ...).
  invalid_payload = 11,
  /// An EVENT whose name is one the protocol reserves ("connect", "disconnect" ...).
  reserved_event_name = 12,
  /// A `{"_placeholder":true}` object whose `num` is not an attachment index.
  invalid_placeholder = 13,
  /// A text packet arrived while attachments of a binary packet were pending.
  unexpected_text = 14,
  /// A binary message arrived while no binary packet was waiting for it.
  unexpected_binary = 15,
  /// A value to encode nests deeper than allowed.
  value_too_deep = 16,
  /// A handshake (open packet) body without the required fields.
  invalid_handshake = 17,
  /// A WebSocket frame that breaks RFC 6455 (unmasked, reserved bits or
  /// opcodes, a bad control frame or close code, misplaced continuation ...).
  websocket_protocol_error = 18,
  /// A WebSocket text message or close reason that is not valid UTF-8.
  websocket_invalid_utf8 = 19,
  /// A WebSocket message larger than the reader's limit.
  websocket_message_too_big = 20,
  /// A permessage-deflate WebSocket message whose data does not inflate.
  websocket_invalid_compressed = 21,
};

/// A short English description, e.g. "invalid ack id".
std::string_view to_string(errc code) noexcept;

}  // namespace sio
