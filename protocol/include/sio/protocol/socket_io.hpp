#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sio/protocol/json.hpp"
#include "sio/protocol/result.hpp"

/// Socket.IO v5 packets (the default socket.io-parser format).
/// Pure functions, plus `decoder`, a small value that holds a binary packet
/// while its attachments arrive; its owner (the connection) keeps it.
namespace sio::socketio {

inline constexpr int protocol_version = 5;

enum class packet_type : std::uint8_t {
  connect = 0,
  disconnect = 1,
  event = 2,
  ack = 3,
  connect_error = 4,
  binary_event = 5,
  binary_ack = 6,
};

/// "CONNECT", "EVENT", ... as the reference names them.
std::string_view to_string(packet_type type) noexcept;

/// The largest ack id accepted: 2^53-1, the largest integer a JavaScript peer
/// holds exactly.
inline constexpr std::uint64_t max_ack_id = (std::uint64_t{1} << 53) - 1;

/// Bounds a decoder enforces on what peers send.
struct limits {
  /// Attachments one binary packet may declare (the reference's default: 10).
  std::size_t max_attachments = 10;
  /// JSON nesting depth of a packet's data.
  std::size_t max_depth = default_max_json_depth;
  /// Bytes of one packet's text plus all its attachments.
  std::size_t max_packet_bytes = 1000000;
};

/// The part of a packet in front of its JSON data, read without parsing JSON,
/// so that a connection can route (or drop) a packet before paying for its body.
/// Borrows from the decoded text.
struct header {
  packet_type type = packet_type::event;
  /// Declared attachments (binary packets only).
  std::size_t attachments = 0;
  /// "/" unless the packet names another namespace.
  std::string_view nsp = "/";
  std::optional<std::uint64_t> id;
  /// The JSON text after the header; empty when the packet has no data.
  std::string_view body;
};

/// Reads the header of a packet's text, e.g. "2/chat,7[\"msg\"]".
result<header> decode_header(std::string_view text, const limits& lim = {});

/// A decoded packet. `data` is absent when the packet carries none.
/// Binary values inside `data` are json::binary_t.
struct packet {
  packet_type type = packet_type::event;
  std::string nsp = "/";
  std::optional<std::uint64_t> id;
  std::optional<json> data;

  /// EVENT or BINARY_EVENT: the event name (the first element of `data`),
  /// as a string, or as the decimal text of a numeric name.
  std::string event_name() const;

  friend bool operator==(const packet&, const packet&) = default;
};

/// Parses `h.body` and checks that it has the shape the packet type needs, as
/// the reference does: CONNECT an object or nothing, DISCONNECT nothing,
/// CONNECT_ERROR a string or object, EVENT an array whose first element is a
/// number or a non-reserved string, ACK an array. Placeholders are left in
/// place; `decoder` replaces them.
result<packet> decode_body(const header& h, const limits& lim = {});

/// Replaces every `{"_placeholder":true,"num":N}` inside `data` by the
/// binary value of attachment N. Any other `num` (missing, not an integer,
/// out of range) is errc::invalid_placeholder. Never recurses.
status reconstruct(json& data, std::vector<bytes>& attachments);

/// What encoding one packet produces: its text (sent as one Engine.IO
/// message) and the binary attachments that follow it, one message each.
struct encoded {
  std::string text;
  std::vector<bytes> attachments;
};

/// Encodes `p`. An EVENT or ACK whose data holds binary values becomes a
/// BINARY_EVENT / BINARY_ACK with placeholders, exactly as the reference
/// encoder does. Fails only when the data nests deeper than `max_depth`.
status encode(const packet& p, encoded& out, std::size_t max_depth = 1000);

/// Turns the messages of one connection into packets: a text message is
/// a packet, or the start of a binary one that the next binary messages
/// complete. Mirrors socket.io-parser's Decoder, without its emitter.
class decoder {
 public:
  explicit decoder(limits lim = {}) : limits_(lim) {}

  /// A text message. Returns the packet, or nothing when it is binary and
  /// waits for attachments.
  result<std::optional<packet>> feed_text(std::string_view text);

  /// A binary message: the next attachment of the pending packet. Returns the
  /// packet once its last attachment arrived.
  result<std::optional<packet>> feed_binary(bytes data);

  /// True while a binary packet waits for attachments.
  bool pending() const noexcept { return pending_ != nullptr; }

  /// Drops any pending packet (on disconnect).
  void reset() noexcept;

 private:
  result<std::optional<packet>> finish();

  // A binary packet and the attachments it waits for. Held only while one
  // is under way: every connection has a decoder, and most are idle.
  struct partial {
    packet p;
    std::size_t expected = 0;
    std::size_t size = 0;  // of the text and the attachments so far
    std::vector<bytes> buffers;
  };

  limits limits_;
  std::unique_ptr<partial> pending_;
};

}  // namespace sio::socketio
