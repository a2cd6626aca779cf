#include "sio/gateway/engine_route.hpp"

#include "static_files.hpp"

namespace sio::route {
namespace {

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

bool has_invalid_header_char(std::string_view value) noexcept {
  for (unsigned char c : value)
    if (!(c == '\t' || (c >= 0x20 && c <= 0x7e) || c >= 0x80)) return true;
  return false;
}

decision decide(const request_view& req, const gateway_options& opts, transports allowed) {
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

  bool polling = transport == "polling" && allowed.polling;
  bool websocket = transport == "websocket" && allowed.websocket;
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
