#include "sio/gateway/engine_route.hpp"

#include "static_files.hpp"

namespace sio::route {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// As URLSearchParams: '+' is a space, and a '%' not followed by two hex
// digits stays as it is.
std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
               hex_value(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string_view value_of(const query_pairs& q, std::string_view key, bool& found) {
  for (const auto& [k, v] : q)
    if (k == key) {
      found = true;
      return v;
    }
  found = false;
  return {};
}

}  // namespace

std::string_view path_of(std::string_view target) noexcept {
  return target.substr(0, target.find('?'));
}

query_pairs parse_query(std::string_view target) {
  query_pairs out;
  auto q = target.find('?');
  if (q == std::string_view::npos) return out;
  auto rest = target.substr(q + 1);
  rest = rest.substr(0, rest.find('#'));
  while (!rest.empty()) {
    auto amp = rest.find('&');
    auto part = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    if (part.empty()) continue;
    auto eq = part.find('=');
    if (eq == std::string_view::npos)
      out.emplace_back(percent_decode(part), std::string{});
    else
      out.emplace_back(percent_decode(part.substr(0, eq)), percent_decode(part.substr(eq + 1)));
  }
  return out;
}

bool has_invalid_header_char(std::string_view value) noexcept {
  for (unsigned char c : value)
    if (!(c == '\t' || (c >= 0x20 && c <= 0x7e) || c >= 0x80)) return true;
  return false;
}

decision decide(const request_view& req, const gateway_options& opts) {
  auto path = path_of(req.target);
  if (path.substr(0, opts.path.size()) != opts.path) return {action::not_engine_io, {}, {}};
  if (!opts.cors_origin.empty() && req.method == "OPTIONS") return {action::preflight, {}, {}};
  // The reference's serveClient answers these before Engine.IO sees them.
  if (!opts.client_dir.empty() && !detail::static_files::client_file(req.target, opts.path).empty())
    return {action::client_file, {}, {}};

  auto query = parse_query(req.target);
  bool has_transport = false, has_sid = false, has_eio = false;
  auto transport = value_of(query, "transport", has_transport);
  auto sid = value_of(query, "sid", has_sid);
  auto eio = value_of(query, "EIO", has_eio);
  auto fail = [](engineio::http_error e) { return decision{action::fail, e, {}}; };

  bool polling = transport == "polling" && opts.allow_polling;
  bool websocket = transport == "websocket" && opts.allow_websocket;
  if (!polling && !websocket) return fail(engineio::http_error::unknown_transport);
  if (has_invalid_header_char(req.origin)) return fail(engineio::http_error::bad_request);

  if (has_sid && !sid.empty()) {
    if (req.is_websocket_upgrade) {
      if (!websocket) return fail(engineio::http_error::bad_request);
      return {action::ws_upgrade, {}, std::string(sid)};
    }
    // transport=websocket without an upgrade cannot be served; a polling
    // request for a WebSocket session is the reference's TRANSPORT_MISMATCH,
    // which the connection actor answers, as only it knows its transport.
    if (websocket) return fail(engineio::http_error::bad_request);
    if (req.method == "GET") return {action::poll_get, {}, std::string(sid)};
    if (req.method == "POST") return {action::poll_post, {}, std::string(sid)};
    return {action::bad_method, {}, std::string(sid)};
  }
  if (req.method != "GET") return fail(engineio::http_error::bad_handshake_method);
  if (websocket && !req.is_websocket_upgrade) return fail(engineio::http_error::bad_request);
  if (polling && req.is_websocket_upgrade) return fail(engineio::http_error::bad_request);
  if (!has_eio || eio != "4") return fail(engineio::http_error::unsupported_protocol_version);
  return {websocket ? action::ws_handshake : action::handshake, {}, {}};
}

}  // namespace sio::route
