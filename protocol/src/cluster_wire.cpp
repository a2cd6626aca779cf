#include "sio/protocol/cluster_wire.hpp"

#include <exception>

namespace sio::cluster_wire {
namespace {

// nlohmann's msgpack reader recurses once per nesting level; this SAX stops it
// at `depth` before the stack can run out.
class bounded_sax : public nlohmann::detail::json_sax_dom_parser<json> {
 public:
  bounded_sax(json& out, std::size_t depth)
      : nlohmann::detail::json_sax_dom_parser<json>(out, false), depth_(depth) {}
  bool start_object(std::size_t len) {
    if (++level_ > depth_) return false;
    return json_sax_dom_parser::start_object(len);
  }
  bool start_array(std::size_t len) {
    if (++level_ > depth_) return false;
    return json_sax_dom_parser::start_array(len);
  }
  bool end_object() {
    --level_;
    return json_sax_dom_parser::end_object();
  }
  bool end_array() {
    --level_;
    return json_sax_dom_parser::end_array();
  }

 private:
  std::size_t depth_;
  std::size_t level_ = 0;
};

std::optional<std::string> room_name(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return v.dump();
  return std::nullopt;
}

std::optional<std::vector<std::string>> room_list(const json& obj, const char* key) {
  std::vector<std::string> out;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return out;
  if (!it->is_array()) return std::nullopt;
  out.reserve(it->size());
  for (const auto& r : *it) {
    auto name = room_name(r);
    if (!name) return std::nullopt;
    out.push_back(std::move(*name));
  }
  return out;
}

std::string prefix(std::string_view key, std::string_view nsp) {
  std::string out;
  out.reserve(key.size() + nsp.size() + 2);
  out.append(key).push_back('#');
  out.append(nsp).push_back('#');
  return out;
}

}  // namespace

std::optional<json> decode_msgpack(std::string_view bytes, std::size_t depth) {
  json out;
  bounded_sax sax(out, depth);
  try {
    if (!json::sax_parse(bytes.begin(), bytes.end(), &sax, nlohmann::detail::input_format_t::msgpack,
                         true))
      return std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (sax.is_errored()) return std::nullopt;
  return out;
}

std::string encode_msgpack(const json& value) {
  std::string out;
  json::to_msgpack(value, nlohmann::detail::output_adapter<char, std::string>(out));
  return out;
}

std::optional<json> decode_message(std::string_view bytes) {
  std::optional<json> value;
  if (!bytes.empty() && bytes.front() == '{') {
    auto parsed = parse_json(bytes, max_depth);
    if (parsed) value = std::move(*parsed);
  } else {
    value = decode_msgpack(bytes);
  }
  if (!value || !value->is_object()) return std::nullopt;
  return value;
}

std::string broadcast_channel(std::string_view key, std::string_view nsp) {
  return prefix(key, nsp);
}

std::string room_channel(std::string_view key, std::string_view nsp, std::string_view room) {
  auto out = prefix(key, nsp);
  out.append(room).push_back('#');
  return out;
}

std::string broadcast_pattern(std::string_view key, std::string_view nsp) {
  return prefix(key, nsp) + "*";
}

std::string request_channel(std::string_view key, std::string_view nsp) {
  return std::string(key) + "-request#" + std::string(nsp) + "#";
}

std::string response_channel(std::string_view key, std::string_view nsp) {
  return std::string(key) + "-response#" + std::string(nsp) + "#";
}

std::string response_channel(std::string_view key, std::string_view nsp, std::string_view uid) {
  return response_channel(key, nsp) + std::string(uid) + "#";
}

std::optional<std::string> room_of_channel(std::string_view channel, std::string_view key,
                                           std::string_view nsp) {
  auto p = prefix(key, nsp);
  if (channel.size() < p.size() || channel.substr(0, p.size()) != p) return std::nullopt;
  auto rest = channel.substr(p.size());
  if (rest.empty()) return std::string();
  if (rest.back() != '#') return std::nullopt;
  return std::string(rest.substr(0, rest.size() - 1));
}

std::optional<event_packet> decode_event_packet(const json& packet, std::string_view nsp) {
  if (!packet.is_object()) return std::nullopt;
  auto type = packet.find("type");
  if (type == packet.end() || !type->is_number_integer()) return std::nullopt;
  auto t = type->get<std::int64_t>();
  if (t != 2 && t != 5) return std::nullopt;
  auto n = packet.find("nsp");
  if (n != packet.end() && !n->is_null()) {
    if (!n->is_string() || n->get_ref<const std::string&>() != nsp) return std::nullopt;
  } else if (nsp != "/") {
    return std::nullopt;
  }
  auto data = packet.find("data");
  if (data == packet.end() || !data->is_array() || data->empty() || !data->front().is_string())
    return std::nullopt;
  event_packet out;
  out.event = data->front().get<std::string>();
  out.arguments.assign(data->begin() + 1, data->end());
  return out;
}

json encode_event_packet(std::string_view nsp, std::string_view event,
                         const std::vector<json>& arguments) {
  json data = json::array();
  data.push_back(std::string(event));
  for (const auto& a : arguments) data.push_back(a);
  json packet = json::object();
  packet["type"] = 2;
  packet["data"] = std::move(data);
  packet["nsp"] = std::string(nsp);
  return packet;
}

std::optional<selection> decode_selection(const json& opts) {
  selection out;
  if (opts.is_null()) return out;
  if (!opts.is_object()) return std::nullopt;
  auto rooms = room_list(opts, "rooms");
  auto except = room_list(opts, "except");
  if (!rooms || !except) return std::nullopt;
  out.rooms = std::move(*rooms);
  out.except = std::move(*except);
  if (auto flags = opts.find("flags"); flags != opts.end() && flags->is_object()) {
    if (auto v = flags->find("volatile"); v != flags->end() && v->is_boolean())
      out.is_volatile = v->get<bool>();
    if (auto t = flags->find("timeout"); t != flags->end() && t->is_number())
      out.timeout_ms = t->get<std::int64_t>();
  }
  return out;
}

json encode_selection(const std::vector<std::string>& rooms,
                      const std::vector<std::string>& except) {
  json opts = json::object();
  opts["rooms"] = rooms;
  opts["except"] = except;
  return opts;
}

std::optional<broadcast_message> decode_broadcast(std::string_view bytes, std::string_view nsp) {
  auto value = decode_msgpack(bytes);
  if (!value || !value->is_array() || value->size() < 2 || value->size() > 3) return std::nullopt;
  const auto& v = *value;
  if (!v[0].is_string()) return std::nullopt;
  auto packet = decode_event_packet(v[1], nsp);
  if (!packet) return std::nullopt;
  auto opts = decode_selection(v.size() > 2 ? v[2] : json());
  if (!opts) return std::nullopt;
  return broadcast_message{v[0].get<std::string>(), std::move(*packet), std::move(*opts)};
}

std::string encode_broadcast(std::string_view uid, std::string_view nsp, std::string_view event,
                             const std::vector<json>& arguments,
                             const std::vector<std::string>& rooms,
                             const std::vector<std::string>& except) {
  json opts = encode_selection(rooms, except);
  opts["flags"] = json::object();
  json message = json::array();
  message.push_back(std::string(uid));
  message.push_back(encode_event_packet(nsp, event, arguments));
  message.push_back(std::move(opts));
  return encode_msgpack(message);
}

std::string make_uid(std::uint64_t entropy) {
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out(6, ' ');
  for (auto& c : out) {
    c = alphabet[entropy & 63];
    entropy >>= 6;
  }
  return out;
}

}  // namespace sio::cluster_wire
