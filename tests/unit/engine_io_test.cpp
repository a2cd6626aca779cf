#include "sio/protocol/engine_io.hpp"

#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "protocol_test_util.hpp"

namespace {

using namespace std::string_literals;
using sio::errc;
using sio::engineio::decode_handshake;
using sio::engineio::decode_payload;
using sio::engineio::decode_text_packet;
using sio::engineio::handshake;
using sio::engineio::http_error;
using sio::engineio::packet;
using sio::engineio::packet_type;
using sio::test::error_of;
using sio::test::raw;

constexpr std::size_t big_limit = 1000000;

std::string encode_payload(const std::vector<packet>& packets) {
  std::string out;
  sio::engineio::encode_payload(packets, out);
  return out;
}

std::string encode_text(packet_type type, std::string_view data) {
  std::string out;
  sio::engineio::encode_text_packet(type, data, out);
  return out;
}

std::string encode_handshake(const handshake& h) {
  std::string out;
  sio::engineio::encode_handshake(h, out);
  return out;
}

// --- the examples of the Engine.IO v4 specification --------------------------

TEST(EngineIoSpec, EncodesTheLongPollingPayloadExample) {
  std::vector<packet> packets = {packet::text(packet_type::message, "hello"),
                                 packet::text(packet_type::ping),
                                 packet::text(packet_type::message, "world")};
  EXPECT_EQ(encode_payload(packets),
            "4hello\x1e"
            "2\x1e"
            "4world");
}

TEST(EngineIoSpec, DecodesTheLongPollingPayloadExample) {
  auto r = decode_payload(
      "4hello\x1e"
      "2\x1e"
      "4world",
      big_limit);
  ASSERT_TRUE(r.ok());
  std::vector<packet> expected = {packet::text(packet_type::message, "hello"),
                                  packet::text(packet_type::ping),
                                  packet::text(packet_type::message, "world")};
  EXPECT_EQ(*r, expected);
}

TEST(EngineIoSpec, EncodesTheBinaryPayloadExample) {
  std::vector<packet> packets = {packet::text(packet_type::message, "hello"),
                                 packet::bytes(raw({1, 2, 3, 4}))};
  EXPECT_EQ(encode_payload(packets),
            "4hello\x1e"
            "bAQIDBA==");
}

TEST(EngineIoSpec, DecodesTheBinaryPayloadExample) {
  auto r = decode_payload(
      "4hello\x1e"
      "bAQIDBA==",
      big_limit);
  ASSERT_TRUE(r.ok());
  std::vector<packet> expected = {packet::text(packet_type::message, "hello"),
                                  packet::bytes(raw({1, 2, 3, 4}))};
  EXPECT_EQ(*r, expected);
}

TEST(EngineIoSpec, EncodesTheWebSocketFrameExample) {
  EXPECT_EQ(encode_text(packet_type::message, "hello"), "4hello");
}

TEST(EngineIoSpec, DecodesTheWebSocketFrameExample) {
  auto r = decode_text_packet("4hello");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->type, packet_type::message);
  EXPECT_EQ(r->data, "hello");
}

TEST(EngineIoSpec, EncodesTheUpgradeProbeFrames) {
  EXPECT_EQ(encode_text(packet_type::ping, "probe"), "2probe");
  EXPECT_EQ(encode_text(packet_type::pong, "probe"), "3probe");
  EXPECT_EQ(encode_text(packet_type::upgrade, ""), "5");
  EXPECT_EQ(encode_text(packet_type::noop, ""), "6");
}

TEST(EngineIoSpec, DecodesTheUpgradeProbeFrames) {
  auto ping = decode_text_packet("2probe");
  ASSERT_TRUE(ping.ok());
  EXPECT_EQ(ping->type, packet_type::ping);
  EXPECT_EQ(ping->data, "probe");
  auto pong = decode_text_packet("3probe");
  ASSERT_TRUE(pong.ok());
  EXPECT_EQ(pong->type, packet_type::pong);
  EXPECT_EQ(pong->data, "probe");
  auto upgrade = decode_text_packet("5");
  ASSERT_TRUE(upgrade.ok());
  EXPECT_EQ(upgrade->type, packet_type::upgrade);
  EXPECT_EQ(upgrade->data, "");
}

