#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "rpc_error.hpp"
#include "sio/rpc/rpc_options.hpp"

namespace sio::rpc {

/// Checks the `authorization: Bearer` metadata of calls against the tokens.
/// Read-only after construction, so every gRPC thread may use it at once.
class authorizer {
 public:
  explicit authorizer(std::vector<token> tokens) : tokens_(std::move(tokens)) {}

  /// The caller's token, when tokens are configured; an error when the
  /// header is missing or names no token. Without tokens, nullptr and no error.
  struct identity {
    const token* who = nullptr;
    std::optional<rpc_error> error;
  };
  identity identify(std::optional<std::string_view> authorization) const;

  /// Whether `who` (nullptr: no tokens configured) may use `needed` on
  /// namespace `nsp` ("" for calls outside any namespace).
  static std::optional<rpc_error> allow(const token* who, scope needed, std::string_view nsp);

  /// A number per token, 0 to the number of tokens (nullptr: the last), for
  /// per-caller bookkeeping.
  std::size_t slot_of(const token* who) const noexcept {
    return who ? static_cast<std::size_t>(who - tokens_.data()) : tokens_.size();
  }

 private:
  std::vector<token> tokens_;
};

/// `*` in `glob` matches any run of characters, nothing else is special.
bool glob_match(std::string_view glob, std::string_view text);

}  // namespace sio::rpc
