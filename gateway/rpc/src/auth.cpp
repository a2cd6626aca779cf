#include "auth.hpp"

#include <algorithm>
#include <cctype>

namespace sio::rpc {
namespace {

// Compares without stopping at the first difference, so the time taken
// tells nothing about how much of a guess was right.
bool same_secret(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  auto n = std::max(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    auto x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    auto y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= static_cast<unsigned char>(x ^ y);
  }
  return diff == 0;
}

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    auto at = text.find(sep);
    out.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return out;
    text.remove_prefix(at + 1);
  }
}

std::optional<scope> scope_named(std::string_view name) {
  if (name == "emit") return scope::emit;
  if (name == "manage") return scope::manage;
  if (name == "read") return scope::read;
  if (name == "watch") return scope::watch;
  if (name == "admin") return scope::admin;
  return std::nullopt;
}

}  // namespace

bool glob_match(std::string_view glob, std::string_view text) {
  // Iterative matching with one backtrack point: linear for `*` globs.
  std::size_t g = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (g < glob.size() && glob[g] == '*') {
      star = g++;
      mark = t;
    } else if (g < glob.size() && glob[g] == text[t]) {
      ++g;
      ++t;
    } else if (star != std::string_view::npos) {
      g = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (g < glob.size() && glob[g] == '*') ++g;
  return g == glob.size();
}

parsed_tokens parse_tokens(std::string_view text) {
  parsed_tokens out;
  std::string normalized(text);
  std::replace(normalized.begin(), normalized.end(), ';', ' ');
  for (auto c : {'\t', '\n', '\r'}) std::replace(normalized.begin(), normalized.end(), c, ' ');
  for (auto entry : split(normalized, ' ')) {
    if (entry.empty()) continue;
    auto parts = split(entry, ':');
    auto bad = [&](const std::string& why) {
      // Never echo the secret itself.
      out.error = "token entry " + std::to_string(out.tokens.size() + 1) + ": " + why;
      return out;
    };
    if (parts.size() < 2 || parts.size() > 3) return bad("expected SECRET:SCOPES[:NAMESPACES]");
    if (parts[0].size() < 8) return bad("the secret is shorter than 8 characters");
    token t;
    t.secret = std::string(parts[0]);
    for (auto name : split(parts[1], ',')) {
      auto s = scope_named(name);
      if (!s) return bad("unknown scope '" + std::string(name) + "' (emit, manage, read, watch, admin)");
      t.scopes.push_back(*s);
    }
    if (parts.size() == 3)
      for (auto glob : split(parts[2], ','))
        if (!glob.empty()) t.namespaces.emplace_back(glob);
    out.tokens.push_back(std::move(t));
  }
  return out;
}

bool is_local_address(std::string_view address) {
  if (address.starts_with("unix:") || address.starts_with("unix-abstract:")) return true;
  auto colon = address.rfind(':');
  if (colon == std::string_view::npos) return false;
  auto host = address.substr(0, colon);
  if (host.starts_with("ipv4:")) host.remove_prefix(5);
  if (host.starts_with("ipv6:")) host.remove_prefix(5);
  if (host == "localhost" || host == "[::1]") return true;
  // 127.0.0.0/8, written as digits and dots only.
  if (!host.starts_with("127.")) return false;
  return std::all_of(host.begin(), host.end(),
                     [](char c) { return c == '.' || std::isdigit(static_cast<unsigned char>(c)); });
}

authorizer::identity authorizer::identify(std::optional<std::string_view> header) const {
  if (tokens_.empty()) return {};
  if (!header)
    return {nullptr,
            rpc_error{grpc::StatusCode::UNAUTHENTICATED, "MISSING_TOKEN",
                      "send the metadata authorization: Bearer <token>"}};
  auto value = *header;
  constexpr std::string_view prefix = "bearer ";
  bool has_prefix = value.size() > prefix.size() &&
                    std::equal(prefix.begin(), prefix.end(), value.begin(), [](char a, char b) {
                      return a == std::tolower(static_cast<unsigned char>(b));
                    });
  if (!has_prefix)
    return {nullptr, rpc_error{grpc::StatusCode::UNAUTHENTICATED, "INVALID_TOKEN",
                               "authorization must be 'Bearer <token>'"}};
  auto secret = value.substr(prefix.size());
  const token* found = nullptr;
  // Every token is compared, so the time does not tell which one matched.
  for (const auto& t : tokens_)
    if (same_secret(t.secret, secret) && !found) found = &t;
  if (!found)
    return {nullptr,
            rpc_error{grpc::StatusCode::UNAUTHENTICATED, "INVALID_TOKEN", "unknown token"}};
  return {found, std::nullopt};
}

std::optional<rpc_error> authorizer::allow(const token* who, scope needed, std::string_view nsp) {
  if (!who) return std::nullopt;
  const auto& s = who->scopes;
  if (std::find(s.begin(), s.end(), needed) == s.end() &&
      std::find(s.begin(), s.end(), scope::admin) == s.end())
    return rpc_error{grpc::StatusCode::PERMISSION_DENIED, "SCOPE_REQUIRED",
                     "the token lacks the scope this call needs"};
  if (nsp.empty() || who->namespaces.empty()) return std::nullopt;
  for (const auto& glob : who->namespaces)
    if (glob_match(glob, nsp)) return std::nullopt;
  return rpc_error{grpc::StatusCode::PERMISSION_DENIED, "NAMESPACE_FORBIDDEN",
                   "the token may not use namespace " + std::string(nsp)};
}

}  // namespace sio::rpc
