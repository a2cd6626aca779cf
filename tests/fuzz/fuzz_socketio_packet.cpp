// Socket.IO packet text: decode_header + decode_body, then a round trip
// through encode. The first input byte picks the limits.

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>

#include "fuzz_common.hpp"
#include "sio/protocol/socket_io.hpp"

using namespace sio::socketio;
using sio::fuzz::as_text;
using sio::fuzz::writes_exactly;

namespace {

bool is_binary(packet_type t) {
  return t == packet_type::binary_event || t == packet_type::binary_ack;
}

limits limits_from(std::uint8_t b) {
  limits lim;
  // Attachments: 0..6, the default, or "no limit".
  switch (b & 7) {
    case 7:
      lim.max_attachments = std::numeric_limits<std::size_t>::max();
      break;
    case 6:
      break;
    default:
      lim.max_attachments = b & 7;
  }
  lim.max_depth = 1 + ((b >> 3) & 15) * 2;  // 1 .. 31
  return lim;
}

// The header says what the text says: checked independently of the decoder.
void check_header(std::string_view text, const header& h, const limits& lim) {
  SIO_FUZZ_CHECK(static_cast<int>(h.type) == text[0] - '0');
  SIO_FUZZ_CHECK(h.body.size() < text.size());
  SIO_FUZZ_CHECK(h.body.data() + h.body.size() == text.data() + text.size());
  if (is_binary(h.type)) {
    auto dash = text.find('-');
    SIO_FUZZ_CHECK(dash != std::string_view::npos);
    std::uint64_t declared = 0;
    auto [end, ec] = std::from_chars(text.data() + 1, text.data() + dash, declared);
    // A count too large for 64 bits is certainly over any limit.
    SIO_FUZZ_CHECK(ec == std::errc{} && end == text.data() + dash);
    SIO_FUZZ_CHECK(declared == h.attachments);
    SIO_FUZZ_CHECK(h.attachments <= lim.max_attachments);
  } else {
    SIO_FUZZ_CHECK(h.attachments == 0);
  }
  SIO_FUZZ_CHECK(!h.nsp.empty() && h.nsp.front() == '/');
  SIO_FUZZ_CHECK(h.nsp.find(',') == std::string_view::npos);
  if (h.id) SIO_FUZZ_CHECK(*h.id <= max_ack_id);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const limits lim = limits_from(data[0]);
  auto text = as_text(data + 1, size - 1);

  auto h = decode_header(text, lim);
  if (!h) return 0;
  check_header(text, *h, lim);
  auto p = decode_body(*h, lim);
  if (!p) return 0;
  SIO_FUZZ_CHECK(p->type == h->type);
  SIO_FUZZ_CHECK(p->data.has_value() == !h->body.empty());
  if (p->data) SIO_FUZZ_CHECK(sio::fuzz::all_utf8(*p->data));
  (void)p->event_name();

  // Re-encode: decode_body leaves placeholders alone, so there are no
  // binary values and no attachments, and a BINARY_ type goes out as the
  // plain one (a count of 0 is refused); any other type stays what it was.
  auto expected = *p;
  if (is_binary(expected.type))
    expected.type =
        expected.type == packet_type::binary_event ? packet_type::event : packet_type::ack;
  encoded first;
  SIO_FUZZ_CHECK(encode(*p, first).ok());
  SIO_FUZZ_CHECK(first.attachments.empty());
  auto h2 = decode_header(first.text, lim);
  SIO_FUZZ_CHECK(h2.ok());
  auto p2 = decode_body(*h2, lim);
  // A non-finite number is written as null, as JSON.stringify does; as the
  // event name (`2[1e400]` parses as [Infinity]) that is no longer valid.
  const bool exact = !p->data || writes_exactly(*p->data);
  if (!exact && !p2) {
    SIO_FUZZ_CHECK(p2.error() == sio::errc::invalid_payload);
    return 0;
  }
  SIO_FUZZ_CHECK(p2.ok());
  SIO_FUZZ_CHECK(p2->type == expected.type);
  SIO_FUZZ_CHECK(p2->nsp == p->nsp);
  SIO_FUZZ_CHECK(p2->id == p->id);

  // The same packet, unless it holds a non-finite number.
  if (exact) SIO_FUZZ_CHECK(*p2 == expected);

  // Either way, encoding is stable from here on.
  encoded second;
  SIO_FUZZ_CHECK(encode(*p2, second).ok());
  SIO_FUZZ_CHECK(second.text == first.text);
  return 0;
}
