// Engine.IO decoders: the polling payload, a single text packet, and the
// handshake. The first input byte picks the payload limit.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>

#include "fuzz_common.hpp"
#include "sio/protocol/engine_io.hpp"
#include "sio/protocol/utf8.hpp"

using namespace sio::engineio;
using sio::fuzz::as_text;

namespace {

void payload(std::string_view body, std::size_t max_payload) {
  auto packets = decode_payload(body, max_payload);
  if (!packets) return;
  SIO_FUZZ_CHECK(body.size() <= max_payload);
  SIO_FUZZ_CHECK(!packets->empty());
  for (const auto& p : *packets) {
    SIO_FUZZ_CHECK(static_cast<int>(p.type) <= static_cast<int>(packet_type::noop));
    SIO_FUZZ_CHECK(!p.binary || p.type == packet_type::message);
  }
  // What was decoded encodes to a body that decodes to the same packets.
  std::string again;
  encode_payload(*packets, again);
  auto round = decode_payload(again, std::numeric_limits<std::size_t>::max());
  SIO_FUZZ_CHECK(round.ok());
  SIO_FUZZ_CHECK(*round == *packets);
}

void text_packet(std::string_view text) {
  auto view = decode_text_packet(text);
  if (!view) return;
  std::string again;
  encode_text_packet(view->type, view->data, again);
  SIO_FUZZ_CHECK(again == text);
}

void handshake_packet(std::string_view text) {
  auto h = decode_handshake(text);
  if (!h) return;
  std::string encoded;
  encode_handshake(*h, encoded);
  auto round = decode_handshake(encoded);
  SIO_FUZZ_CHECK(round.ok());
  // parse_json hands out valid UTF-8 only, so nothing is replaced on the way.
  SIO_FUZZ_CHECK(sio::utf8::valid(h->sid));
  for (const auto& u : h->upgrades) SIO_FUZZ_CHECK(sio::utf8::valid(u));
  SIO_FUZZ_CHECK(*round == *h);
  std::string twice;
  encode_handshake(*round, twice);
  SIO_FUZZ_CHECK(twice == encoded);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // 0xff: no limit; otherwise a limit small enough to be hit: 0, 16, ... 4064.
  std::size_t max_payload =
      data[0] == 0xff ? std::numeric_limits<std::size_t>::max() : std::size_t{data[0]} * 16;
  auto input = as_text(data + 1, size - 1);
  payload(input, max_payload);
  text_packet(input);
  handshake_packet(input);
  return 0;
}