TEST(EngineIoSpec, DecodesTheHeartbeatAndCloseFrames) {
  EXPECT_EQ(decode_text_packet("2")->type, packet_type::ping);
  EXPECT_EQ(decode_text_packet("3")->type, packet_type::pong);
  EXPECT_EQ(decode_text_packet("1")->type, packet_type::close);
  EXPECT_EQ(decode_text_packet("6")->type, packet_type::noop);
}

TEST(EngineIoSpec, EncodesTheHandshakeExample) {
  handshake h{"lv_VI97HAXpY6yYWAAAC", {"websocket"}, 25000, 20000, 1000000};
  EXPECT_EQ(encode_handshake(h),
            R"({"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,)"
            R"("pingTimeout":20000,"maxPayload":1000000})");
}

TEST(EngineIoSpec, DecodesTheHandshakeExampleAsPrinted) {
  auto r = decode_handshake(R"({
  "sid": "lv_VI97HAXpY6yYWAAAC",
  "upgrades": ["websocket"],
  "pingInterval": 25000,
  "pingTimeout": 20000,
  "maxPayload": 1000000
  })");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (handshake{"lv_VI97HAXpY6yYWAAAC", {"websocket"}, 25000, 20000, 1000000}));
}

// The "Sample session" of the Socket.IO v5 specification, Engine.IO side.
TEST(EngineIoSampleSession, EncodesTheOpenPacketOfRequestOne) {
  handshake h{"lv_VI97HAXpY6yYWAAAC", {"websocket"}, 25000, 5000, 1000000};
  std::string body;
  sio::engineio::encode_payload({packet::text(packet_type::open, encode_handshake(h))}, body);
  EXPECT_EQ(body, R"(0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,)"
                  R"("pingTimeout":5000,"maxPayload":1000000})");
}

TEST(EngineIoSampleSession, DecodesTheOpenPacketOfRequestOne) {
  auto r = decode_payload(
      R"(0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,)"
      R"("pingTimeout":5000,"maxPayload":1000000})",
      big_limit);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].type, packet_type::open);
  auto h = decode_handshake((*r)[0].data);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(*h, (handshake{"lv_VI97HAXpY6yYWAAAC", {"websocket"}, 25000, 5000, 1000000}));
}

TEST(EngineIoSampleSession, DecodesTheTwoMessagesOfRequestFive) {
  auto r = decode_payload(
      "42[\"hello\"]\x1e"
      "42[\"world\"]",
      big_limit);
  ASSERT_TRUE(r.ok());
  std::vector<packet> expected = {packet::text(packet_type::message, R"(2["hello"])"),
                                  packet::text(packet_type::message, R"(2["world"])")};
  EXPECT_EQ(*r, expected);
}

TEST(EngineIoSampleSession, EncodesTheTwoMessagesOfRequestFive) {
  std::vector<packet> packets = {packet::text(packet_type::message, R"(2["hello"])"),
                                 packet::text(packet_type::message, R"(2["world"])")};
  EXPECT_EQ(encode_payload(packets),
            "42[\"hello\"]\x1e"
            "42[\"world\"]");
}

TEST(EngineIoSampleSession, EncodesTheConnectMessageOfRequestTwo) {
  EXPECT_EQ(encode_text(packet_type::message, "0"), "40");
}

// --- engine.io-parser test/index.ts, ported -----------------------------------

TEST(EngineIoParserPort, EncodesAndDecodesAString) {
  EXPECT_EQ(encode_text(packet_type::message, "test"), "4test");
  auto r = decode_text_packet("4test");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->type, packet_type::message);
  EXPECT_EQ(r->data, "test");
}

