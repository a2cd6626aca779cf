#pragma once

#include <array>
#include <cstdint>
#include <string_view>

/// SHA-1 (FIPS 180-4), only for the WebSocket handshake's Sec-WebSocket-Accept.
/// SHA-1 is broken for signatures; RFC 6455 uses it as a fixed transform, not
/// for security, so a small portable implementation is enough.
namespace sio::sha1 {

/// The 20-byte digest of `data`.
std::array<std::uint8_t, 20> digest(std::string_view data) noexcept;

}  // namespace sio::sha1
