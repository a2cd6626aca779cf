#pragma once

// The one UTF-8 check of the project (RFC 3629): the WebSocket reader's
// validation, the JSON reader's repair and the JSON writer's escaping all
// build on sequence_length.

#include <cstddef>
#include <string>
#include <string_view>

namespace sio::utf8 {

inline constexpr std::string_view replacement_character = "\xEF\xBF\xBD";

/// Length of the well-formed UTF-8 sequence that starts at s[0..n) with a
/// byte of 0x80 or more, or 0 if it is not one: overlong forms, UTF-16
/// surrogates (U+D800..U+DFFF) and code points past U+10FFFF are not.
inline std::size_t sequence_length(const unsigned char* s, std::size_t n) {
  unsigned char c = s[0];
  auto cont = [&](std::size_t i) { return i < n && (s[i] & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && s[1] < 0xA0) return 0;   // overlong
    if (c == 0xED && s[1] >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && s[1] < 0x90) return 0;   // overlong
    if (c == 0xF4 && s[1] >= 0x90) return 0;  // past U+10FFFF
    return 4;
  }
  return 0;
}

/// Where sequence_length is 0: how many bytes at s[0..n) one U+FFFD
/// replaces. That is the lead byte plus the continuation bytes that still fit
/// it (a truncated sequence), as the WHATWG decoder that Node.js uses for
/// Buffer#toString and TextDecoder counts them; at least 1.
std::size_t invalid_length(const unsigned char* s, std::size_t n) noexcept;

/// True when `text` is well-formed UTF-8, with no truncated sequence at the
/// end: what RFC 6455 demands of text messages and close reasons.
bool valid(std::string_view text) noexcept;

/// Appends `text` to `out` with each ill-formed part (see invalid_length)
/// replaced by U+FFFD, as Node.js decodes such bytes.
void append_repaired(std::string_view text, std::string& out);

}  // namespace sio::utf8