TEST(EngineIoParserPort, FailsToDecodeAnEmptyPacket) {
  EXPECT_EQ(error_of(decode_text_packet("")), errc::empty_packet);
}

TEST(EngineIoParserPort, FailsToDecodeAPacketWithAnUnknownType) {
  EXPECT_EQ(error_of(decode_text_packet("a123")), errc::unknown_engineio_packet_type);
}

TEST(EngineIoParserPort, EncodesAllPacketTypesInAPayload) {
  std::vector<packet> packets = {
      packet::text(packet_type::open),
      packet::text(packet_type::close),
      packet::text(packet_type::ping, "probe"),
      packet::text(packet_type::pong, "probe"),
      packet::text(packet_type::message, "test"),
  };
  EXPECT_EQ(encode_payload(packets),
            "0\x1e"
            "1\x1e"
            "2probe\x1e"
            "3probe\x1e"
            "4test");
}

TEST(EngineIoParserPort, DecodesAllPacketTypesInAPayload) {
  auto r = decode_payload(
      "0\x1e"
      "1\x1e"
      "2probe\x1e"
      "3probe\x1e"
      "4test",
      big_limit);
  ASSERT_TRUE(r.ok());
  std::vector<packet> expected = {
      packet::text(packet_type::open),
      packet::text(packet_type::close),
      packet::text(packet_type::ping, "probe"),
      packet::text(packet_type::pong, "probe"),
      packet::text(packet_type::message, "test"),
  };
  EXPECT_EQ(*r, expected);
}

TEST(EngineIoParserPort, FailsToDecodeAPayloadOfAnOpenBrace) {
  EXPECT_EQ(error_of(decode_payload("{", big_limit)), errc::unknown_engineio_packet_type);
}

TEST(EngineIoParserPort, FailsToDecodeAPayloadOfAnEmptyObject) {
  EXPECT_EQ(error_of(decode_payload("{}", big_limit)), errc::unknown_engineio_packet_type);
}

TEST(EngineIoParserPort, FailsToDecodeAPayloadOfAJsonArray) {
  EXPECT_EQ(error_of(decode_payload(R"(["a123", "a456"])", big_limit)),
            errc::unknown_engineio_packet_type);
}

// --- engine.io-parser test/node.ts, ported ------------------------------------

TEST(EngineIoParserPort, EncodesABufferAsBase64InAPayload) {
  std::string out;
  sio::engineio::encode_payload_packet(packet::bytes(raw({1, 2, 3, 4})), out);
  EXPECT_EQ(out, "bAQIDBA==");
}

TEST(EngineIoParserPort, DecodesABase64BufferFromAPayload) {
  auto r = decode_payload("bAQIDBA==", big_limit);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0], packet::bytes(raw({1, 2, 3, 4})));
  EXPECT_EQ((*r)[0].type, packet_type::message);
  EXPECT_TRUE((*r)[0].binary);
}

TEST(EngineIoParserPort, EncodesATypedArrayViewAsOnlyItsBytes) {
  // new Int8Array(Int8Array.from([1, 2, 3, 4]).buffer, 1, 2) -> <02 03>
  std::string out;
  sio::engineio::encode_payload_packet(packet::bytes(raw({2, 3})), out);
  EXPECT_EQ(out, "bAgM=");
}

TEST(EngineIoParserPort, EncodesAStringAndBufferPayload) {
  std::vector<packet> packets = {packet::text(packet_type::message, "test"),
                                 packet::bytes(raw({1, 2, 3, 4}))};
  EXPECT_EQ(encode_payload(packets),
            "4test\x1e"
            "bAQIDBA==");
}

TEST(EngineIoParserPort, DecodesAStringAndBufferPayload) {
  auto r = decode_payload(
      "4test\x1e"
      "bAQIDBA==",
      big_limit);
  ASSERT_TRUE(r.ok());
  std::vector<packet> expected = {packet::text(packet_type::message, "test"),
                                  packet::bytes(raw({1, 2, 3, 4}))};
  EXPECT_EQ(*r, expected);
}

