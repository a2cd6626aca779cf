// parse_json / write_json, and base64.
//
// The first input byte picks the depth limit; the rest is parsed as JSON and
// also run through base64 both ways. Parsed values must write, parse back
// and write to the same text; values that write exactly (no non-finite
// numbers) must parse back equal.

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_common.hpp"
#include "sio/protocol/base64.hpp"
#include "sio/protocol/json.hpp"

using sio::fuzz::as_text;
using sio::fuzz::writes_exactly;

namespace {

void json_round_trip(std::string_view text, std::size_t max_depth) {
  auto v = sio::parse_json(text, max_depth);
  if (!v) {
    SIO_FUZZ_CHECK(v.error() == sio::errc::invalid_json || v.error() == sio::errc::json_too_deep);
    return;
  }
  SIO_FUZZ_CHECK(sio::fuzz::all_utf8(*v));
  std::string first;
  // Parsing counted every container; writing counts only non-empty ones.
  SIO_FUZZ_CHECK(sio::write_json(*v, first, max_depth).ok());
  SIO_FUZZ_CHECK(sio::to_json_text(*v) == first);
  auto again = sio::parse_json(first, max_depth);
  SIO_FUZZ_CHECK(again.ok());
  if (writes_exactly(*v)) SIO_FUZZ_CHECK(*again == *v);
  std::string second;
  SIO_FUZZ_CHECK(sio::write_json(*again, second, max_depth).ok());
  SIO_FUZZ_CHECK(second == first);

  // A write that is too deep leaves the output untouched.
  if (max_depth > 0) {
    std::string out = "x";
    auto shallow = sio::write_json(*v, out, 0);
    if (!shallow) SIO_FUZZ_CHECK(out == "x");
  }
}

void base64_round_trip(std::string_view input) {
  // Any bytes encode, and decode back to themselves.
  std::string encoded;
  sio::base64::encode(input, encoded);
  SIO_FUZZ_CHECK(encoded.size() == (input.size() + 2) / 3 * 4);
  auto decoded = sio::base64::decode(encoded);
  SIO_FUZZ_CHECK(decoded.ok());
  SIO_FUZZ_CHECK(*decoded == input);

  // Text that decodes re-encodes to text that decodes to the same bytes.
  auto bytes = sio::base64::decode(input);
  if (!bytes) return;
  SIO_FUZZ_CHECK(bytes->size() <= input.size() / 4 * 3 + 2);
  std::string canonical;
  sio::base64::encode(*bytes, canonical);
  auto again = sio::base64::decode(canonical);
  SIO_FUZZ_CHECK(again.ok());
  SIO_FUZZ_CHECK(*again == *bytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::size_t max_depth = data[0] & 15;  // 0 .. 15, the high bits are ignored
  auto input = as_text(data + 1, size - 1);
  json_round_trip(input, max_depth);
  base64_round_trip(input);
  return 0;
}
