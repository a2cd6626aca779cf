// The stateful Socket.IO decoder, fed a sequence of messages.
//
// Input: one byte of limits, then messages separated by '\n'. The first byte
// of each message is a tag: odd (e.g. 'A', "attachment") makes the rest a
// binary message, even (e.g. 'T', "text") a text message.
// Every completed packet is encoded again (binary values become attachments)
// and fed to a fresh decoder, which must give the same packet back.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "fuzz_common.hpp"
#include "sio/protocol/socket_io.hpp"

using namespace sio::socketio;
using sio::fuzz::as_text;
using sio::fuzz::writes_exactly;

namespace {

constexpr char separator = '\n';

limits limits_from(std::uint8_t b) {
  limits lim;
  lim.max_attachments = b & 3;                               // 0 .. 3
  lim.max_depth = 1 + ((b >> 2) & 7) * 2;                    // 1 .. 15
  lim.max_packet_bytes = std::size_t{16} << ((b >> 5) & 7);  // 16 .. 2048
  return lim;
}

bool has_binary(const sio::json& v) {
  std::vector<const sio::json*> todo{&v};
  while (!todo.empty()) {
    const auto* n = todo.back();
    todo.pop_back();
    if (n->is_binary()) return true;
    if (n->is_structured())
      for (const auto& item : *n) todo.push_back(&item);
  }
  return false;
}

// A completed packet encodes to messages that decode to the same packet.
void round_trip(const packet& p) {
  encoded e;
  SIO_FUZZ_CHECK(encode(p, e).ok());
  decoder fresh{limits{std::numeric_limits<std::size_t>::max(), 1000,
                       std::numeric_limits<std::size_t>::max()}};
  auto r = fresh.feed_text(e.text);
  // A non-finite number is written as null, as JSON.stringify does; as the
  // event name (`2[1e400]` parses as [Infinity]) that is no longer valid.
  const bool exact = !p.data || writes_exactly(*p.data);
  if (!exact && !r) {
    SIO_FUZZ_CHECK(r.error() == sio::errc::invalid_payload);
    return;
  }
  SIO_FUZZ_CHECK(r.ok());
  for (auto& a : e.attachments) {
    SIO_FUZZ_CHECK(!r->has_value());
    SIO_FUZZ_CHECK(fresh.pending());
    r = fresh.feed_binary(a);
    SIO_FUZZ_CHECK(r.ok());
  }
  SIO_FUZZ_CHECK(r->has_value());
  SIO_FUZZ_CHECK(!fresh.pending());
  const packet& q = **r;
  SIO_FUZZ_CHECK(q.type == p.type && q.nsp == p.nsp && q.id == p.id);
  SIO_FUZZ_CHECK(q.data.has_value() == p.data.has_value());
  if (exact) SIO_FUZZ_CHECK(q == p);
  encoded again;
  SIO_FUZZ_CHECK(encode(q, again).ok());
  SIO_FUZZ_CHECK(again.text == e.text);
  SIO_FUZZ_CHECK(again.attachments == e.attachments);
}

void check_completed(const packet& p) {
  // BINARY_EVENT / BINARY_ACK never come out of the decoder.
  SIO_FUZZ_CHECK(p.type != packet_type::binary_event && p.type != packet_type::binary_ack);
  if (p.data) SIO_FUZZ_CHECK(sio::fuzz::all_utf8(*p.data));
  if (p.data && has_binary(*p.data))
    SIO_FUZZ_CHECK(p.type == packet_type::event || p.type == packet_type::ack);
  round_trip(p);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const limits lim = limits_from(data[0]);
  auto input = as_text(data + 1, size - 1);

  decoder dec{lim};
  std::size_t start = 0;
  while (start <= input.size()) {
    auto end = input.find(separator, start);
    if (end == std::string_view::npos) end = input.size();
    auto chunk = input.substr(start, end - start);
    start = end + 1;
    if (chunk.empty()) continue;
    bool binary = (static_cast<unsigned char>(chunk[0]) & 1) != 0;
    auto message = chunk.substr(1);

    bool was_pending = dec.pending();
    auto r = binary ? dec.feed_binary(std::string(message)) : dec.feed_text(message);
    if (!r) {
      if (binary && !was_pending) SIO_FUZZ_CHECK(r.error() == sio::errc::unexpected_binary);
      if (!binary && was_pending) SIO_FUZZ_CHECK(r.error() == sio::errc::unexpected_text);
      continue;
    }
    if (r->has_value()) {
      SIO_FUZZ_CHECK(!dec.pending());
      check_completed(**r);
    } else {
      SIO_FUZZ_CHECK(dec.pending());
    }
  }
  dec.reset();
  SIO_FUZZ_CHECK(!dec.pending());
  return 0;
}
