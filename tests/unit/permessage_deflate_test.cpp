// permessage-deflate: negotiating it (the answers of the ws library) and the
// codec (RFC 7692's examples, round trips, limits).
#include <gtest/gtest.h>

#include <array>
#include <random>
#include <string>
#include <string_view>

#include "protocol_test_util.hpp"
#include "sio/protocol/deflate_codec.hpp"
#include "sio/protocol/permessage_deflate.hpp"
#include "sio/protocol/websocket.hpp"

namespace {

using namespace sio::websocket;
using sio::errc;
using outcome = deflate_negotiation::outcome;

std::string bytes(std::initializer_list<unsigned char> b) { return {b.begin(), b.end()}; }

// ---------------------------------------------------------------------------
// negotiation

deflate_negotiation accepted(std::string response, deflate_params params = {}) {
  return {outcome::accepted, params, std::move(response)};
}

// Helpers assert; tests call them inside EXPECT_NO_FATAL_FAILURE so that a
// failure also names the test line it came from.
void expect_negotiation(std::string_view header, const deflate_negotiation& want) {
  auto got = negotiate_deflate(header);
  EXPECT_EQ(got.what, want.what) << header;
  EXPECT_EQ(got.response, want.response) << header;
  EXPECT_EQ(got.params, want.params) << header;
}

void expect_invalid(std::string_view header) {
  EXPECT_EQ(negotiate_deflate(header).what, outcome::invalid) << header;
}

TEST(DeflateNegotiation, APlainOfferIsAccepted) {
  EXPECT_NO_FATAL_FAILURE(expect_negotiation("permessage-deflate", accepted("permessage-deflate")));
}

TEST(DeflateNegotiation, AValuelessClientMaxWindowBitsIsNotEchoed) {
  // What browsers and ws clients offer; the server leaves the client at 15.
  EXPECT_NO_FATAL_FAILURE(expect_negotiation("permessage-deflate; client_max_window_bits",
                                             accepted("permessage-deflate")));
}

TEST(DeflateNegotiation, TheOfferedParametersAreAgreedAndEchoedInOrder) {
  deflate_params p;
  p.client_max_window_bits = 10;
  p.server_no_context_takeover = true;
  p.client_no_context_takeover = true;
  p.server_max_window_bits = 12;
  EXPECT_NO_FATAL_FAILURE(expect_negotiation(
      "permessage-deflate; client_max_window_bits=10; server_no_context_takeover; "
      "client_no_context_takeover; server_max_window_bits=12",
      accepted("permessage-deflate; client_max_window_bits=10; server_no_context_takeover; "
               "client_no_context_takeover; server_max_window_bits=12",
               p)));
}

TEST(DeflateNegotiation, AnEightBitWindowIsAgreed) {
  deflate_params p;
  p.server_max_window_bits = 8;
  p.client_max_window_bits = 8;
  EXPECT_NO_FATAL_FAILURE(
      expect_negotiation("permessage-deflate; server_max_window_bits=8; client_max_window_bits=8",
                         accepted("permessage-deflate; server_max_window_bits=8; "
                                  "client_max_window_bits=8",
                                  p)));
}

TEST(DeflateNegotiation, TheFirstPermessageDeflateOfferWins) {
  deflate_params p;
  p.server_max_window_bits = 10;
  EXPECT_NO_FATAL_FAILURE(
      expect_negotiation("x-webkit-deflate-frame, permessage-deflate; server_max_window_bits=10, "
                         "permessage-deflate",
                         accepted("permessage-deflate; server_max_window_bits=10", p)));
}

TEST(DeflateNegotiation, ValuesMayBeQuotedAndEscapedAndAreNormalised) {
  deflate_params p;
  p.client_max_window_bits = 10;
  for (std::string_view v : {"\"10\"", "\"1\\0\"", "\"\\10\"", "010", "+10", "10.0", "1e1", "0xA",
                             "0XA", "0o12", "0b1010", ".1e2"}) {
    std::string header = "permessage-deflate; client_max_window_bits=" + std::string(v);
    EXPECT_NO_FATAL_FAILURE(
        expect_negotiation(header, accepted("permessage-deflate; client_max_window_bits=10", p)));
  }
}

TEST(DeflateNegotiation, WhitespaceAroundSeparatorsIsAllowed) {
  deflate_params p;
  p.server_no_context_takeover = true;
  for (std::string_view h : {"permessage-deflate;server_no_context_takeover",
                             "permessage-deflate ; server_no_context_takeover",
                             "permessage-deflate;\tserver_no_context_takeover",
                             "foo ,permessage-deflate; server_no_context_takeover , bar"})
    EXPECT_NO_FATAL_FAILURE(
        expect_negotiation(h, accepted("permessage-deflate; server_no_context_takeover", p)));
}

TEST(DeflateNegotiation, WithoutAPermessageDeflateOfferNothingIsAgreed) {
  for (std::string_view h :
       {"foo", "x-webkit-deflate-frame", "Permessage-Deflate", "foo; bar=1, baz"})
    EXPECT_NO_FATAL_FAILURE(expect_negotiation(h, {}));
}

TEST(DeflateNegotiation, OtherExtensionsAreOnlyParsed) {
  // Repeated or unknown parameters matter only in permessage-deflate offers.
  EXPECT_NO_FATAL_FAILURE(expect_negotiation("foo; bar=1; bar=2; baz, permessage-deflate",
                                             accepted("permessage-deflate")));
}

TEST(DeflateNegotiation, BadParametersMakeTheHeaderInvalid) {
  for (std::string_view h : {
           "permessage-deflate; foo",
           "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
           "permessage-deflate; client_max_window_bits; client_max_window_bits=10",
           "permessage-deflate; server_max_window_bits",
           "permessage-deflate; server_max_window_bits=7",
           "permessage-deflate; server_max_window_bits=16",
           "permessage-deflate; client_max_window_bits=10.5",
           "permessage-deflate; client_max_window_bits=-10",
           "permessage-deflate; client_max_window_bits=abc",
           "permessage-deflate; client_max_window_bits=0x",
           "permessage-deflate; client_max_window_bits=++10",
           "permessage-deflate; client_max_window_bits=1_0",
           "permessage-deflate; client_max_window_bits=Infinity",
           "permessage-deflate; server_no_context_takeover=true",
           "permessage-deflate; client_no_context_takeover=\"x\"",
           // Even when a later offer is the bad one.
           "permessage-deflate, permessage-deflate; foo",
       })
    EXPECT_NO_FATAL_FAILURE(expect_invalid(h));
}

TEST(DeflateNegotiation, SyntaxErrorsMakeTheHeaderInvalid) {
  for (std::string_view h : {
           "",
           " ",
           " permessage-deflate",
           "permessage-deflate ",
           "permessage-deflate;",
           "permessage-deflate,",
           ",permessage-deflate",
           "permessage-deflate;;server_no_context_takeover",
           "permessage-deflate,,foo",
           "permessage deflate",
           "permessage-deflate; client_max_window_bits =10",
           "permessage-deflate; client_max_window_bits= 10",
           "permessage-deflate; client_max_window_bits=1 0",
           "permessage-deflate; client_max_window_bits=\"\"",
           "permessage-deflate; client_max_window_bits=\"10",
           "permessage-deflate; client_max_window_bits=\"10\"x",
           "permessage-deflate; client_max_window_bits=\"1 0\"",
           "permessage-deflate; client_max_window_bits=\"\\ 10\"",
           "permessage-deflate; client_max_window_bits=10\"",
           "permessage-deflate; a=b=c",
           "foo; bar=\"baz, permessage-deflate",
           "permessage-deflate\x01",
           "permessage-deflate; client_max_window_bits=\xc3\xa9",
       })
    EXPECT_NO_FATAL_FAILURE(expect_invalid(h));
}

// ---------------------------------------------------------------------------
// the codec

std::string compress(deflater& d, std::string_view data) {
  std::string out;
  d.compress(data, out);
  return out;
}

std::string inflate_ok(inflater& z, std::string_view data) {
  auto r = z.decompress(data);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : sio::to_string(r.error()));
  return r.ok() ? *r : std::string();
}

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng());
  return s;
}