// --- text packets -------------------------------------------------------------

TEST(EngineIoTextPacket, RejectsTypeSeven) {
  EXPECT_EQ(error_of(decode_text_packet("7")), errc::unknown_engineio_packet_type);
}

TEST(EngineIoTextPacket, RejectsTheBinaryPrefixInATextFrame) {
  EXPECT_EQ(error_of(decode_text_packet("bAQIDBA==")), errc::unknown_engineio_packet_type);
}

TEST(EngineIoTextPacket, DecodesEveryPacketType) {
  for (char c = '0'; c <= '6'; ++c) {
    const std::string frame = std::string(1, c) + "x";
    auto r = decode_text_packet(frame);
    ASSERT_TRUE(r.ok()) << c;
    EXPECT_EQ(static_cast<int>(r->type), c - '0');
    EXPECT_EQ(r->data, "x");
  }
}

TEST(EngineIoTextPacket, BorrowsItsDataFromTheInput) {
  std::string frame = "4hello";
  auto r = decode_text_packet(frame);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->data.data(), frame.data() + 1);
  EXPECT_EQ(r->data.size(), 5u);
}

TEST(EngineIoTextPacket, KeepsMultiByteUtf8DataVerbatim) {
  auto r = decode_text_packet("41\xe2\x82\xac");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->data, "1\xe2\x82\xac");
  EXPECT_EQ(encode_text(packet_type::message, "1\xe2\x82\xac"), "41\xe2\x82\xac");
}

TEST(EngineIoTextPacket, AppendsToExistingOutput) {
  std::string out = "x";
  sio::engineio::encode_text_packet(packet_type::ping, "probe", out);
  EXPECT_EQ(out, "x2probe");
}

TEST(EngineIoPacketType, HasTheReferenceNames) {
  EXPECT_EQ(to_string(packet_type::open), "open");
  EXPECT_EQ(to_string(packet_type::close), "close");
  EXPECT_EQ(to_string(packet_type::ping), "ping");
  EXPECT_EQ(to_string(packet_type::pong), "pong");
  EXPECT_EQ(to_string(packet_type::message), "message");
  EXPECT_EQ(to_string(packet_type::upgrade), "upgrade");
  EXPECT_EQ(to_string(packet_type::noop), "noop");
}

TEST(EngineIoProtocol, IsVersionFour) { EXPECT_EQ(sio::engineio::protocol_version, 4); }

// --- payloads -----------------------------------------------------------------

TEST(EngineIoPayload, RejectsUnknownPacketType) {
  EXPECT_EQ(decode_payload("4a\x1e"
                           "9",
                           big_limit)
                .error(),
            errc::unknown_engineio_packet_type);
}

TEST(EngineIoPayload, RejectsAnEmptyBody) {
  EXPECT_EQ(error_of(decode_payload("", big_limit)), errc::empty_packet);
}

TEST(EngineIoPayload, RejectsATrailingSeparator) {
  EXPECT_EQ(error_of(decode_payload("4a\x1e", big_limit)), errc::empty_packet);
}

TEST(EngineIoPayload, RejectsALeadingSeparator) {
  EXPECT_EQ(decode_payload("\x1e"
                           "4a",
                           big_limit)
                .error(),
            errc::empty_packet);
}

TEST(EngineIoPayload, RejectsTwoSeparatorsInARow) {
  EXPECT_EQ(decode_payload("4a\x1e\x1e"
                           "4b",
                           big_limit)
                .error(),
            errc::empty_packet);
}

TEST(EngineIoPayload, RejectsTheWholeBodyWhenTheLastPacketIsBad) {
  EXPECT_EQ(decode_payload("4a\x1e"
                           "4b\x1e"
                           "x",
                           big_limit)
                .error(),
            errc::unknown_engineio_packet_type);
}

TEST(EngineIoPayload, RejectsInvalidBase64) {
  EXPECT_EQ(decode_payload("4a\x1e"
                           "bAQ!DBA==",
                           big_limit)
                .error(),
            errc::invalid_base64);
}

