#pragma once

// Helpers shared by the fuzz targets: a check that aborts the fuzzer (so the
// input is saved as a crash) and a UTF-8 test that mirrors write_json's.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string_view>
#include <vector>

#include "sio/protocol/json.hpp"

#define SIO_FUZZ_CHECK(cond)                                                        \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      __builtin_trap();                                                             \
    }                                                                               \
  } while (false)

namespace sio::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// True when `s` is well-formed UTF-8 (no overlong forms, no surrogates,
/// nothing past U+10FFFF): exactly the strings write_json copies unchanged.
inline bool valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  std::size_t n = s.size();
  for (std::size_t i = 0; i < n;) {
    unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07u;
    } else {
      return false;
    }
    if (n - i < len) return false;
    for (std::size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3Fu);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) return false;  // overlong
    if (cp >= 0xD800 && cp <= 0xDFFF) return false;                            // surrogate
    if (cp > 0x10FFFF) return false;
    i += len;
  }
  return true;
}

namespace detail {

// Whether every string and key inside `value` is valid UTF-8 and, when
// `finite_numbers`, whether every double is finite.
inline bool check_values(const sio::json& value, bool finite_numbers) {
  std::vector<const sio::json*> todo{&value};
  while (!todo.empty()) {
    const sio::json* v = todo.back();
    todo.pop_back();
    if (v->is_string()) {
      if (!valid_utf8(v->get_ref<const std::string&>())) return false;
    } else if (v->is_number_float()) {
      if (finite_numbers && !std::isfinite(v->get<double>())) return false;
    } else if (v->is_array()) {
      for (const auto& item : *v) todo.push_back(&item);
    } else if (v->is_object()) {
      for (auto it = v->begin(); it != v->end(); ++it) {
        if (!valid_utf8(it.key())) return false;
        todo.push_back(&it.value());
      }
    }
  }
  return true;
}

}  // namespace detail

/// True when every string and object key inside `value` is valid UTF-8, as
/// parse_json promises for what it returns.
inline bool all_utf8(const sio::json& value) { return detail::check_values(value, false); }

/// True when write_json reproduces `value` exactly: its strings are valid
/// UTF-8 and its doubles finite (JSON.stringify writes the others as null).
inline bool writes_exactly(const sio::json& value) { return detail::check_values(value, true); }

}  // namespace sio::fuzz
