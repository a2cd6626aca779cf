#pragma once

#include <cstdint>
#include <string>
#include <string_view>

/// The server's side of negotiating permessage-deflate (RFC 7692 section 7)
/// from a client's Sec-WebSocket-Extensions header. A pure function: the
/// codec that then does the compressing is in deflate_codec.hpp.
namespace sio::websocket {

/// What the server and the client agreed on for permessage-deflate.
struct deflate_params {
  /// The server starts every message it compresses with an empty window.
  bool server_no_context_takeover = false;
  /// The client starts every message it compresses with an empty window.
  bool client_no_context_takeover = false;
  /// The window (in bits, 8..15) the server compresses with.
  std::uint8_t server_max_window_bits = 15;
  /// The window (in bits, 8..15) the client compresses with, which is the
  /// one the server inflates with.
  std::uint8_t client_max_window_bits = 15;

  friend bool operator==(const deflate_params&, const deflate_params&) = default;
};

/// The outcome of negotiate_deflate().
struct deflate_negotiation {
  enum class outcome : std::uint8_t {
    /// No permessage-deflate offer: the connection is not compressed.
    not_offered,
    /// An offer was accepted: `params` apply and `response` is the value of
    /// the Sec-WebSocket-Extensions header of the 101 response.
    accepted,
    /// The header does not parse, or a permessage-deflate offer has an
    /// unknown, repeated or out-of-range parameter: the upgrade is refused
    /// with HTTP 400 and invalid_extensions_message.
    invalid,
  };

  outcome what = outcome::not_offered;
  deflate_params params;
  std::string response;
};

/// The body of the 400 that refuses an invalid Sec-WebSocket-Extensions
/// header (the ws library's words).
inline constexpr std::string_view invalid_extensions_message =
    "Invalid or unacceptable Sec-WebSocket-Extensions header";

/// Picks the first permessage-deflate offer from a Sec-WebSocket-Extensions
/// header value (several offers and other extensions separated by commas,
/// parameters by semicolons, values plain or quoted), the way the ws
/// library does with its defaults (threshold aside): the server accepts any
/// well-formed offer and echoes its parameters, except a valueless
/// client_max_window_bits, which the server declines to set. Repeated
/// headers are to be joined with ", " first, as Node does.
///
/// Like ws, names are case-sensitive, and any syntax error anywhere in the
/// header, or an invalid parameter in any permessage-deflate offer (not
/// only the first), makes the whole header invalid.
deflate_negotiation negotiate_deflate(std::string_view header);

}  // namespace sio::websocket
