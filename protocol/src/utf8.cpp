#include "sio/protocol/utf8.hpp"

#include <cstdint>
#include <cstring>

namespace sio::utf8 {

std::size_t invalid_length(const unsigned char* s, std::size_t n) noexcept {
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

bool valid(std::string_view text) noexcept {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    // Socket.IO traffic is mostly ASCII JSON: skip it 8 bytes at a time.
    if (n - i >= 8) {
      std::uint64_t word;
      std::memcpy(&word, s + i, 8);
      if ((word & 0x8080808080808080u) == 0) {
        i += 8;
        continue;
      }
    }
    if (s[i] < 0x80) {
      ++i;
      continue;
    }
    auto len = sequence_length(s + i, n - i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

void append_repaired(std::string_view text, std::string& out) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t n = text.size();
  std::size_t run = 0;  // start of the bytes copied verbatim
  std::size_t i = 0;
  while (i < n) {
    if (s[i] < 0x80) {
      ++i;
    } else if (auto len = sequence_length(s + i, n - i); len > 0) {
      i += len;
    } else {
      out.append(text.data() + run, i - run);
      out.append(replacement_character);
      i += invalid_length(s + i, n - i);
      run = i;
    }
  }
  out.append(text.data() + run, n - run);
}

}  // namespace sio::utf8
