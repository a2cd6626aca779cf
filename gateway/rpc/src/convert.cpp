#include "convert.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "sio/protocol/base64.hpp"

namespace sio::rpc {

std::variant<args, rpc_error> to_args(const pb::Payload& p, std::size_t max_bytes) {
  rpc_payload::payload plain;
  plain.args.reserve(static_cast<std::size_t>(p.args_size()));
  for (const auto& a : p.args()) {
    if (a.value_case() == pb::Arg::kBinary)
      plain.args.push_back({rpc_payload::arg::kind::binary, a.binary()});
    else
      plain.args.push_back({rpc_payload::arg::kind::json, a.json()});
  }
  plain.attachments.assign(p.attachments().begin(), p.attachments().end());
  rpc_payload::limits lim;
  lim.max_bytes = max_bytes;
  auto decoded = rpc_payload::decode(plain, lim);
  if (decoded) return std::move(*decoded);
  switch (decoded.error()) {
    case errc::too_large:
      return invalid("PAYLOAD_TOO_LARGE",
                     "the payload is larger than " + std::to_string(max_bytes) + " bytes");
    case errc::invalid_placeholder:
      return invalid("INVALID_PLACEHOLDER",
                     "a placeholder names no attachment, or an attachment is not named");
    default:
      return invalid("INVALID_JSON", "an argument is not one JSON value");
  }
}

void to_payload(const args& values, pb::Payload& out) {
  auto p = rpc_payload::encode(values);
  if (!p) return;  // nests deeper than anything a client can send
  for (auto& a : p->args) {
    auto* arg = out.add_args();
    if (a.type == rpc_payload::arg::kind::binary)
      arg->set_binary(std::move(a.data));
    else
      arg->set_json(std::move(a.data));
  }
  for (auto& b : p->attachments) out.add_attachments(std::move(b));
}

std::optional<rpc_error> check_event_name(const std::string& name) {
  if (name.empty()) return invalid("EMPTY_EVENT_NAME", "the event name is empty");
  static constexpr std::array<std::string_view, 6> reserved{
      "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"};
  if (std::find(reserved.begin(), reserved.end(), name) != reserved.end())
    return invalid("RESERVED_EVENT_NAME", "'" + name + "' is a reserved event name");
  return std::nullopt;
}

namespace {

// Headers worth a backend's attention; cookies and credentials stay out.
constexpr std::array<std::string_view, 7> allowed_headers{
    "user-agent", "accept-language", "origin",  "referer",
    "host",       "x-forwarded-for", "x-real-ip"};

std::string text_of(const json& v) { return v.is_string() ? v.get<std::string>() : to_json_text(v); }

void to_handshake(const handshake& h, pb::Handshake& out) {
  if (h.headers.is_object())
    for (const auto& [name, value] : h.headers.items())
      if (std::find(allowed_headers.begin(), allowed_headers.end(), name) != allowed_headers.end())
        (*out.mutable_headers())[name] = text_of(value);
  if (h.query.is_object())
    for (const auto& [name, value] : h.query.items()) (*out.mutable_query())[name] = text_of(value);
  out.set_auth_json(h.auth.is_null() ? "{}" : to_json_text(h.auth));
  out.set_address(h.address);
  out.set_secure(h.secure);
  out.set_xdomain(h.xdomain);
  out.set_url(h.url);
  out.set_issued_unix_ms(h.issued);
}

constexpr std::string_view token_prefix = "p1.";

}  // namespace

void to_socket_info(const remote_socket& s, bool with_data, bool with_handshake,
                    const std::string& node_id, pb::SocketInfo& out) {
  out.set_id(s.id);
  out.set_namespace_(s.nsp);
  for (const auto& room : s.rooms)  // a std::set: sorted
    if (room != s.id) out.add_rooms(room);
  if (with_data) out.set_data_json(s.data.is_null() ? "null" : to_json_text(s.data));
  if (with_handshake) to_handshake(s.handshake_info, *out.mutable_handshake());
  if (s.transport == "websocket") out.set_transport(pb::TRANSPORT_WEBSOCKET);
  else if (s.transport == "polling") out.set_transport(pb::TRANSPORT_POLLING);
  out.set_connected_unix_ms(s.handshake_info.issued);
  out.set_node_id(node_id);
}

std::string make_page_token(const std::string& last) {
  std::string out(token_prefix);
  base64::encode(last, out);
  return out;
}

std::optional<std::string> read_page_token(const std::string& token) {
  if (!std::string_view(token).starts_with(token_prefix)) return std::nullopt;
  auto decoded = base64::decode(std::string_view(token).substr(token_prefix.size()));
  if (!decoded || decoded->empty()) return std::nullopt;
  return std::move(*decoded);
}

}  // namespace sio::rpc
