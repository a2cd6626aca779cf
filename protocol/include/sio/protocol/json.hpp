#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "sio/protocol/result.hpp"

namespace sio {

/// The value type event handlers receive and emit. Objects keep the order in
/// which keys were inserted, as JavaScript objects do, so a payload echoed back
/// reads the same on the client. Binary attachments are `json::binary_t` values.
using json = nlohmann::ordered_json;

/// Bytes as they travel on the wire (attachments, binary Engine.IO messages).
using bytes = std::string;

/// The default bound on JSON nesting for data received from clients.
inline constexpr std::size_t default_max_json_depth = 100;

/// Parses one JSON text as JSON.parse does (surrounding white space allowed,
/// duplicate keys: the last value wins at the first position). Strings and
/// keys are always valid UTF-8: invalid bytes, and lone low surrogates from
/// `\uDC00`-style escapes, become U+FFFD as write_json writes them. Nesting deeper
/// than `max_depth` is refused with errc::json_too_deep as soon as it is seen;
/// the parser never recurses, so no input can exhaust the stack.
result<json> parse_json(std::string_view text, std::size_t max_depth = default_max_json_depth);

/// Where write_json puts the bytes of binary values.
struct attachment_sink {
  std::vector<bytes>* buffers;
};

/// Appends the JSON text of `value` to `out`, byte for byte as JSON.stringify
/// writes the equivalent JavaScript value: shortest round-trip numbers
/// (`1` for 1.0, `1e+21`), `null` for NaN and infinities, lower-case `\u00XX`
/// escapes, invalid UTF-8 replaced by U+FFFD.
///
/// Binary values become `{"_placeholder":true,"num":N}` with their bytes moved
/// to `sink` when one is given; without a sink they are written the way
/// JSON.stringify writes a Node.js Buffer: `{"type":"Buffer","data":[1,2]}`.
///
/// Never recurses; a value nested deeper than `max_depth` is refused with
/// errc::value_too_deep and `out` is left as it was.
status write_json(const json& value, std::string& out, std::size_t max_depth = 1000,
                  attachment_sink sink = {nullptr});

/// Appends `text` as a JSON string, escaped as JSON.stringify escapes it
/// (invalid UTF-8 replaced by U+FFFD).
void write_json_string(std::string_view text, std::string& out);

/// Convenience for tests and logs: the JSON text, or "" when too deep.
std::string to_json_text(const json& value);

}  // namespace sio
