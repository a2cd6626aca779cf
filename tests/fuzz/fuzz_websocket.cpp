// The WebSocket frame reader. The input is fed whole to one reader and in
// chunks (sizes drawn from the first input byte) to another: both must give
// the same events and the same error, and every event must respect the
// limits the reader enforces.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>
#include <vector>

#include "fuzz_common.hpp"
#include "sio/protocol/utf8.hpp"
#include "sio/protocol/websocket.hpp"

using namespace sio::websocket;
using sio::fuzz::as_text;

namespace {

constexpr std::size_t max_message_bytes = 4096;

struct outcome {
  std::vector<event> events;
  bool ok = true;
  sio::errc error{};
};

template <class NextChunk>
outcome read(std::string_view input, bool allow_rsv1, NextChunk next_chunk) {
  reader r(max_message_bytes, allow_rsv1);
  outcome o;
  while (!input.empty()) {
    std::size_t n = next_chunk();
    if (n > input.size()) n = input.size();
    auto s = r.feed(input.substr(0, n), o.events);
    input.remove_prefix(n);
    if (!s) {
      o.ok = false;
      o.error = s.error();
      // A failed reader keeps failing with the same error.
      std::vector<event> none;
      auto again = r.feed("\x81", none);
      SIO_FUZZ_CHECK(!again.ok() && again.error() == o.error && none.empty());
      break;
    }
  }
  return o;
}

void check_event(const event& e) {
  if (const auto* m = std::get_if<message>(&e)) {
    SIO_FUZZ_CHECK(m->data.size() <= max_message_bytes);
    if (!m->binary && !m->compressed) SIO_FUZZ_CHECK(sio::utf8::valid(m->data));
  } else if (const auto* c = std::get_if<control>(&e)) {
    SIO_FUZZ_CHECK(c->op == opcode::ping || c->op == opcode::pong);
    SIO_FUZZ_CHECK(c->payload.size() <= max_control_payload);
  } else {
    const auto& f = std::get<close_frame>(e);
    SIO_FUZZ_CHECK(valid_close_code(f.code) || (f.code == close_no_status && f.reason.empty()));
    SIO_FUZZ_CHECK(f.reason.size() <= max_control_payload - 2);
    SIO_FUZZ_CHECK(sio::utf8::valid(f.reason));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // Low bits: a chunk size pattern; bit 7: permessage-deflate's RSV1 allowed.
  std::uint8_t control_byte = data[0];
  bool allow_rsv1 = (control_byte & 0x80) != 0;
  auto input = as_text(data + 1, size - 1);

  outcome whole = read(input, allow_rsv1, [] { return ~std::size_t{0}; });
  std::size_t step = 0;
  outcome chunked = read(input, allow_rsv1, [&] {
    // 1, 2, ... up to (control_byte & 0x3f) + 1 bytes, then again.
    step = step % ((control_byte & 0x3f) + 1u) + 1;
    return step;
  });

  SIO_FUZZ_CHECK(whole.ok == chunked.ok);
  if (!whole.ok) SIO_FUZZ_CHECK(whole.error == chunked.error);
  SIO_FUZZ_CHECK(whole.events == chunked.events);
  for (const auto& e : whole.events) check_event(e);
  if (!whole.ok) {
    auto code = close_code(whole.error);
    SIO_FUZZ_CHECK(code == close_protocol_error || code == close_invalid_payload ||
                   code == close_message_too_big);
  }
  return 0;
}
