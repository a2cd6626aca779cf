#include <algorithm>
#include <array>
#include <charconv>

#include "sio/protocol/socket_io.hpp"

namespace sio::socketio {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_binary(packet_type t) {
  return t == packet_type::binary_event || t == packet_type::binary_ack;
}

// Event names the protocol keeps for itself (socket.io-parser's RESERVED_EVENTS).
constexpr std::array<std::string_view, 6> reserved_events = {
    "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener",
};

// Reads the decimal digits at text[pos..]; nothing when their value exceeds
// `cap` (any cap, up to the largest uint64), so that a thousand-digit number
// costs nothing more than noticing it is too large.
std::optional<std::uint64_t> read_decimal(std::string_view text, std::size_t& pos,
                                          std::uint64_t cap) {
  std::uint64_t value = 0;
  bool over = false;
  while (pos < text.size() && is_digit(text[pos])) {
    auto digit = static_cast<std::uint64_t>(text[pos] - '0');
    over = over || digit > cap || value > (cap - digit) / 10;
    if (!over) value = value * 10 + digit;
    ++pos;
  }
  if (over) return std::nullopt;
  return value;
}

status check_shape(packet_type type, const json& data) {
  switch (type) {
    case packet_type::connect:
      return data.is_object() ? status{} : errc::invalid_payload;
    case packet_type::disconnect:
      return errc::invalid_payload;  // DISCONNECT carries no data
    case packet_type::connect_error:
      return data.is_string() || data.is_object() ? status{} : errc::invalid_payload;
    case packet_type::event:
    case packet_type::binary_event: {
      if (!data.is_array() || data.empty()) return errc::invalid_payload;
      const json& name = data.front();
      if (name.is_number()) return {};
      if (!name.is_string()) return errc::invalid_payload;
      const auto& text = name.get_ref<const std::string&>();
      if (std::find(reserved_events.begin(), reserved_events.end(), text) != reserved_events.end())
        return errc::reserved_event_name;
      return {};
    }
    case packet_type::ack:
    case packet_type::binary_ack:
      return data.is_array() ? status{} : errc::invalid_payload;
  }
  return errc::invalid_payload;
}

}  // namespace

std::string_view to_string(packet_type type) noexcept {
  switch (type) {
    case packet_type::connect: return "CONNECT";
    case packet_type::disconnect: return "DISCONNECT";
    case packet_type::event: return "EVENT";
    case packet_type::ack: return "ACK";
    case packet_type::connect_error: return "CONNECT_ERROR";
    case packet_type::binary_event: return "BINARY_EVENT";
    case packet_type::binary_ack: return "BINARY_ACK";
  }
  return "UNKNOWN";
}

std::string packet::event_name() const {
  if (!data || !data->is_array() || data->empty()) return {};
  const json& name = data->front();
  if (name.is_string()) return name.get<std::string>();
  if (name.is_number()) return to_json_text(name);
  return {};
}

// Follows socket.io-parser's decodeString: type, [attachments '-'],
// ['/' namespace (up to ',' or the end)], [ack id digits], [JSON].
result<header> decode_header(std::string_view text, const limits& lim) {
  if (text.empty()) return errc::empty_packet;
  if (text[0] < '0' || text[0] > '6') return errc::unknown_socketio_packet_type;
  header h;
  h.type = static_cast<packet_type>(text[0] - '0');
  std::size_t pos = 1;
  if (is_binary(h.type)) {
    std::size_t digits_start = pos;
    auto count = read_decimal(text, pos, lim.max_attachments);
    if (pos == digits_start || pos >= text.size() || text[pos] != '-')
      return errc::invalid_attachment_count;
    if (!count) return errc::too_many_attachments;
    // A binary packet without attachments is no binary packet: the reference
    // parser (socket.io-parser 4.2.7) refuses it as "Illegal attachments".
    if (*count == 0) return errc::invalid_attachment_count;
    h.attachments = static_cast<std::size_t>(*count);
    ++pos;
  }
  if (pos < text.size() && text[pos] == '/') {
    auto comma = text.find(',', pos);
    if (comma == std::string_view::npos) comma = text.size();
    h.nsp = text.substr(pos, comma - pos);
    pos = std::min(comma + 1, text.size());
  }
  if (pos < text.size() && is_digit(text[pos])) {
    auto id = read_decimal(text, pos, max_ack_id);
    if (!id) return errc::invalid_ack_id;
    h.id = *id;
  }
  h.body = text.substr(pos);
  return h;
}

