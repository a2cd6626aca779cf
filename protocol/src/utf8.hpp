#pragma once

// UTF-8 checks shared by the JSON reader and writer (internal header).

#include <cstddef>
#include <string>
#include <string_view>

namespace sio::detail {

inline constexpr std::string_view replacement_character = "\xEF\xBF\xBD";

// Length of the well-formed UTF-8 sequence at s[0..n), or 0 if it is not one
// (overlong forms, surrogates and code points past U+10FFFF are not).
inline std::size_t utf8_sequence_length(const unsigned char* s, std::size_t n) {
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

// Where utf8_sequence_length is 0: how many bytes at s[0..n) one U+FFFD
// replaces. That is the lead byte plus the continuation bytes that still fit
// it (a truncated sequence), as the WHATWG decoder that Node.js uses for
// Buffer#toString and TextDecoder counts them; at least 1.
inline std::size_t utf8_invalid_length(const unsigned char* s, std::size_t n) {
  unsigned char c = s[0];
  std::size_t need = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    need = 1;
  } else if (c >= 0xE0 && c <= 0xEF) {
    need = 2;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    need = 3;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  }
  std::size_t i = 1;
  while (i <= need && i < n && s[i] >= lo && s[i] <= hi) {
    ++i;
    lo = 0x80;
    hi = 0xBF;
  }
  return i;
}

// Appends `text` to `out` with each ill-formed part (see utf8_invalid_length)
// replaced by U+FFFD, exactly as write_json writes strings.
inline void append_utf8(std::string_view text, std::string& out) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t n = text.size();
  std::size_t run = 0;  // start of the bytes copied verbatim
  std::size_t i = 0;
  while (i < n) {
    if (s[i] < 0x80) {
      ++i;
    } else if (auto len = utf8_sequence_length(s + i, n - i); len > 0) {
      i += len;
    } else {
      out.append(text.data() + run, i - run);
      out.append(replacement_character);
      i += utf8_invalid_length(s + i, n - i);
      run = i;
    }
  }
  out.append(text.data() + run, n - run);
}

}  // namespace sio::detail
