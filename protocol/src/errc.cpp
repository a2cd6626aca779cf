#include "sio/protocol/errc.hpp"

namespace sio {

std::string_view to_string(errc code) noexcept {
  switch (code) {
    case errc::empty_packet: return "empty packet";
    case errc::unknown_engineio_packet_type: return "unknown Engine.IO packet type";
    case errc::invalid_base64: return "invalid base64";
    case errc::too_large: return "too large";
    case errc::unknown_socketio_packet_type: return "unknown Socket.IO packet type";
    case errc::invalid_attachment_count: return "invalid attachment count";
    case errc::too_many_attachments: return "too many attachments";
    case errc::invalid_ack_id: return "invalid ack id";
    case errc::invalid_json: return "invalid JSON";
    case errc::json_too_deep: return "JSON nested too deep";
    case errc::invalid_payload: return "invalid payload for the packet type";
    case errc::reserved_event_name: return "reserved event name";
    case errc::invalid_placeholder: return "invalid attachment placeholder";
    case errc::unexpected_text: return "text packet while attachments were pending";
    case errc::unexpected_binary: return "binary message without a pending binary packet";
    case errc::value_too_deep: return "value nested too deep to encode";
    case errc::invalid_handshake: return "invalid handshake";
    case errc::websocket_protocol_error: return "WebSocket protocol error";
    case errc::websocket_invalid_utf8: return "invalid UTF-8 in a WebSocket text message";
    case errc::websocket_message_too_big: return "WebSocket message too big";
    case errc::websocket_invalid_compressed: return "invalid compressed WebSocket message";
  }
  return "unknown error";
}

}  // namespace sio
