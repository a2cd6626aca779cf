// The reader: client frames -> messages, pings, pongs and close frames.
#include <algorithm>
#include <cstring>

#include "sio/protocol/utf8.hpp"
#include "sio/protocol/websocket.hpp"

namespace sio::websocket {
namespace {

constexpr unsigned char fin_bit = 0x80;
constexpr unsigned char rsv1_bit = 0x40;
constexpr unsigned char rsv23_bits = 0x30;
constexpr unsigned char mask_bit = 0x80;

bool is_control(opcode op) { return (static_cast<unsigned>(op) & 0x8) != 0; }

// Header size implied by the second byte: 2, a 16- or 64-bit extended
// length, and the 4-byte mask (client frames always have one).
std::size_t header_size(unsigned char b1) {
  unsigned len7 = b1 & 0x7F;
  return 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + 4;
}

// XORs `n` bytes with the mask, starting `offset` bytes into the frame's
// payload. Eight bytes at a time: the mask repeated twice, rotated to the
// offset. Byte-wise memcpy keeps it independent of endianness and alignment.
void unmask(char* p, std::size_t n, const unsigned char (&mask)[4], std::size_t offset) {
  unsigned char key[8];
  for (std::size_t i = 0; i < 8; ++i) key[i] = mask[(offset + i) & 3];
  std::uint64_t key64;
  std::memcpy(&key64, key, 8);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, p + i, 8);
    word ^= key64;
    std::memcpy(p + i, &word, 8);
  }
  for (; i < n; ++i) p[i] = static_cast<char>(p[i] ^ key[i & 7]);
}

}  // namespace

status reader::feed(std::string_view input, std::vector<event>& out) {
  if (state_ == state::failed) return error_;
  while (!input.empty() && state_ != state::closed) {
    status s = state_ == state::header ? read_header(input, out) : read_payload(input, out);
    if (!s) {
      state_ = state::failed;
      error_ = s.error();
      // Nothing more will be read: give the memory back now.
      message_ = std::string();
      control_ = std::string();
      return s;
    }
  }
  return {};
}

status reader::read_header(std::string_view& input, std::vector<event>& out) {
  const auto* in = reinterpret_cast<const unsigned char*>(input.data());
  // Fast path: the whole header is in the input; parse it in place.
  if (header_size_ == 0 && input.size() >= 2) {
    if (auto s = check_first_bytes(in[0], in[1]); !s) return s;
    std::size_t need = header_size(in[1]);
    if (input.size() >= need) {
      input.remove_prefix(need);
      return start_frame(in, out);
    }
  }
  // Slow path: collect the header across calls. The first two bytes are
  // checked as soon as they are here, so a bad frame fails without waiting
  // for the rest of its header.
  while (header_size_ < 2 && !input.empty()) {
    header_[header_size_++] = static_cast<unsigned char>(input.front());
    input.remove_prefix(1);
  }
  if (header_size_ < 2) return {};
  if (auto s = check_first_bytes(header_[0], header_[1]); !s) return s;
  std::size_t need = header_size(header_[1]);
  std::size_t take = std::min(need - header_size_, input.size());
  std::memcpy(header_ + header_size_, input.data(), take);
  header_size_ = static_cast<std::uint8_t>(header_size_ + take);  // at most 14
  input.remove_prefix(take);
  if (header_size_ < need) return {};
  header_size_ = 0;
  return start_frame(header_, out);
}

status reader::check_first_bytes(unsigned char b0, unsigned char b1) const noexcept {
  constexpr errc protocol_error = errc::websocket_protocol_error;
  // RFC 6455 section 5.1: a server must close on an unmasked client frame.
  if ((b1 & mask_bit) == 0) return protocol_error;
  auto op = static_cast<opcode>(b0 & 0x0F);
  switch (op) {
    case opcode::continuation:
    case opcode::text:
    case opcode::binary:
    case opcode::close:
    case opcode::ping:
    case opcode::pong:
      break;
    default:
      return protocol_error;
  }
  if (b0 & rsv23_bits) return protocol_error;
  if (is_control(op)) {
    // Section 5.5: control frames are never fragmented and carry at most
    // 125 bytes (so their length never uses the extended forms).
    if ((b0 & (fin_bit | rsv1_bit)) != fin_bit) return protocol_error;
    if ((b1 & 0x7F) > max_control_payload) return protocol_error;
    return {};
  }
  // RFC 7692: RSV1 marks a compressed message, on its first frame only.
  if ((b0 & rsv1_bit) && (!allow_rsv1_ || op == opcode::continuation)) return protocol_error;
  // Section 5.4: fragments of one message are not interleaved with another.
  if ((op == opcode::continuation) != in_message_) return protocol_error;
  return {};
}