std::string json_like(std::size_t n) {
  std::string s;
  for (int i = 0; s.size() < n; ++i)
    s += R"({"event":"tick","n":)" + std::to_string(i) + R"(,"text":"h\u00e9llo w\u00f6rld"},)";
  s.resize(n);
  return s;
}

// RFC 7692 section 7.2.3.1.
const std::string hello_compressed = bytes({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00});

TEST(DeflateCodec, CompressesLikeTheRfcExample) {
  deflater d;
  EXPECT_EQ(compress(d, "Hello"), hello_compressed);
}

TEST(DeflateCodec, InflatesTheRfcExamples) {
  inflater z(1000);
  EXPECT_EQ(inflate_ok(z, hello_compressed), "Hello");
  // 7.2.3.2: the same message again, referring back to the first.
  EXPECT_EQ(inflate_ok(z, bytes({0xf2, 0x00, 0x11, 0x00, 0x00})), "Hello");
  // 7.2.3.3: a stored (uncompressed) block, then the flush's block header.
  EXPECT_EQ(
      inflate_ok(z, bytes({0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00})),
      "Hello");
  // 7.2.3.5: two DEFLATE blocks in one message.
  EXPECT_EQ(inflate_ok(z, bytes({0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9,
                                 0x07, 0x00})),
            "Hello");
}

