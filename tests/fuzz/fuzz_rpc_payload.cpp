// rpc_payload::decode / encode: the argument lists RPC callers send.
//
// The input is split at 0xFF bytes into pieces; a piece starting with 'b' is
// a binary argument, with 'a' an attachment, anything else JSON text. What
// decodes must encode, and decode again to the same values.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_common.hpp"
#include "sio/protocol/rpc_payload.hpp"

namespace rp = sio::rpc_payload;

namespace {

rp::payload split(std::string_view input) {
  rp::payload p;
  while (true) {
    auto end = input.find('\xff');
    auto piece = input.substr(0, end);
    if (!piece.empty() && piece.front() == 'b')
      p.args.push_back({rp::arg::kind::binary, std::string(piece.substr(1))});
    else if (!piece.empty() && piece.front() == 'a')
      p.attachments.emplace_back(piece.substr(1));
    else
      p.args.push_back({rp::arg::kind::json, std::string(piece)});
    if (end == std::string_view::npos) break;
    input.remove_prefix(end + 1);
  }
  return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto p = split(sio::fuzz::as_text(data, size));
  rp::limits lim;
  lim.max_bytes = 2048;
  lim.max_depth = 16;
  lim.max_attachments = 8;
  auto values = rp::decode(p, lim);
  if (!values) {
    auto e = values.error();
    SIO_FUZZ_CHECK(e == sio::errc::invalid_json || e == sio::errc::invalid_placeholder ||
                   e == sio::errc::too_large);
    return 0;
  }
  SIO_FUZZ_CHECK(values->size() == p.args.size());
  auto encoded = rp::encode(*values);
  SIO_FUZZ_CHECK(encoded.ok());
  SIO_FUZZ_CHECK(encoded->args.size() == p.args.size());
  // Each binary value nested in JSON is one attachment, in order of writing.
  rp::limits roomy;
  roomy.max_bytes = 1 << 20;
  roomy.max_attachments = 1 << 20;
  auto again = rp::decode(*encoded, roomy);
  SIO_FUZZ_CHECK(again.ok());
  bool exact = true;
  for (const auto& v : *values) exact = exact && sio::fuzz::writes_exactly(v);
  if (exact) SIO_FUZZ_CHECK(*again == *values);
  auto twice = rp::encode(*again);
  SIO_FUZZ_CHECK(twice.ok());
  SIO_FUZZ_CHECK(*twice == *encoded);
  return 0;
}
