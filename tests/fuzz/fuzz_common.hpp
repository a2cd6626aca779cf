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
#include "sio/protocol/utf8.hpp"

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

namespace detail {

// Whether every string and key inside `value` is valid UTF-8 and, when
// `finite_numbers`, whether every double is finite.
inline bool check_values(const sio::json& value, bool finite_numbers) {
  std::vector<const sio::json*> todo{&value};
  while (!todo.empty()) {
    const sio::json* v = todo.back();
    todo.pop_back();
    if (v->is_string()) {
      if (!sio::utf8::valid(v->get_ref<const std::string&>())) return false;
    } else if (v->is_number_float()) {
      if (finite_numbers && !std::isfinite(v->get<double>())) return false;
    } else if (v->is_array()) {
      for (const auto& item : *v) todo.push_back(&item);
    } else if (v->is_object()) {
      for (auto it = v->begin(); it != v->end(); ++it) {
        if (!sio::utf8::valid(it.key())) return false;
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