TEST(DeflateCodec, AFinalBlockEndsTheStreamAndTheNextMessageStartsAnew) {
  // 7.2.3.4: BFINAL set; the trailer the receiver appends lies past the end.
  inflater z(1000);
  EXPECT_EQ(inflate_ok(z, bytes({0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00})), "Hello");
  EXPECT_EQ(inflate_ok(z, hello_compressed), "Hello");
}

TEST(DeflateCodec, ContextTakeoverShrinksRepeatedMessages) {
  deflater d;
  inflater z(1 << 20);
  std::string msg = json_like(3000);
  std::string first = compress(d, msg);
  std::string second = compress(d, msg);
  EXPECT_LT(second.size(), first.size() / 4);
  EXPECT_EQ(inflate_ok(z, first), msg);
  EXPECT_EQ(inflate_ok(z, second), msg);
}

TEST(DeflateCodec, ServerNoContextTakeoverCompressesEveryMessageAlike) {
  deflater d(15, true);
  EXPECT_EQ(compress(d, "Hello"), hello_compressed);
  EXPECT_EQ(compress(d, "Hello"), hello_compressed);
}

TEST(DeflateCodec, ClientNoContextTakeoverForgetsTheWindow) {
  inflater z(1000, 15, true);
  EXPECT_EQ(inflate_ok(z, hello_compressed), "Hello");
  // The back reference of 7.2.3.2 has nothing to refer to now.
  auto r = z.decompress(bytes({0xf2, 0x00, 0x11, 0x00, 0x00}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), errc::websocket_invalid_compressed);
}

TEST(DeflateCodec, RoundTripsManySizesAndKinds) {
  for (bool takeover : {true, false}) {
    for (int bits : {8, 9, 12, 15}) {
      deflater d(bits, !takeover);
      inflater z(1 << 20, bits, !takeover);
      for (std::size_t n : {0, 1, 5, 1023, 1024, 70000, 300000}) {
        for (const std::string& msg : {json_like(n), random_bytes(n, static_cast<unsigned>(n))}) {
          std::string packed = compress(d, msg);
          EXPECT_EQ(inflate_ok(z, packed), msg) << n << " bytes, window " << bits;
        }
      }
    }
  }
}

