// What the server writes: the handshake's accept key and unmasked frames.
#include <array>

#include "sio/protocol/base64.hpp"
#include "sio/protocol/sha1.hpp"
#include "sio/protocol/websocket.hpp"

namespace sio::websocket {

std::string accept_key(std::string_view sec_websocket_key) {
  // RFC 6455 section 1.3: the key is used as sent, without decoding it.
  constexpr std::string_view guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  std::string input;
  input.reserve(sec_websocket_key.size() + guid.size());
  input.append(sec_websocket_key).append(guid);
  auto hash = sha1::digest(input);
  std::string out;
  base64::encode({reinterpret_cast<const char*>(hash.data()), hash.size()}, out);
  return out;
}

std::size_t encode_header(opcode op, std::uint64_t payload_size,
                          std::span<char, max_server_header> out, bool compressed) noexcept {
  // FIN; RSV1 only for permessage-deflate, RSV2 and RSV3 never.
  out[0] = static_cast<char>(0x80 | (compressed ? 0x40 : 0) | static_cast<unsigned>(op));
  if (payload_size <= 125) {
    out[1] = static_cast<char>(payload_size);
    return 2;
  }
  if (payload_size <= 0xFFFF) {
    out[1] = static_cast<char>(126);
    out[2] = static_cast<char>(payload_size >> 8);
    out[3] = static_cast<char>(payload_size);
    return 4;
  }
  out[1] = static_cast<char>(127);
  for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<char>(payload_size >> (56 - 8 * i));
  return 10;
}

void append_frame(opcode op, std::string_view payload, std::string& out) {
  std::array<char, max_server_header> header;
  std::size_t n = encode_header(op, payload.size(), header);
  out.reserve(out.size() + n + payload.size());
  out.append(header.data(), n).append(payload);
}

void append_close(std::uint16_t code, std::string_view reason, std::string& out) {
  if (code == close_no_status) {
    append_frame(opcode::close, {}, out);
    return;
  }
  constexpr std::size_t max_reason = max_control_payload - 2;
  if (reason.size() > max_reason) {
    // Back up over continuation bytes so no character is cut in half: a
    // broken reason would make the client fail the connection with 1007.
    std::size_t n = max_reason;
    while (n > 0 && (static_cast<unsigned char>(reason[n]) & 0xC0) == 0x80) --n;
    reason = reason.substr(0, n);
  }
  char payload[max_control_payload];
  payload[0] = static_cast<char>(code >> 8);
  payload[1] = static_cast<char>(code);
  reason.copy(payload + 2, reason.size());
  append_frame(opcode::close, {payload, 2 + reason.size()}, out);
}

bool valid_close_code(std::uint16_t code) noexcept {
  // 1012-1014 (service restart, try again later, bad gateway) were
  // registered after RFC 6455; browsers and servers send them.
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
         (code >= 3000 && code <= 4999);
}

std::uint16_t close_code(errc error) noexcept {
  switch (error) {
    case errc::websocket_invalid_utf8:
    case errc::websocket_invalid_compressed:
      return close_invalid_payload;
    case errc::websocket_message_too_big:
    case errc::too_large:
      return close_message_too_big;
    default:
      return close_protocol_error;
  }
}

}  // namespace sio::websocket