status reader::start_frame(const unsigned char* header, std::vector<event>& out) {
  unsigned char b0 = header[0];
  unsigned len7 = header[1] & 0x7F;
  std::uint64_t length = len7;
  std::size_t pos = 2;
  if (len7 == 126) {
    length = (std::uint64_t{header[2]} << 8) | header[3];
    pos = 4;
  } else if (len7 == 127) {
    // Section 5.2: the most significant bit of a 64-bit length must be 0.
    if (header[2] & 0x80) return errc::websocket_protocol_error;
    length = 0;
    for (std::size_t i = 0; i < 8; ++i) length = (length << 8) | header[2 + i];
    pos = 10;
  }
  std::memcpy(mask_, header + pos, 4);
  op_ = static_cast<opcode>(b0 & 0x0F);
  fin_ = (b0 & fin_bit) != 0;
  remaining_ = length;
  mask_offset_ = 0;

  if (is_control(op_)) {
    control_.clear();
  } else {
    // Refuse now, before buffering any of it; message_ holds the earlier
    // fragments (and is empty for a first frame).
    if (length > max_message_bytes_ - message_.size()) return errc::websocket_message_too_big;
    if (op_ != opcode::continuation) {
      // One allocation for an unfragmented message however the bytes
      // arrive; the limit above bounds it.
      message_.reserve(static_cast<std::size_t>(length));
      in_message_ = true;
      binary_ = op_ == opcode::binary;
      compressed_ = (b0 & rsv1_bit) != 0;
    }
  }
  if (remaining_ == 0) return finish_frame(out);
  state_ = state::payload;
  return {};
}

status reader::read_payload(std::string_view& input, std::vector<event>& out) {
  auto take = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, input.size()));
  // The one copy of the payload: straight into its buffer, unmasked there.
  std::string& target = is_control(op_) ? control_ : message_;
  std::size_t old_size = target.size();
  target.append(input.data(), take);
  unmask(target.data() + old_size, take, mask_, mask_offset_);
  mask_offset_ = static_cast<std::uint8_t>((mask_offset_ + take) & 3);
  remaining_ -= take;
  input.remove_prefix(take);
  if (remaining_ == 0) return finish_frame(out);
  return {};
}

status reader::finish_frame(std::vector<event>& out) {
  state_ = state::header;
  switch (op_) {
    case opcode::ping:
    case opcode::pong:
      out.emplace_back(control{op_, std::move(control_)});
      control_.clear();
      return {};
    case opcode::close: {
      close_frame frame;
      if (!control_.empty()) {
        // Section 5.5.1: a body starts with a 2-byte code, then UTF-8 text.
        if (control_.size() < 2) return errc::websocket_protocol_error;
        frame.code = static_cast<std::uint16_t>((static_cast<unsigned char>(control_[0]) << 8) |
                                                static_cast<unsigned char>(control_[1]));
        if (!valid_close_code(frame.code)) return errc::websocket_protocol_error;
        frame.reason = control_.substr(2);
        if (!utf8::valid(frame.reason)) return errc::websocket_invalid_utf8;
      }
      control_.clear();
      out.emplace_back(std::move(frame));
      state_ = state::closed;
      return {};
    }
    default:
      break;
  }
  if (!fin_) return {};
  // Checked once on the whole message: a character may span fragments.
  // Compressed text is checked by the caller after inflating it.
  if (!binary_ && !compressed_ && !utf8::valid(message_)) return errc::websocket_invalid_utf8;
  out.emplace_back(message{binary_, std::move(message_), compressed_});
  message_.clear();
  in_message_ = false;
  return {};
}

}  // namespace sio::websocket
