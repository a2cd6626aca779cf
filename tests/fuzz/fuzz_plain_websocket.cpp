// Plain WebSocket translation: any outbound packet translates without harm,
// and a text frame's event decodes back to the event "message" with exactly
// that text, whatever namespace the first input bytes name.

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_common.hpp"
#include "sio/protocol/plain_websocket.hpp"
#include "sio/protocol/socket_io.hpp"
#include "sio/protocol/utf8.hpp"
#include "sio/protocol/websocket.hpp"

namespace plain = sio::plain_websocket;
using sio::fuzz::as_text;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  auto text = as_text(data + 1, size - 1);

  // Whatever the connection actor could write.
  auto out = plain::translate(text);
  if (out.what == plain::outbound::kind::close)
    SIO_FUZZ_CHECK(sio::websocket::valid_close_code(out.code));
  if (out.what != plain::outbound::kind::text && out.what != plain::outbound::kind::close)
    SIO_FUZZ_CHECK(out.payload.empty());

  // What a client could send: a text frame is valid UTF-8.
  if (!sio::utf8::valid(text)) return 0;
  const std::string nsp = (data[0] & 1) ? "/" : "/chat";
  auto packet = plain::text_event(nsp, text);
  SIO_FUZZ_CHECK(packet.size() > 1 && packet[0] == '4');
  auto h = sio::socketio::decode_header(std::string_view(packet).substr(1));
  SIO_FUZZ_CHECK(h.ok());
  auto p = sio::socketio::decode_body(*h);
  SIO_FUZZ_CHECK(p.ok());
  SIO_FUZZ_CHECK(p->nsp == nsp);
  SIO_FUZZ_CHECK(p->event_name() == "message");
  SIO_FUZZ_CHECK(p->data->size() == 2 && (*p->data)[1].get<std::string>() == text);
  return 0;
}
