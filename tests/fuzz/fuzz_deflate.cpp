// permessage-deflate's codec. The input is a control byte and then messages,
// each prefixed by a length byte. Every message is inflated as the client's
// compressed data (arbitrary bytes: any outcome but a crash or a broken
// limit is fine) and, separately, compressed and inflated again, which must
// give it back exactly.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_common.hpp"
#include "sio/protocol/deflate_codec.hpp"
#include "sio/protocol/utf8.hpp"

using namespace sio::websocket;
using sio::fuzz::as_text;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // Bits 0-2: window 8..15; bit 3: no context takeover; bits 4-6: the limit
  // on an inflated message (16 bytes to 256 KiB); bit 7: messages are text.
  std::uint8_t control_byte = data[0];
  int window_bits = 8 + (control_byte & 7);
  bool no_context_takeover = (control_byte & 8) != 0;
  std::size_t max_bytes = std::size_t{16} << (2 * ((control_byte >> 4) & 7));
  bool text = (control_byte & 0x80) != 0;
  auto input = as_text(data + 1, size - 1);

  inflater from_peer(max_bytes, window_bits, no_context_takeover);
  deflater packer(window_bits, no_context_takeover);
  inflater unpacker(~std::size_t{0}, window_bits, no_context_takeover);
  while (!input.empty()) {
    std::size_t n = static_cast<unsigned char>(input.front());
    input.remove_prefix(1);
    std::string_view piece = input.substr(0, n);
    input.remove_prefix(piece.size());

    message m{!text, std::string(piece), true};
    auto s = decompress(from_peer, m);
    if (s.ok()) {
      SIO_FUZZ_CHECK(!m.compressed && m.data.size() <= max_bytes);
      if (text) SIO_FUZZ_CHECK(sio::utf8::valid(m.data));
    } else {
      SIO_FUZZ_CHECK(s.error() == sio::errc::websocket_invalid_compressed ||
                     s.error() == sio::errc::websocket_message_too_big ||
                     (text && s.error() == sio::errc::websocket_invalid_utf8));
    }

    std::string packed;
    packer.compress(piece, packed);
    auto back = unpacker.decompress(packed);
    SIO_FUZZ_CHECK(back.ok() && *back == piece);
  }
  return 0;
}
