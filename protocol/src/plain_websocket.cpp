// Plain WebSocket frames <-> the Engine.IO packets of one Socket.IO socket.
#include "sio/protocol/plain_websocket.hpp"

#include "sio/protocol/json.hpp"

namespace sio::plain_websocket {
namespace {

// "/chat," before a packet's data; nothing for the main namespace.
void append_nsp(std::string_view nsp, std::string& out) {
  if (nsp.empty() || nsp == "/") return;
  out.append(nsp).push_back(',');
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The data of a Socket.IO packet after its type: skips the attachment count
// ("1-"), the namespace ("/chat,") and the ack id.
std::string_view packet_data(std::string_view s, bool binary) {
  if (binary) {
    auto dash = s.find('-');
    if (dash == std::string_view::npos) return {};
    s.remove_prefix(dash + 1);
  }
  if (!s.empty() && s.front() == '/') {
    auto comma = s.find(',');
    if (comma == std::string_view::npos) return {};
    s.remove_prefix(comma + 1);
  }
  while (!s.empty() && is_digit(s.front())) s.remove_prefix(1);
  return s;
}

outbound text(std::string payload) {
  return {outbound::kind::text, std::move(payload), 0};
}

outbound close(std::uint16_t code, std::string reason = {}) {
  return {outbound::kind::close, std::move(reason), code};
}

bool is_placeholder(const json& v) {
  return v.is_object() && v.size() == 2 && v.contains("_placeholder") && v.contains("num");
}

outbound translate_event(std::string_view data, bool binary) {
  // Only "message" with one argument is unwrapped; every other event goes out
  // as the array the encoder already wrote, without parsing it.
  constexpr std::string_view message_prefix = "[\"message\",";
  if (data.substr(0, message_prefix.size()) != message_prefix) return text(std::string(data));
  auto parsed = parse_json(data);
  if (!parsed || !parsed->is_array() || parsed->size() != 2) return text(std::string(data));
  auto& arg = (*parsed)[1];
  if (arg.is_string()) return text(std::move(arg.get_ref<std::string&>()));
  if (binary && is_placeholder(arg)) return {outbound::kind::binary, {}, 0};
  return text(to_json_text(arg));
}

outbound translate_socket_io(std::string_view s) {
  if (s.empty()) return {};
  char type = s.front();
  s.remove_prefix(1);
  switch (type) {
    case '0':  // CONNECT
      return {outbound::kind::connected, {}, 0};
    case '1':  // DISCONNECT
      return close(1000);
    case '2':  // EVENT
    case '5':  // BINARY_EVENT
      return translate_event(packet_data(s, type == '5'), type == '5');
    case '4': {  // CONNECT_ERROR: {"message": ...}
      auto parsed = parse_json(packet_data(s, false));
      std::string reason;
      if (parsed && parsed->is_object()) {
        auto it = parsed->find("message");
        if (it != parsed->end() && it->is_string()) reason = it->get<std::string>();
      }
      return close(1008, std::move(reason));
    }
    default:  // ACK, BINARY_ACK: nothing a plain client reads
      return {};
  }
}

}  // namespace

std::string connect_packet(std::string_view nsp) {
  std::string out = "40";
  append_nsp(nsp, out);
  return out;
}

std::string text_event(std::string_view nsp, std::string_view text) {
  std::string out;
  out.reserve(text.size() + nsp.size() + 20);
  out.append("42");
  append_nsp(nsp, out);
  out.append("[\"message\",");
  write_json_string(text, out);
  out.push_back(']');
  return out;
}

std::string binary_event(std::string_view nsp) {
  std::string out = "451-";
  append_nsp(nsp, out);
  out.append(R"(["message",{"_placeholder":true,"num":0}])");
  return out;
}

outbound translate(std::string_view packet) {
  if (packet.empty()) return {};
  switch (packet.front()) {
    case '1':  // Engine.IO close
      return close(1000);
    case '2':  // Engine.IO ping
      return {outbound::kind::ping, {}, 0};
    case '4':  // Engine.IO message: a Socket.IO packet
      return translate_socket_io(packet.substr(1));
    default:  // open, pong, noop, upgrade
      return {};
  }
}

}  // namespace sio::plain_websocket
