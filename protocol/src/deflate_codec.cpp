// permessage-deflate's codec on zlib: raw DEFLATE, sync-flushed messages.
#include <algorithm>
#include <cassert>
#include <limits>
#include <new>

#define ZLIB_CONST
#include <zlib.h>

#include "sio/protocol/deflate_codec.hpp"
#include "sio/protocol/utf8.hpp"

namespace sio::websocket {
namespace {

// What a sync flush ends with, an empty stored block: RFC 7692 section
// 7.2.1 leaves it off the wire and 7.2.2 has the receiver put it back.
constexpr std::string_view trailer("\x00\x00\xff\xff", 4);

// zlib counts in uInt; longer input goes in pieces.
constexpr std::size_t max_piece = std::numeric_limits<uInt>::max();

// Node's and so ws's defaults.
constexpr int memory_level = 8;

void check_init(int rc) {
  // Z_STREAM_ERROR would be a bad window size, which the constructors
  // rule out; what is left is memory.
  assert(rc == Z_OK || rc == Z_MEM_ERROR);
  if (rc != Z_OK) throw std::bad_alloc();
}

}  // namespace

// ---------------------------------------------------------------------------
// deflater

deflater::deflater(int window_bits, bool no_context_takeover) noexcept
    : window_bits_(std::clamp(window_bits, 9, 15)), no_context_takeover_(no_context_takeover) {}

deflater::~deflater() = default;
deflater::deflater(deflater&&) noexcept = default;
deflater& deflater::operator=(deflater&&) noexcept = default;

void deflater::z_deleter::operator()(z_stream_s* z) const noexcept {
  deflateEnd(z);
  delete z;
}

z_stream_s& deflater::stream() {
  if (!z_) {
    auto z = std::make_unique<z_stream>();
    // A negative window size asks for raw DEFLATE, without zlib's header.
    check_init(deflateInit2(z.get(), Z_DEFAULT_COMPRESSION, Z_DEFLATED, -window_bits_, memory_level,
                            Z_DEFAULT_STRATEGY));
    z_.reset(z.release());
  }
  return *z_;
}

void deflater::compress(std::string_view data, std::string& out) {
  if (data.empty()) {
    // zlib writes nothing for a flush without new input, but the message
    // needs a block: the header of an empty stored block, which the
    // receiver's trailer completes. The window is unchanged, so the next
    // message (from zlib, byte-aligned after the last flush) follows it.
    out.push_back('\0');
    return;
  }
  z_stream& z = stream();
  const std::size_t start = out.size();
  std::size_t used = start;
  // A guess for text, which shrinks a lot; random bytes grow the buffer a
  // few times.
  out.resize(start + data.size() / 4 + 64);
  do {
    std::size_t piece = std::min(data.size(), max_piece);
    z.next_in = reinterpret_cast<const Bytef*>(data.data());
    z.avail_in = static_cast<uInt>(piece);
    data.remove_prefix(piece);
    int flush = data.empty() ? Z_SYNC_FLUSH : Z_NO_FLUSH;
    do {
      if (used == out.size()) out.resize(out.size() * 2);
      std::size_t room = std::min(out.size() - used, max_piece);
      z.next_out = reinterpret_cast<Bytef*>(out.data() + used);
      z.avail_out = static_cast<uInt>(room);
      [[maybe_unused]] int rc = ::deflate(&z, flush);
      assert(rc == Z_OK || rc == Z_BUF_ERROR);
      used += room - z.avail_out;
    } while (z.avail_out == 0);
  } while (!data.empty());
  assert(used - start >= trailer.size() &&
         std::string_view(out).substr(used - trailer.size(), trailer.size()) == trailer);
  out.resize(used - trailer.size());
  if (no_context_takeover_) deflateReset(&z);
}

// ---------------------------------------------------------------------------
// inflater

inflater::inflater(std::size_t max_message_bytes, int window_bits,
                   bool no_context_takeover) noexcept
    : max_message_bytes_(max_message_bytes),
      window_bits_(std::clamp(window_bits, 8, 15)),
      no_context_takeover_(no_context_takeover) {}

inflater::~inflater() = default;
inflater::inflater(inflater&&) noexcept = default;
inflater& inflater::operator=(inflater&&) noexcept = default;

void inflater::z_deleter::operator()(z_stream_s* z) const noexcept {
  inflateEnd(z);
  delete z;
}

z_stream_s& inflater::stream() {
  if (!z_) {
    auto z = std::make_unique<z_stream>();
    check_init(inflateInit2(z.get(), -window_bits_));
    z_.reset(z.release());
  }
  return *z_;
}

result<std::string> inflater::decompress(std::string_view data) {
  std::string out;
  std::size_t size = 0;
  errc error{};
  fed f = feed(data, out, size, error);
  if (f == fed::more) f = feed(trailer, out, size, error);
  // After a final block ws starts a new inflater; whatever followed the
  // block (at least the trailer) is ignored, as Node's zlib does.
  if (f != fed::more || no_context_takeover_) inflateReset(&stream());
  if (f == fed::failed) return error;
  out.resize(size);
  return out;
}

inflater::fed inflater::feed(std::string_view in, std::string& out, std::size_t& size,
                             errc& error) {
  z_stream& z = stream();
  // One byte of room past the limit, so that going over it shows.
  const std::size_t cap = max_message_bytes_ + (max_message_bytes_ < SIZE_MAX ? 1 : 0);
  do {
    std::size_t piece = std::min(in.size(), max_piece);
    z.next_in = reinterpret_cast<const Bytef*>(in.data());
    z.avail_in = static_cast<uInt>(piece);
    in.remove_prefix(piece);
    do {
      if (size == out.size()) {
        std::size_t grown = std::max({out.size() * 2, piece * 4, std::size_t{1024}});
        out.resize(std::min(grown, cap));
      }
      std::size_t room = std::min(out.size() - size, max_piece);
      z.next_out = reinterpret_cast<Bytef*>(out.data() + size);
      z.avail_out = static_cast<uInt>(room);
      int rc = ::inflate(&z, Z_SYNC_FLUSH);
      size += room - z.avail_out;
      if (size > max_message_bytes_) {
        error = errc::websocket_message_too_big;
        return fed::failed;
      }
      if (rc == Z_STREAM_END) return fed::stream_end;
      if (rc == Z_MEM_ERROR) throw std::bad_alloc();
      if (rc != Z_OK && rc != Z_BUF_ERROR) {  // Z_DATA_ERROR, Z_NEED_DICT
        error = errc::websocket_invalid_compressed;
        return fed::failed;
      }
    } while (z.avail_out == 0);
  } while (!in.empty());
  return fed::more;
}

status decompress(inflater& z, message& m) {
  if (!m.compressed) return {};
  auto inflated = z.decompress(m.data);
  if (!inflated) return inflated.error();
  m.data = std::move(*inflated);
  m.compressed = false;
  // Only now is there text to check (the reader skipped compressed text).
  if (!m.binary && !utf8::valid(m.data)) return errc::websocket_invalid_utf8;
  return {};
}

}  // namespace sio::websocket
