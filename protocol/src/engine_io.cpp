#include "sio/protocol/engine_io.hpp"

#include <charconv>

#include "sio/protocol/base64.hpp"
#include "sio/protocol/json.hpp"

namespace sio::engineio {
namespace {

result<packet_type> decode_type(char c) {
  if (c < '0' || c > '6') return errc::unknown_engineio_packet_type;
  return static_cast<packet_type>(c - '0');
}

char type_char(packet_type type) { return static_cast<char>('0' + static_cast<int>(type)); }

void append_uint(std::uint64_t v, std::string& out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

}  // namespace

std::string_view to_string(packet_type type) noexcept {
  switch (type) {
    case packet_type::open: return "open";
    case packet_type::close: return "close";
    case packet_type::ping: return "ping";
    case packet_type::pong: return "pong";
    case packet_type::message: return "message";
    case packet_type::upgrade: return "upgrade";
    case packet_type::noop: return "noop";
  }
  return "unknown";
}

result<packet_view> decode_text_packet(std::string_view text) {
  if (text.empty()) return errc::empty_packet;
  auto type = decode_type(text.front());
  if (!type) return type.error();
  return packet_view{*type, text.substr(1)};
}

void encode_text_packet(packet_type type, std::string_view data, std::string& out) {
  out.reserve(out.size() + 1 + data.size());
  out.push_back(type_char(type));
  out.append(data);
}

result<std::vector<packet>> decode_payload(std::string_view body, std::size_t max_payload) {
  if (body.size() > max_payload) return errc::too_large;
  std::vector<packet> packets;
  std::size_t start = 0;
  while (true) {
    auto end = body.find(record_separator, start);
    auto segment = body.substr(start, end == std::string_view::npos ? body.npos : end - start);
    if (segment.empty()) return errc::empty_packet;
    if (segment.front() == 'b') {
      auto data = base64::decode(segment.substr(1));
      if (!data) return data.error();
      packets.push_back(packet::bytes(std::move(*data)));
    } else {
      auto view = decode_text_packet(segment);
      if (!view) return view.error();
      packets.push_back(packet::text(view->type, std::string(view->data)));
    }
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return packets;
}

void encode_payload_packet(const packet& p, std::string& out) {
  if (p.binary) {
    out.push_back('b');
    base64::encode(p.data, out);
  } else {
    encode_text_packet(p.type, p.data, out);
  }
}

void encode_payload(const std::vector<packet>& packets, std::string& out) {
  for (std::size_t i = 0; i < packets.size(); ++i) {
    if (i > 0) out.push_back(record_separator);
    encode_payload_packet(packets[i], out);
  }
}

void encode_handshake(const handshake& h, std::string& out) {
  json upgrades = json::array();
  for (const auto& u : h.upgrades) upgrades.push_back(u);
  out.append(R"({"sid":)");
  (void)write_json(json(h.sid), out);
  out.append(R"(,"upgrades":)");
  (void)write_json(upgrades, out);
  out.append(R"(,"pingInterval":)");
  append_uint(h.ping_interval_ms, out);
  out.append(R"(,"pingTimeout":)");
  append_uint(h.ping_timeout_ms, out);
  out.append(R"(,"maxPayload":)");
  append_uint(h.max_payload, out);
  out.push_back('}');
}

result<handshake> decode_handshake(std::string_view json_text) {
  auto parsed = parse_json(json_text, 4);
  if (!parsed) return errc::invalid_handshake;
  const json& v = *parsed;
  auto uint_field = [&](const char* name) -> const json* {
    auto it = v.find(name);
    return it != v.end() && it->is_number_unsigned() ? &*it : nullptr;
  };
  if (!v.is_object()) return errc::invalid_handshake;
  auto sid = v.find("sid");
  auto upgrades = v.find("upgrades");
  auto interval = uint_field("pingInterval");
  auto timeout = uint_field("pingTimeout");
  auto max_payload = uint_field("maxPayload");
  if (sid == v.end() || !sid->is_string() || upgrades == v.end() || !upgrades->is_array() ||
      !interval || !timeout || !max_payload)
    return errc::invalid_handshake;
  handshake h;
  h.sid = sid->get<std::string>();
  for (const auto& u : *upgrades) {
    if (!u.is_string()) return errc::invalid_handshake;
    h.upgrades.push_back(u.get<std::string>());
  }
  h.ping_interval_ms = interval->get<std::uint64_t>();
  h.ping_timeout_ms = timeout->get<std::uint64_t>();
  h.max_payload = max_payload->get<std::uint64_t>();
  return h;
}

std::string_view message(http_error e) noexcept {
  switch (e) {
    case http_error::unknown_transport: return "Transport unknown";
    case http_error::unknown_sid: return "Session ID unknown";
    case http_error::bad_handshake_method: return "Bad handshake method";
    case http_error::bad_request: return "Bad request";
    case http_error::forbidden: return "Forbidden";
    case http_error::unsupported_protocol_version: return "Unsupported protocol version";
  }
  return "Bad request";
}

int http_status(http_error e) noexcept { return e == http_error::forbidden ? 403 : 400; }

std::string error_body(http_error e) {
  std::string out = R"({"code":)";
  append_uint(static_cast<unsigned>(e), out);
  out.append(R"(,"message":)");
  (void)write_json(json(std::string(message(e))), out);
  out.push_back('}');
  return out;
}

}  // namespace sio::engineio