TEST(DeflateCodec, AnEightBitWindowReachesBackNoFurther) {
  // zlib compresses with 9 bits when 8 are agreed; its matches still reach
  // back at most 250 bytes, so an 8-bit inflater reads the result.
  std::string block = random_bytes(240, 1);
  std::string msg = block + block + random_bytes(300, 2) + block;
  deflater d(8);
  inflater z(1 << 20, 8);
  std::string packed = compress(d, msg);
  EXPECT_LT(packed.size(), msg.size());
  EXPECT_EQ(inflate_ok(z, packed), msg);
}

TEST(DeflateCodec, TheLimitAppliesToTheInflatedSize) {
  deflater d;
  std::string at_limit(1000, 'z');
  std::string packed = compress(d, at_limit);
  EXPECT_LT(packed.size(), 100u);
  inflater z(1000);
  EXPECT_EQ(inflate_ok(z, packed), at_limit);

  deflater d2;
  inflater z2(1000);
  auto r = z2.decompress(compress(d2, std::string(1001, 'z')));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), errc::websocket_message_too_big);
  EXPECT_EQ(close_code(r.error()), close_message_too_big);
}

TEST(DeflateCodec, GarbageIsInvalid) {
  inflater z(1000);
  auto r = z.decompress(bytes({0xff, 0xff, 0xff}));  // block type 3 is reserved
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), errc::websocket_invalid_compressed);
  EXPECT_EQ(close_code(r.error()), close_invalid_payload);
  // The next message starts afresh.
  EXPECT_EQ(inflate_ok(z, hello_compressed), "Hello");
}

TEST(DeflateCodec, AnEmptyMessageIsAnEmptyStoredBlock) {
  deflater d;
  inflater z(1000);
  std::string packed = compress(d, "");
  EXPECT_EQ(packed, std::string(1, '\0'));
  EXPECT_EQ(inflate_ok(z, packed), "");
  // zlib has nothing to flush for empty messages in a row, and the stream
  // goes on after them.
  for (std::string_view msg : {"Hello", "", "", "Hello", ""})
    EXPECT_EQ(inflate_ok(z, compress(d, msg)), msg);
}

TEST(DeflateCodec, CompressAppends) {
  deflater d;
  std::string out = "head";
  d.compress("Hello", out);
  EXPECT_EQ(out, "head" + hello_compressed);
}

TEST(DeflateCodec, DecompressingAMessageChecksItsText) {
  deflater d;
  inflater z(1000);
  message text{false, compress(d, "h\xc3\xa9llo"), true};
  ASSERT_TRUE(decompress(z, text).ok());
  EXPECT_EQ(text, (message{false, "h\xc3\xa9llo", false}));

  message bad_text{false, compress(d, "\xff\xfe"), true};
  auto s = decompress(z, bad_text);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error(), errc::websocket_invalid_utf8);

  deflater d2;
  inflater z2(1000);
  message bin{true, compress(d2, "\xff\xfe"), true};
  ASSERT_TRUE(decompress(z2, bin).ok());
  EXPECT_EQ(bin, (message{true, "\xff\xfe", false}));

  message plain{false, "as is", false};
  ASSERT_TRUE(decompress(z2, plain).ok());
  EXPECT_EQ(plain.data, "as is");
}

TEST(DeflateCodec, ACompressedFrameHeaderHasRsv1) {
  std::array<char, max_server_header> h{};
  ASSERT_EQ(encode_header(opcode::text, 5, h, true), 2u);
  EXPECT_EQ(static_cast<unsigned char>(h[0]), 0xC1);
  ASSERT_EQ(encode_header(opcode::binary, 5, h), 2u);
  EXPECT_EQ(static_cast<unsigned char>(h[0]), 0x82);
}

}  // namespace
