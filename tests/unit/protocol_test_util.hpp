// Helpers shared by the protocol unit tests.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "sio/protocol/engine_io.hpp"
#include "sio/protocol/json.hpp"
#include "sio/protocol/socket_io.hpp"

// Readable failure messages (found by GoogleTest through ADL).
namespace sio {
inline void PrintTo(errc e, std::ostream* os) {
  *os << static_cast<int>(e) << " (" << to_string(e) << ")";
}
}  // namespace sio

// Readable failure messages for packets (found by GoogleTest through ADL).
namespace sio::socketio {
inline void PrintTo(const packet& p, std::ostream* os) {
  *os << "{" << to_string(p.type) << " nsp=" << p.nsp;
  if (p.id) *os << " id=" << *p.id;
  if (p.data) *os << " data=" << to_json_text(*p.data);
  *os << "}";
}
}  // namespace sio::socketio

namespace sio::engineio {
inline void PrintTo(const packet& p, std::ostream* os) {
  *os << "{" << to_string(p.type) << (p.binary ? " binary" : "") << " size=" << p.data.size()
      << "}";
}
}  // namespace sio::engineio

namespace sio::test {

/// The error of `r`, or errc{} (no code) when it holds a value, so that a
/// wrong success fails the comparison instead of aborting.
template <class Result>
errc error_of(const Result& r) {
  return r.ok() ? errc{} : r.error();
}

/// A binary JSON value holding `octets`, as the decoder builds them.
inline json bin(std::initializer_list<std::uint8_t> octets) {
  return json::binary(json::binary_t::container_type(octets));
}

/// A binary JSON value holding `n` zero bytes (an `ArrayBuffer(n)`).
inline json zeros(std::size_t n) { return json::binary(json::binary_t::container_type(n, 0)); }

/// A binary JSON value holding the bytes of `text` (a `Buffer.from(text)`).
inline json bin_of(std::string_view text) {
  return json::binary(json::binary_t::container_type(text.begin(), text.end()));
}

/// Raw bytes, e.g. raw({1, 2}) == "\x01\x02".
inline bytes raw(std::initializer_list<std::uint8_t> octets) {
  return bytes(octets.begin(), octets.end());
}

/// `depth` arrays nested in each other around `innermost`, built without
/// recursion (a moved-from value only swaps pointers).
inline json nested_arrays(std::size_t depth, json innermost) {
  json value = std::move(innermost);
  for (std::size_t i = 0; i < depth; ++i) {
    json outer = json::array();
    outer.get_ref<json::array_t&>().push_back(std::move(value));
    value = std::move(outer);
  }
  return value;
}

/// `text` repeated `n` times.
inline std::string repeat(std::string_view text, std::size_t n) {
  std::string out;
  out.reserve(text.size() * n);
  for (std::size_t i = 0; i < n; ++i) out.append(text);
  return out;
}

/// Encodes `packets` as a polling body and decodes every prefix of it: each
/// either fails with a typed error (empty_packet when the cut leaves an empty
/// segment, invalid_base64 only inside base64 text) or yields the packets
/// before the cut followed by a truncated copy of the packet it cuts.
inline void expect_prefixes_decode_consistently(const std::vector<engineio::packet>& packets) {
  std::vector<std::string> segments;
  for (const auto& p : packets) {
    std::string s;
    engineio::encode_payload_packet(p, s);
    segments.push_back(s);
  }
  std::string body;
  engineio::encode_payload(packets, body);
  for (std::size_t k = 0; k <= body.size(); ++k) {
    SCOPED_TRACE("prefix length " + std::to_string(k));
    // Locate the cut: the packet it falls in and how much of it is kept.
    std::size_t index = 0, kept = k;
    while (index + 1 < segments.size() && kept > segments[index].size()) {
      kept -= segments[index].size() + 1;
      ++index;
    }
    auto r = engineio::decode_payload(std::string_view(body).substr(0, k), body.size());
    if (kept == 0) {
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.error(), errc::empty_packet);
      continue;
    }
    const engineio::packet& cut = packets[index];
    if (!r.ok()) {
      EXPECT_TRUE(cut.binary) << "a cut text packet must decode";
      EXPECT_EQ(r.error(), errc::invalid_base64);
      continue;
    }
    ASSERT_EQ(r->size(), index + 1);
    for (std::size_t i = 0; i < index; ++i) EXPECT_EQ((*r)[i], packets[i]);
    const engineio::packet& last = r->back();
    EXPECT_EQ(last.type, cut.type);
    EXPECT_EQ(last.binary, cut.binary);
    EXPECT_EQ(cut.data.substr(0, last.data.size()), last.data);
    if (kept == segments[index].size()) {
      EXPECT_EQ(last, cut);
    }
    if (!cut.binary) {
      EXPECT_EQ(last.data.size(), kept - 1);
    }
  }
}

}  // namespace sio::test