TEST(EngineIoPayload, RejectsBase64WithWhiteSpace) {
  EXPECT_EQ(error_of(decode_payload("bAQID BA==", big_limit)), errc::invalid_base64);
}

TEST(EngineIoPayload, DecodesALoneBinaryPrefixAsAnEmptyBuffer) {
  auto r = decode_payload("b", big_limit);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0], packet::bytes(""));
}

TEST(EngineIoPayload, DecodesUnpaddedAndUrlSafeBase64) {
  auto r = decode_payload(
      "bAQIDBA\x1e"
      "b-_-_",
      big_limit);
  ASSERT_TRUE(r.ok());
  std::vector<packet> expected = {packet::bytes(raw({1, 2, 3, 4})),
                                  packet::bytes(raw({0xfb, 0xff, 0xbf}))};
  EXPECT_EQ(*r, expected);
}

TEST(EngineIoPayload, KeepsASeparatorInsideBinaryData) {
  std::vector<packet> packets = {packet::bytes("\x1e\x1e\x1e"),
                                 packet::text(packet_type::message, "x")};
  auto body = encode_payload(packets);
  EXPECT_EQ(body,
            "bHh4e\x1e"
            "4x");
  auto r = decode_payload(body, big_limit);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, packets);
}

TEST(EngineIoPayload, EncodesAnEmptyListAsAnEmptyBody) { EXPECT_EQ(encode_payload({}), ""); }

TEST(EngineIoPayload, EncodesAnEmptyBinaryPacketAsTheBarePrefix) {
  EXPECT_EQ(encode_payload({packet::bytes("")}), "b");
}

TEST(EngineIoPayload, AppendsToExistingOutput) {
  std::string out = "x";
  sio::engineio::encode_payload({packet::text(packet_type::noop)}, out);
  EXPECT_EQ(out, "x6");
}

TEST(EngineIoPayload, AcceptsABodyOfExactlyMaxPayloadBytes) {
  std::string body = "4" + std::string(99, 'a');
  auto r = decode_payload(body, 100);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].data.size(), 99u);
}

TEST(EngineIoPayload, RejectsABodyOverMaxPayloadAsTooLarge) {
  std::string body = "4" + std::string(100, 'a');
  EXPECT_EQ(error_of(decode_payload(body, 100)), errc::too_large);
}

TEST(EngineIoPayload, ChecksTheSizeBeforeTheContent) {
  EXPECT_EQ(error_of(decode_payload("xxxx", 3)), errc::too_large);
}

// Every prefix of a valid body either fails with a typed error or decodes to
// the packets before the cut plus a truncated version of the packet it cuts.
TEST(EngineIoPayload, DecodesEveryPrefixOfAValidBodyConsistently) {
  EXPECT_NO_FATAL_FAILURE(sio::test::expect_prefixes_decode_consistently({
      packet::text(packet_type::message, "hello"),
      packet::text(packet_type::ping),
      packet::bytes(raw({1, 2, 3, 4, 5})),
      packet::text(packet_type::message, "w\xc3\xb6rld \xe2\x82\xac"),
      packet::bytes(""),
      packet::text(packet_type::noop),
  }));
}

// --- handshake ----------------------------------------------------------------

TEST(EngineIoHandshake, HasTheReferenceDefaults) {
  handshake h;
  EXPECT_EQ(h.ping_interval_ms, 25000u);
  EXPECT_EQ(h.ping_timeout_ms, 20000u);
  EXPECT_EQ(h.max_payload, 1000000u);
}

TEST(EngineIoHandshake, EncodesNoUpgradesAsAnEmptyArray) {
  handshake h{"abc", {}, 300, 200, 1000000};
  EXPECT_EQ(
      encode_handshake(h),
      R"({"sid":"abc","upgrades":[],"pingInterval":300,"pingTimeout":200,"maxPayload":1000000})");
}

