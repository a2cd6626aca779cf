#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sio/protocol/result.hpp"

/// Engine.IO v4 packets, the HTTP long-polling payload and the handshake.
/// Pure functions: no I/O, no clocks, no global state.
namespace sio::engineio {

inline constexpr int protocol_version = 4;

/// The record separator between packets of a polling payload.
inline constexpr char record_separator = '\x1e';

enum class packet_type : std::uint8_t {
  open = 0,
  close = 1,
  ping = 2,
  pong = 3,
  message = 4,
  upgrade = 5,
  noop = 6,
};

/// "open", "close", ... as the reference names them.
std::string_view to_string(packet_type type) noexcept;

/// One Engine.IO packet. `binary` packets are always messages whose `data`
/// holds raw bytes; text packets hold UTF-8 text after the type character.
struct packet {
  packet_type type = packet_type::message;
  bool binary = false;
  std::string data;

  static packet text(packet_type type, std::string data = {}) {
    return {type, false, std::move(data)};
  }
  static packet bytes(std::string data) { return {packet_type::message, true, std::move(data)}; }

  friend bool operator==(const packet&, const packet&) = default;
};

/// A decoded text packet that borrows its data from the input.
struct packet_view {
  packet_type type;
  std::string_view data;
};

/// Decodes the text of one WebSocket text frame, e.g. "4hello" or "2probe".
result<packet_view> decode_text_packet(std::string_view text);

/// Appends the WebSocket text frame of a text packet, e.g. "4hello".
void encode_text_packet(packet_type type, std::string_view data, std::string& out);

/// Decodes a polling request body: packets separated by '\x1e', binary ones
/// as 'b' + base64. The body as a whole must not be larger than `max_payload`.
/// A body with one bad packet is refused whole, as the reference closes the
/// session with "parse error" on the first bad packet.
result<std::vector<packet>> decode_payload(std::string_view body, std::size_t max_payload);

/// Appends the polling response body for `packets` (binary as 'b' + base64).
void encode_payload(const std::vector<packet>& packets, std::string& out);

/// Appends one packet as it appears inside a polling payload.
void encode_payload_packet(const packet& p, std::string& out);

/// The data of the open packet the server sends first.
struct handshake {
  std::string sid;
  std::vector<std::string> upgrades;
  std::uint64_t ping_interval_ms = 25000;
  std::uint64_t ping_timeout_ms = 20000;
  std::uint64_t max_payload = 1000000;

  friend bool operator==(const handshake&, const handshake&) = default;
};

/// Appends `{"sid":"...","upgrades":["websocket"],"pingInterval":25000,...}`
/// with the reference's key order.
void encode_handshake(const handshake& h, std::string& out);

/// Reads the open packet's data (what a client does; used by tools and tests).
result<handshake> decode_handshake(std::string_view json_text);

/// The JSON body of an HTTP 400/403 answer, e.g.
/// `{"code":1,"message":"Session ID unknown"}`.
enum class http_error : std::uint8_t {
  unknown_transport = 0,
  unknown_sid = 1,
  bad_handshake_method = 2,
  bad_request = 3,
  forbidden = 4,
  unsupported_protocol_version = 5,
};

/// The reference's message for each code, e.g. "Transport unknown".
std::string_view message(http_error e) noexcept;

/// The HTTP status the reference answers with: 403 for forbidden, else 400.
int http_status(http_error e) noexcept;

/// `{"code":N,"message":"..."}`.
std::string error_body(http_error e);

}  // namespace sio::engineio
