#pragma once

#include <string_view>

namespace sio::utf8 {

/// True when `text` is well-formed UTF-8 (RFC 3629): no overlong forms, no
/// UTF-16 surrogates (U+D800..U+DFFF), nothing past U+10FFFF, no truncated
/// sequence at the end. What RFC 6455 demands of text messages and close
/// reasons.
bool valid(std::string_view text) noexcept;

}  // namespace sio::utf8