TEST(EngineIoHandshake, EscapesTheSessionId) {
  handshake h{"a\"b\\c", {"websocket", "webtransport"}, 1, 2, 3};
  EXPECT_EQ(encode_handshake(h),
            R"({"sid":"a\"b\\c","upgrades":["websocket","webtransport"],"pingInterval":1,)"
            R"("pingTimeout":2,"maxPayload":3})");
}

TEST(EngineIoHandshake, AppendsToExistingOutput) {
  std::string out = "0";
  sio::engineio::encode_handshake(handshake{"s", {}, 1, 2, 3}, out);
  EXPECT_EQ(out, R"(0{"sid":"s","upgrades":[],"pingInterval":1,"pingTimeout":2,"maxPayload":3})");
}

TEST(EngineIoHandshake, RoundTrips) {
  handshake h{"lv_VI97HAXpY6yYWAAAC", {"websocket"}, 25000, 5000, 1000000};
  auto r = decode_handshake(encode_handshake(h));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, h);
}

TEST(EngineIoHandshake, DecodesFieldsInAnyOrderAndIgnoresUnknownOnes) {
  auto r = decode_handshake(
      R"({"maxPayload":3,"pingTimeout":2,"extra":[1],"pingInterval":1,"upgrades":[],"sid":"s"})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (handshake{"s", {}, 1, 2, 3}));
}

TEST(EngineIoHandshake, RejectsAMissingSid) {
  EXPECT_EQ(error_of(decode_handshake(
                R"({"upgrades":[],"pingInterval":1,"pingTimeout":2,"maxPayload":3})")),
            errc::invalid_handshake);
}

TEST(EngineIoHandshake, RejectsANonStringSid) {
  EXPECT_EQ(
      decode_handshake(R"({"sid":1,"upgrades":[],"pingInterval":1,"pingTimeout":2,"maxPayload":3})")
          .error(),
      errc::invalid_handshake);
}

TEST(EngineIoHandshake, RejectsMissingUpgrades) {
  EXPECT_EQ(
      error_of(decode_handshake(R"({"sid":"s","pingInterval":1,"pingTimeout":2,"maxPayload":3})")),
      errc::invalid_handshake);
}

TEST(EngineIoHandshake, RejectsUpgradesThatAreNotAnArray) {
  EXPECT_EQ(
      decode_handshake(
          R"({"sid":"s","upgrades":"websocket","pingInterval":1,"pingTimeout":2,"maxPayload":3})")
          .error(),
      errc::invalid_handshake);
}

TEST(EngineIoHandshake, RejectsANonStringUpgrade) {
  EXPECT_EQ(decode_handshake(
                R"({"sid":"s","upgrades":[1],"pingInterval":1,"pingTimeout":2,"maxPayload":3})")
                .error(),
            errc::invalid_handshake);
}

TEST(EngineIoHandshake, RejectsAMissingPingInterval) {
  EXPECT_EQ(
      error_of(decode_handshake(R"({"sid":"s","upgrades":[],"pingTimeout":2,"maxPayload":3})")),
      errc::invalid_handshake);
}

TEST(EngineIoHandshake, RejectsAMissingPingTimeout) {
  EXPECT_EQ(
      error_of(decode_handshake(R"({"sid":"s","upgrades":[],"pingInterval":1,"maxPayload":3})")),
      errc::invalid_handshake);
}

TEST(EngineIoHandshake, RejectsAMissingMaxPayload) {
  EXPECT_EQ(
      error_of(decode_handshake(R"({"sid":"s","upgrades":[],"pingInterval":1,"pingTimeout":2})")),
      errc::invalid_handshake);
}

TEST(EngineIoHandshake, RejectsANegativeInterval) {
  EXPECT_EQ(decode_handshake(
                R"({"sid":"s","upgrades":[],"pingInterval":-1,"pingTimeout":2,"maxPayload":3})")
                .error(),
            errc::invalid_handshake);
}

TEST(EngineIoHandshake, RejectsAFractionalTimeout) {
  EXPECT_EQ(decode_handshake(
                R"({"sid":"s","upgrades":[],"pingInterval":1,"pingTimeout":2.5,"maxPayload":3})")
                .error(),
            errc::invalid_handshake);
}

TEST(EngineIoHandshake, RejectsANumberAsString) {
  EXPECT_EQ(decode_handshake(
                R"({"sid":"s","upgrades":[],"pingInterval":1,"pingTimeout":2,"maxPayload":"3"})")
                .error(),
            errc::invalid_handshake);
}

TEST(EngineIoHandshake, RejectsAnArray) {
  EXPECT_EQ(error_of(decode_handshake("[]")), errc::invalid_handshake);
}

TEST(EngineIoHandshake, RejectsInvalidJson) {
  EXPECT_EQ(error_of(decode_handshake(R"({"sid":"s")")), errc::invalid_handshake);
  EXPECT_EQ(error_of(decode_handshake("")), errc::invalid_handshake);
}

TEST(EngineIoHandshake, RejectsDeeplyNestedJson) {
  EXPECT_EQ(decode_handshake(R"({"sid":"s","upgrades":[],"pingInterval":1,"pingTimeout":2,)"
                             R"("maxPayload":3,"x":[[[[1]]]]})")
                .error(),
            errc::invalid_handshake);
}

// --- HTTP errors --------------------------------------------------------------

TEST(EngineIoHttpError, WritesTheUnknownTransportBody) {
  EXPECT_EQ(sio::engineio::error_body(http_error::unknown_transport),
            R"({"code":0,"message":"Transport unknown"})");
}

TEST(EngineIoHttpError, WritesTheUnknownSessionIdBody) {
  EXPECT_EQ(sio::engineio::error_body(http_error::unknown_sid),
            R"({"code":1,"message":"Session ID unknown"})");
}

TEST(EngineIoHttpError, WritesTheBadHandshakeMethodBody) {
  EXPECT_EQ(sio::engineio::error_body(http_error::bad_handshake_method),
            R"({"code":2,"message":"Bad handshake method"})");
}

TEST(EngineIoHttpError, WritesTheBadRequestBody) {
  EXPECT_EQ(sio::engineio::error_body(http_error::bad_request),
            R"({"code":3,"message":"Bad request"})");
}

TEST(EngineIoHttpError, WritesTheForbiddenBody) {
  EXPECT_EQ(sio::engineio::error_body(http_error::forbidden),
            R"({"code":4,"message":"Forbidden"})");
}

TEST(EngineIoHttpError, WritesTheUnsupportedProtocolVersionBody) {
  EXPECT_EQ(sio::engineio::error_body(http_error::unsupported_protocol_version),
            R"({"code":5,"message":"Unsupported protocol version"})");
}

TEST(EngineIoHttpError, AnswersForbiddenWith403) {
  EXPECT_EQ(sio::engineio::http_status(http_error::forbidden), 403);
}

TEST(EngineIoHttpError, AnswersEveryOtherErrorWith400) {
  for (auto e :
       {http_error::unknown_transport, http_error::unknown_sid, http_error::bad_handshake_method,
        http_error::bad_request, http_error::unsupported_protocol_version})
    EXPECT_EQ(sio::engineio::http_status(e), 400) << static_cast<int>(e);
}

TEST(EngineIoHttpError, HasTheReferenceMessages) {
  EXPECT_EQ(sio::engineio::message(http_error::unknown_transport), "Transport unknown");
  EXPECT_EQ(sio::engineio::message(http_error::unknown_sid), "Session ID unknown");
  EXPECT_EQ(sio::engineio::message(http_error::bad_handshake_method), "Bad handshake method");
  EXPECT_EQ(sio::engineio::message(http_error::bad_request), "Bad request");
  EXPECT_EQ(sio::engineio::message(http_error::forbidden), "Forbidden");
  EXPECT_EQ(sio::engineio::message(http_error::unsupported_protocol_version),
            "Unsupported protocol version");
}

}  // namespace
