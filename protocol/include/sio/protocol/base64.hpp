#pragma once

#include <string>
#include <string_view>

#include "sio/protocol/result.hpp"

namespace sio::base64 {

/// Appends the standard (RFC 4648, padded) base64 text of `data` to `out`.
void encode(std::string_view data, std::string& out);

/// Decodes standard or URL-safe base64, with or without padding. White space
/// and any other character outside the alphabet are refused with
/// errc::invalid_base64 (Node.js skips them; real clients never send them).
result<std::string> decode(std::string_view text);

}  // namespace sio::base64
