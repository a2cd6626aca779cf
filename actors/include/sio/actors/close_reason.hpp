#pragma once

#include <cstdint>
#include <string_view>

namespace sio {

/// Why an Engine.IO session ended, with the reference's wording.
enum class close_reason : std::uint8_t {
  /// The client did not answer a ping within pingTimeout.
  ping_timeout,
  /// The client closed the transport (close packet, WebSocket closed).
  transport_close,
  /// The transport failed (overlapping polls, socket error, slow consumer).
  transport_error,
  /// The server closed the session.
  forced_close,
  /// The client sent something that does not decode.
  parse_error,
  /// The server is shutting down.
  server_shutting_down,
  /// The client read too slowly: its send queue passed the hard bound, or
  /// its writes made no progress for too long.
  slow_consumer,
};

/// "ping timeout", "transport close", ...
constexpr std::string_view to_string(close_reason r) noexcept {
  switch (r) {
    case close_reason::ping_timeout: return "ping timeout";
    case close_reason::transport_close: return "transport close";
    case close_reason::transport_error: return "transport error";
    case close_reason::forced_close: return "forced close";
    case close_reason::parse_error: return "parse error";
    case close_reason::server_shutting_down: return "server shutting down";
    case close_reason::slow_consumer: return "slow consumer";
  }
  return "transport error";
}

}  // namespace sio
