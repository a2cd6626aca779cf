// Inputs the fuzz targets (tests/fuzz) found, minimized, with what they must do.

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "sio/protocol/engine_io.hpp"
#include "sio/protocol/json.hpp"
#include "sio/protocol/socket_io.hpp"

namespace {

using sio::errc;
using sio::json;
using sio::parse_json;
using sio::to_json_text;
using sio::socketio::decode_header;
using sio::socketio::decoder;
using sio::socketio::limits;
using sio::socketio::packet_type;

constexpr auto size_max = std::numeric_limits<std::size_t>::max();

// --- Attachment counts and ack ids with any limit --------------------------
// With max_attachments = SIZE_MAX ("no limit") the saturation bound cap + 1
// wrapped to 0, so every binary packet was read as declaring 0 attachments.

TEST(FuzzRegressions, AttachmentCountWithoutLimit) {
  limits lim;
  lim.max_attachments = size_max;
  auto h = decode_header(R"(51-["a",{"_placeholder":true,"num":0}])", lim);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->attachments, 1u);

  auto largest = decode_header("518446744073709551615-[\"a\"]", lim);
  ASSERT_TRUE(largest.ok());
  EXPECT_EQ(largest->attachments, std::uint64_t{18446744073709551615u});
  auto past_64_bits = decode_header("518446744073709551616-[\"a\"]", lim);
  ASSERT_FALSE(past_64_bits.ok());
  EXPECT_EQ(past_64_bits.error(), errc::too_many_attachments);
}

TEST(FuzzRegressions, DecoderWaitsForAttachmentsWithoutLimit) {
  decoder dec{limits{size_max, 100, size_max}};
  auto first = dec.feed_text(R"(51-["a",{"_placeholder":true,"num":0}])");
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->has_value());
  EXPECT_TRUE(dec.pending());
  auto done = dec.feed_binary(std::string("\x01\x02", 2));
  ASSERT_TRUE(done.ok());
  ASSERT_TRUE(done->has_value());
  EXPECT_EQ((*done)->type, packet_type::event);
  EXPECT_EQ((*done)->data->at(1), json::binary({1, 2}));
}

TEST(FuzzRegressions, AttachmentCountAtSmallLimits) {
  limits none;
  none.max_attachments = 0;
  EXPECT_EQ(decode_header("50-[\"a\"]", none).error(), errc::invalid_attachment_count);
  EXPECT_EQ(decode_header("51-[\"a\"]", none).error(), errc::too_many_attachments);
  EXPECT_EQ(decode_header("59-[\"a\"]", none).error(), errc::too_many_attachments);

  limits nine;
  nine.max_attachments = 9;
  EXPECT_EQ(decode_header("59-[\"a\"]", nine)->attachments, 9u);
  EXPECT_EQ(decode_header("510-[\"a\"]", nine).error(), errc::too_many_attachments);
  EXPECT_EQ(decode_header("500000000009-[\"a\"]", nine)->attachments, 9u);
}

TEST(FuzzRegressions, AckIdBounds) {
  EXPECT_EQ(*decode_header("29007199254740991[\"a\"]")->id, std::uint64_t{9007199254740991});
  EXPECT_EQ(decode_header("29007199254740992[\"a\"]").error(), errc::invalid_ack_id);
  EXPECT_EQ(decode_header("2184467440737095516150[\"a\"]").error(), errc::invalid_ack_id);
}

// --- Numbers ----------------------------------------------------------------
// RapidJSON's full-precision conversion (1.1.0) calls __builtin_clzll(0) for
// a zero significand with a large exponent (`0e260`), and overflows an int
// for a long zero fraction with a very negative exponent. Numbers are now
// converted with std::from_chars; these must give what JSON.parse gives.

double number(std::string_view text) {
  auto v = parse_json(text);
  EXPECT_TRUE(v.ok()) << text;
  if (!v) return std::nan("");
  EXPECT_TRUE(v->is_number_float()) << text;
  return v->get<double>();
}

TEST(FuzzRegressions, ZeroSignificandWithLargeExponent) {
  EXPECT_EQ(number("0e260"), 0.0);
  EXPECT_EQ(number("0E+308"), 0.0);
  EXPECT_EQ(number("0.000e300"), 0.0);
  EXPECT_EQ(number("0.0000000000e-2147483639"), 0.0);
  EXPECT_EQ(number("1e-2147483648"), 0.0);
  EXPECT_TRUE(std::signbit(number("-0e260")));
  auto packet = sio::socketio::decode_body(*decode_header(R"(2["n",-0,0e260])"));
  ASSERT_TRUE(packet.ok());
  EXPECT_EQ(to_json_text(*packet->data), R"(["n",0,0])");
}

