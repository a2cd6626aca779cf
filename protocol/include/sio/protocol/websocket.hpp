#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sio/protocol/result.hpp"

/// The server side of RFC 6455 WebSocket framing. The server frames its own
/// messages (instead of leaving it to an HTTP library) so that it can put
/// many outgoing frames into one gather write. Pure functions and a pure
/// state machine: no I/O, no clocks.
namespace sio::websocket {

/// The frame opcodes of RFC 6455 section 5.2. The others are reserved.
enum class opcode : std::uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xA,
};

/// Close status codes (RFC 6455 section 7.4.1) the server sends or reports.
inline constexpr std::uint16_t close_normal = 1000;
inline constexpr std::uint16_t close_going_away = 1001;
inline constexpr std::uint16_t close_protocol_error = 1002;
inline constexpr std::uint16_t close_unsupported_data = 1003;
/// Reported for a close frame without payload; never sent in a frame.
inline constexpr std::uint16_t close_no_status = 1005;
inline constexpr std::uint16_t close_invalid_payload = 1007;
inline constexpr std::uint16_t close_policy_violation = 1008;
inline constexpr std::uint16_t close_message_too_big = 1009;
inline constexpr std::uint16_t close_internal_error = 1011;

/// The largest payload of a control frame (ping, pong, close).
inline constexpr std::size_t max_control_payload = 125;

/// The largest frame header a server writes: 2 bytes plus a 64-bit length.
inline constexpr std::size_t max_server_header = 10;

/// The Sec-WebSocket-Accept value for a client's Sec-WebSocket-Key:
/// base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")).
std::string accept_key(std::string_view sec_websocket_key);

/// Writes the header of one unfragmented (FIN) unmasked frame, as a server
/// sends it, into `out` and returns its size: 2, 4 or 10 bytes. The payload
/// follows it unchanged, so header and payload can be two gather buffers.
/// `compressed` sets RSV1: a data message compressed by permessage-deflate.
std::size_t encode_header(opcode op, std::uint64_t payload_size,
                          std::span<char, max_server_header> out, bool compressed = false) noexcept;

/// Appends one unfragmented unmasked frame (header and payload) to `out`.
void append_frame(opcode op, std::string_view payload, std::string& out);

/// Appends a close frame with `code` and `reason`. The reason is cut at a
/// UTF-8 character boundary so the payload fits a control frame (125 bytes).
/// With close_no_status the frame has no payload at all: the way to answer a
/// close frame that carried no code.
void append_close(std::uint16_t code, std::string_view reason, std::string& out);

/// True when a peer may send `code` in a close frame (RFC 6455 section 7.4):
/// 1000-1003, 1007-1014 and 3000-4999. 1004-1006 and 1015 are reserved for
/// reporting and never appear on the wire.
bool valid_close_code(std::uint16_t code) noexcept;

/// The close code to send when a reader fails with `error`:
/// 1007 for websocket_invalid_utf8 and websocket_invalid_compressed, 1009
/// for websocket_message_too_big and too_large, 1002 for everything else.
std::uint16_t close_code(errc error) noexcept;

/// A complete data message, its fragments joined.
struct message {
  bool binary = false;
  std::string data;
  /// RSV1 was set on the first frame (only with allow_rsv1): under
  /// permessage-deflate the data is still compressed, and a text message has
  /// not been checked for UTF-8 yet; the caller inflates and checks it.
  bool compressed = false;

  friend bool operator==(const message&, const message&) = default;
};

/// A ping or pong with its payload (at most 125 bytes).
struct control {
  opcode op = opcode::ping;
  std::string payload;

  friend bool operator==(const control&, const control&) = default;
};

/// A close frame: close_no_status (1005) and an empty reason when it had no
/// payload.
struct close_frame {
  std::uint16_t code = close_no_status;
  std::string reason;

  friend bool operator==(const close_frame&, const close_frame&) = default;
};

using event = std::variant<message, control, close_frame>;

/// Turns the bytes a client sends into events. The input may be cut anywhere
/// (inside a header, a mask or a UTF-8 character); the events are the same.
///
/// Enforces RFC 6455 for a server: client frames must be masked, reserved
/// bits and opcodes are refused, control frames are FIN and at most 125
/// bytes, continuation frames belong to a started message, and a message may
/// not exceed `max_message_bytes`, which is checked as soon as a frame header
/// declares its length so the reader never holds more than the limit.
class reader {
 public:
  /// `max_message_bytes` limits the sum of a message's fragments.
  /// `allow_rsv1` admits RSV1 on a message's first frame, for when
  /// permessage-deflate was negotiated; the message reports it as compressed.
  explicit reader(std::size_t max_message_bytes, bool allow_rsv1 = false) noexcept
      : max_message_bytes_(max_message_bytes), allow_rsv1_(allow_rsv1) {}

  /// Consumes all of `input` and appends the events it completes to `out`.
  /// On a violation returns websocket_protocol_error, websocket_invalid_utf8
  /// or websocket_message_too_big (see close_code()); the events of the
  /// frames before it are still appended, and from then on every call
  /// returns the same error. After a close frame the rest is ignored: the
  /// peer promised to send nothing more.
  status feed(std::string_view input, std::vector<event>& out);

  /// True once a close frame was read.
  bool closed() const noexcept { return state_ == state::closed; }

  /// True once a violation was found.
  bool failed() const noexcept { return state_ == state::failed; }

 private:
  enum class state : std::uint8_t { header, payload, closed, failed };

  status read_header(std::string_view& input, std::vector<event>& out);
  status check_first_bytes(unsigned char b0, unsigned char b1) const noexcept;
  status start_frame(const unsigned char* header, std::vector<event>& out);
  status read_payload(std::string_view& input, std::vector<event>& out);
  status finish_frame(std::vector<event>& out);

  // Ordered by size: every connection keeps a reader.
  std::size_t max_message_bytes_;

  // The data message being assembled (across fragments).
  std::string message_;
  // The payload of the control frame being read.
  std::string control_;

  // The frame being read.
  std::uint64_t remaining_ = 0;
  unsigned char mask_[4] = {};
  std::uint8_t mask_offset_ = 0;  // payload bytes read so far, modulo 4
  opcode op_ = opcode::continuation;
  bool fin_ = false;

  // The header of the current frame when it arrives in pieces.
  unsigned char header_[14] = {};
  std::uint8_t header_size_ = 0;

  bool allow_rsv1_;
  state state_ = state::header;
  errc error_{};
  // The kind of the data message being assembled.
  bool in_message_ = false;
  bool binary_ = false;
  bool compressed_ = false;
};

}  // namespace sio::websocket
