#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "sio/protocol/websocket.hpp"

/// The client side of RFC 6455 framing, which protocol/ (a server's codecs)
/// does not have: masked frames out, unmasked frames in. The header layout
/// comes from sio::websocket::encode_header.
namespace sio_bench::frames {

namespace ws = sio::websocket;

/// Appends one unfragmented frame, masked with `mask_key` as a client must
/// send it (RFC 6455 section 5.3).
inline void append_masked(ws::opcode op, std::string_view payload, std::uint32_t mask_key,
                          std::string& out) {
  std::array<char, ws::max_server_header> header;
  std::size_t n = ws::encode_header(op, payload.size(), header);
  header[1] = static_cast<char>(static_cast<unsigned char>(header[1]) | 0x80);
  unsigned char key[4];
  std::memcpy(key, &mask_key, 4);
  std::size_t start = out.size();
  out.resize(start + n + 4 + payload.size());
  char* p = out.data() + start;
  std::memcpy(p, header.data(), n);
  std::memcpy(p + n, key, 4);
  char* body = p + n + 4;
  for (std::size_t i = 0; i < payload.size(); ++i)
    body[i] = static_cast<char>(payload[i] ^ static_cast<char>(key[i & 3]));
}

/// One server frame found at the front of a buffer.
struct frame {
  ws::opcode op = ws::opcode::text;
  bool fin = true;
  std::string_view payload;
};

enum class parse_status : std::uint8_t { ok, need_more, bad };

/// Reads the frame at the front of `in`. need_more: `in` holds only part of
/// it, and `need` says how many bytes the whole frame takes when the header
/// is complete (0 otherwise). bad: the server broke RFC 6455 (a masked frame,
/// reserved bits or opcodes, a fragmented or oversized control frame, or a
/// frame over `max_frame` bytes).
inline parse_status parse(std::string_view in, std::size_t max_frame, frame& f,
                          std::size_t& consumed, std::size_t& need) {
  need = 0;
  if (in.size() < 2) return parse_status::need_more;
  auto b0 = static_cast<unsigned char>(in[0]);
  auto b1 = static_cast<unsigned char>(in[1]);
  if ((b1 & 0x80) != 0 || (b0 & 0x70) != 0) return parse_status::bad;  // masked, RSV bits
  auto op = static_cast<ws::opcode>(b0 & 0x0F);
  bool control = (b0 & 0x08) != 0;
  switch (op) {
    case ws::opcode::continuation:
    case ws::opcode::text:
    case ws::opcode::binary:
    case ws::opcode::close:
    case ws::opcode::ping:
    case ws::opcode::pong:
      break;
    default:
      return parse_status::bad;
  }
  std::uint64_t len = b1 & 0x7F;
  std::size_t pos = 2;
  if (control && ((b0 & 0x80) == 0 || len > ws::max_control_payload)) return parse_status::bad;
  if (len == 126) {
    if (in.size() < 4) return parse_status::need_more;
    len = (std::uint64_t{static_cast<unsigned char>(in[2])} << 8) |
          static_cast<unsigned char>(in[3]);
    pos = 4;
  } else if (len == 127) {
    if (in.size() < 10) return parse_status::need_more;
    len = 0;
    for (std::size_t i = 0; i < 8; ++i) len = (len << 8) | static_cast<unsigned char>(in[2 + i]);
    pos = 10;
  }
  if (len > max_frame) return parse_status::bad;
  need = pos + static_cast<std::size_t>(len);
  if (in.size() < need) return parse_status::need_more;
  f.op = op;
  f.fin = (b0 & 0x80) != 0;
  f.payload = in.substr(pos, static_cast<std::size_t>(len));
  consumed = need;
  return parse_status::ok;
}

}  // namespace sio_bench::frames