TEST(FuzzRegressions, NumbersAtTheEdgesOfDouble) {
  EXPECT_EQ(number("5e-324"), std::numeric_limits<double>::denorm_min());
  EXPECT_EQ(number("1e-400"), 0.0);
  EXPECT_TRUE(std::signbit(number("-1e-400")));
  EXPECT_EQ(number("1.7976931348623157e308"), std::numeric_limits<double>::max());
  // Past the largest double: Infinity, as JSON.parse gives (written as null).
  EXPECT_EQ(number("1.7976931348673215e308"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(number("-1.7976931348673215e308"), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(number("0.1"), 0.1);
  EXPECT_EQ(number("123.456e-2"), 1.23456);
  // Also where the reader itself refuses the number (see parse_json).
  EXPECT_EQ(number("1e309"), std::numeric_limits<double>::infinity());
}

TEST(FuzzRegressions, IntegersStayExact) {
  auto u = parse_json("18446744073709551615");
  ASSERT_TRUE(u.ok());
  EXPECT_TRUE(u->is_number_unsigned());
  EXPECT_EQ(u->get<std::uint64_t>(), std::numeric_limits<std::uint64_t>::max());
  auto i = parse_json("-9223372036854775808");
  ASSERT_TRUE(i.ok());
  EXPECT_TRUE(i->is_number_integer() && !i->is_number_unsigned());
  EXPECT_EQ(i->get<std::int64_t>(), std::numeric_limits<std::int64_t>::min());
  auto zero = parse_json("-0");
  ASSERT_TRUE(zero.ok());
  EXPECT_TRUE(zero->is_number_integer());
  EXPECT_EQ(to_json_text(*zero), "0");
  EXPECT_EQ(number("18446744073709551616"), 18446744073709551616.0);
  EXPECT_EQ(number("-9223372036854775809"), -9223372036854775808.0);
  EXPECT_EQ(to_json_text(*parse_json("[9007199254740993,-1,1.5,1e21]")),
            "[9007199254740993,-1,1.5,1e+21]");
}

// --- Invalid UTF-8 ------------------------------------------------------------
// Two keys that differ only in bytes write_json replaces by U+FFFD used to
// survive parsing as two keys, and were written as one key twice; and
// strings with invalid UTF-8 reached the application, whose json::dump()
// throws on them. parse_json now replaces such bytes itself.

TEST(FuzzRegressions, KeysThatCollideOnceReplaced) {
  auto v = parse_json("{\"a\xff\":1,\"a\xef\xbf\xbd\":2}");
  ASSERT_TRUE(v.ok());
  ASSERT_EQ(v->size(), 1u);
  EXPECT_EQ(v->at("a\xef\xbf\xbd"), 2);
  auto text = to_json_text(*v);
  EXPECT_EQ(text, "{\"a\xef\xbf\xbd\":2}");
  EXPECT_EQ(to_json_text(*parse_json(text)), text);
}

TEST(FuzzRegressions, InvalidUtf8BecomesReplacementCharacter) {
  auto v = parse_json("[\"x\xf8y\",\"\xc0\xaf\",\"\\udc00\"]");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->at(0), "x\xef\xbf\xbdy");
  EXPECT_EQ(v->at(1), "\xef\xbf\xbd\xef\xbf\xbd");
  // A lone low surrogate escape: one U+FFFD per byte of its 3-byte form.
  EXPECT_EQ(v->at(2), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_NO_THROW((void)v->dump());
  // Valid UTF-8 and escapes are untouched.
  EXPECT_EQ(parse_json("\"caf\xc3\xa9 \\ud83d\\ude00\"").value(), "caf\xc3\xa9 \xf0\x9f\x98\x80");
}

TEST(FuzzRegressions, HandshakeSidWithInvalidUtf8) {
  auto h = sio::engineio::decode_handshake(
      "{\"sid\":\"\xff\",\"upgrades\":[],\"pingInterval\":1,\"pingTimeout\":1,\"maxPayload\":1}");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->sid, "\xef\xbf\xbd");
  std::string out;
  sio::engineio::encode_handshake(*h, out);
  auto again = sio::engineio::decode_handshake(out);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *h);
}

}  // namespace
