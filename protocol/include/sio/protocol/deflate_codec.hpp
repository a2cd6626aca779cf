#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "sio/protocol/result.hpp"
#include "sio/protocol/websocket.hpp"

struct z_stream_s;  // zlib's stream; kept out of this header

/// The compression of permessage-deflate (RFC 7692 section 7.2) with zlib:
/// raw DEFLATE, each message ending on a sync flush whose empty stored block
/// (00 00 ff ff) is left off the wire. One deflater and one inflater per
/// connection, since with context takeover each message may refer back to
/// the ones before. No I/O; zlib's state is allocated on first use, so an
/// idle connection costs nothing.
namespace sio::websocket {

/// Compresses the messages the server sends.
class deflater {
 public:
  /// `window_bits` 8..15 as agreed (server_max_window_bits). zlib cannot
  /// compress with an 8-bit window and takes 9 instead, as Node does: its
  /// matches still reach back at most 250 bytes, within a 256-byte window.
  /// `no_context_takeover` (server_no_context_takeover) forgets the window
  /// after every message.
  explicit deflater(int window_bits = 15, bool no_context_takeover = false) noexcept;
  ~deflater();
  deflater(deflater&&) noexcept;
  deflater& operator=(deflater&&) noexcept;

  /// Appends the compressed form of `data`, one whole message, to `out`:
  /// the payload of a frame with RSV1 set. Throws std::bad_alloc when zlib
  /// runs out of memory.
  void compress(std::string_view data, std::string& out);

 private:
  struct z_deleter {
    void operator()(z_stream_s* z) const noexcept;
  };
  z_stream_s& stream();

  int window_bits_;
  bool no_context_takeover_;
  std::unique_ptr<z_stream_s, z_deleter> z_;
};

/// Decompresses the messages a client sends.
class inflater {
 public:
  /// `window_bits` 8..15 as agreed (client_max_window_bits);
  /// `no_context_takeover` (client_no_context_takeover) forgets the window
  /// after every message; `max_message_bytes` limits a message's inflated
  /// size, as maxPayload does in ws.
  explicit inflater(std::size_t max_message_bytes, int window_bits = 15,
                    bool no_context_takeover = false) noexcept;
  ~inflater();
  inflater(inflater&&) noexcept;
  inflater& operator=(inflater&&) noexcept;

  /// The inflated form of one whole compressed message. Fails with
  /// websocket_message_too_big once the output would exceed the limit (it
  /// never holds more than that), or websocket_invalid_compressed when the
  /// data is not DEFLATE. After a failure the next message starts with an
  /// empty window. A message that ends the DEFLATE stream (a final block)
  /// is accepted, and the next one starts a new stream, as in ws. Throws
  /// std::bad_alloc when zlib runs out of memory.
  result<std::string> decompress(std::string_view data);

 private:
  struct z_deleter {
    void operator()(z_stream_s* z) const noexcept;
  };
  z_stream_s& stream();
  enum class fed : unsigned char { more, stream_end, failed };
  fed feed(std::string_view in, std::string& out, std::size_t& size, errc& error);

  std::size_t max_message_bytes_;
  int window_bits_;
  bool no_context_takeover_;
  std::unique_ptr<z_stream_s, z_deleter> z_;
};

/// Replaces the data of a message that arrived compressed (message::
/// compressed) with its inflated form and clears the flag; a text message
/// is then checked for UTF-8 (websocket_invalid_utf8). Other errors as
/// inflater::decompress(); close_code() turns each into the close code.
status decompress(inflater& z, message& m);

}  // namespace sio::websocket
