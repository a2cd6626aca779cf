#include <charconv>

#include "sio/protocol/socket_io.hpp"

namespace sio::socketio {
namespace {

void append_uint(std::uint64_t v, std::string& out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

}  // namespace

// <type>[<attachments>-][<nsp>,][<id>][<json>], as socket.io-parser's
// encodeAsString. The attachment count is known only once the data is
// written, so it is inserted behind the type character afterwards.
status encode(const packet& p, encoded& out, std::size_t max_depth) {
  out.text.clear();
  out.attachments.clear();
  bool may_carry_binary = p.type == packet_type::event || p.type == packet_type::ack ||
                          p.type == packet_type::binary_event ||
                          p.type == packet_type::binary_ack;
  out.text.push_back(static_cast<char>('0' + static_cast<int>(p.type)));
  if (!p.nsp.empty() && p.nsp != "/") {
    out.text.append(p.nsp);
    out.text.push_back(',');
  }
  if (p.id) append_uint(*p.id, out.text);
  if (p.data) {
    attachment_sink sink{may_carry_binary ? &out.attachments : nullptr};
    if (auto ok = write_json(*p.data, out.text, max_depth, sink); !ok) return ok;
  }
  // Only packets with attachments are BINARY_ ones: the reference parser
  // (socket.io-parser 4.2.7) refuses a count of 0, so a BINARY_ type without
  // binary data goes out as the plain type.
  bool is_event = p.type == packet_type::event || p.type == packet_type::binary_event;
  if (out.attachments.empty() &&
      (p.type == packet_type::binary_event || p.type == packet_type::binary_ack))
    out.text[0] = is_event ? '2' : '3';
  if (!out.attachments.empty()) {
    out.text[0] = is_event ? '5' : '6';
    std::string count;
    append_uint(out.attachments.size(), count);
    count.push_back('-');
    out.text.insert(1, count);
  }
  return {};
}

}  // namespace sio::socketio