result<packet> decode_body(const header& h, const limits& lim) {
  packet p;
  p.type = h.type;
  p.nsp = std::string(h.nsp);
  p.id = h.id;
  if (h.body.empty()) return p;
  auto data = parse_json(h.body, lim.max_depth);
  if (!data) return data.error();
  if (auto shape = check_shape(h.type, *data); !shape) return shape.error();
  p.data = std::move(*data);
  return p;
}

status reconstruct(json& data, std::vector<bytes>& attachments) {
  std::vector<json*> todo{&data};
  while (!todo.empty()) {
    json* node = todo.back();
    todo.pop_back();
    if (node->is_array()) {
      for (auto& item : *node)
        if (item.is_structured()) todo.push_back(&item);
    } else if (node->is_object()) {
      auto flag = node->find("_placeholder");
      if (flag != node->end() && flag->is_boolean() && flag->get<bool>()) {
        auto num = node->find("num");
        if (num == node->end() || !(num->is_number_unsigned() || num->is_number_integer()))
          return errc::invalid_placeholder;
        auto index = num->get<std::int64_t>();
        if (index < 0 || static_cast<std::uint64_t>(index) >= attachments.size())
          return errc::invalid_placeholder;
        const bytes& raw = attachments[static_cast<std::size_t>(index)];
        *node = json::binary(json::binary_t::container_type(raw.begin(), raw.end()));
        continue;
      }
      for (auto& member : node->items())
        if (member.value().is_structured()) todo.push_back(&member.value());
    }
  }
  return {};
}

result<std::optional<packet>> decoder::feed_text(std::string_view text) {
  if (pending_) return errc::unexpected_text;
  if (text.size() > limits_.max_packet_bytes) return errc::too_large;
  auto h = decode_header(text, limits_);
  if (!h) return h.error();
  auto p = decode_body(*h, limits_);
  if (!p) return p.error();
  if (!is_binary(p->type)) return std::optional<packet>{std::move(*p)};
  pending_ = std::make_unique<partial>();
  pending_->p = std::move(*p);
  pending_->expected = h->attachments;
  pending_->size = text.size();
  // A declared count is no promise.
  pending_->buffers.reserve(std::min<std::size_t>(h->attachments, 16));
  return finish();
}

result<std::optional<packet>> decoder::feed_binary(bytes data) {
  if (!pending_) return errc::unexpected_binary;
  pending_->size += data.size();
  if (pending_->size > limits_.max_packet_bytes) {
    reset();
    return errc::too_large;
  }
  pending_->buffers.push_back(std::move(data));
  return finish();
}

// Completes the pending packet once every attachment is there: placeholders
// become binary values and the type loses its BINARY_ prefix, as the
// reference decoder does.
result<std::optional<packet>> decoder::finish() {
  if (pending_->buffers.size() < pending_->expected) return std::optional<packet>{};
  auto done = std::move(pending_);
  packet& p = done->p;
  if (p.data) {
    if (auto ok = reconstruct(*p.data, done->buffers); !ok) return ok.error();
  }
  p.type = p.type == packet_type::binary_event ? packet_type::event : packet_type::ack;
  return std::optional<packet>{std::move(p)};
}

void decoder::reset() noexcept { pending_.reset(); }

}  // namespace sio::socketio
