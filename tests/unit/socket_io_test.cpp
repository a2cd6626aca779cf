#include "sio/protocol/socket_io.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "protocol_test_util.hpp"
#include "sio/protocol/engine_io.hpp"

namespace {

using namespace std::string_literals;
using sio::errc;
using sio::json;
using sio::to_json_text;
using sio::socketio::decode_body;
using sio::socketio::decode_header;
using sio::socketio::decoder;
using sio::socketio::encoded;
using sio::socketio::limits;
using sio::socketio::packet;
using sio::socketio::packet_type;
using sio::test::bin;
using sio::test::bin_of;
using sio::test::error_of;
using sio::test::raw;
using sio::test::zeros;

packet make(packet_type type, std::string nsp, std::optional<json> data = std::nullopt,
            std::optional<std::uint64_t> id = std::nullopt) {
  packet p;
  p.type = type;
  p.nsp = std::move(nsp);
  p.data = std::move(data);
  p.id = id;
  return p;
}

encoded encode(const packet& p) {
  encoded out;
  auto st = sio::socketio::encode(p, out);
  EXPECT_TRUE(st.ok());
  return out;
}

// Feeds `text` and then `attachments` to a fresh decoder; the packet must be
// complete after the last one and not before.
packet decode(std::string_view text, const std::vector<sio::bytes>& attachments = {}) {
  decoder d;
  auto r = d.feed_text(text);
  EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : to_string(r.error()));
  if (!r.ok()) return {};
  for (const auto& a : attachments) {
    EXPECT_FALSE(r->has_value()) << "complete before all attachments arrived";
    r = d.feed_binary(a);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : to_string(r.error()));
    if (!r.ok()) return {};
  }
  EXPECT_TRUE(r->has_value()) << "still waiting for attachments";
  EXPECT_FALSE(d.pending());
  return r->value_or(packet{});
}

// The JSON text of a packet's data (binary values as Node.js Buffers).
std::string data_text(const packet& p) { return p.data ? to_json_text(*p.data) : "<no data>"; }

// The error a fresh decoder gives for `text` followed by `attachments`.
errc decode_error(std::string_view text, const std::vector<sio::bytes>& attachments = {},
                  const limits& lim = {}) {
  decoder d(lim);
  auto r = d.feed_text(text);
  for (const auto& a : attachments) {
    if (!r.ok()) break;
    r = d.feed_binary(a);
  }
  EXPECT_FALSE(r.ok()) << text << " was accepted";
  return r.ok() ? errc{} : r.error();
}

// --- "Packet encoding" examples of the Socket.IO v5 specification -------------

TEST(SocketIoSpec, EncodesAConnectToTheMainNamespace) {
  EXPECT_EQ(encode(make(packet_type::connect, "/")).text, "0");
}

TEST(SocketIoSpec, DecodesAConnectToTheMainNamespace) {
  EXPECT_EQ(decode("0"), make(packet_type::connect, "/"));
}

TEST(SocketIoSpec, EncodesAConnectToACustomNamespace) {
  auto p = make(packet_type::connect, "/admin", json{{"sid", "oSO0OpakMV_3jnilAAAA"}});
  EXPECT_EQ(encode(p).text, R"(0/admin,{"sid":"oSO0OpakMV_3jnilAAAA"})");
}

TEST(SocketIoSpec, DecodesAConnectToACustomNamespace) {
  EXPECT_EQ(decode(R"(0/admin,{"sid":"oSO0OpakMV_3jnilAAAA"})"),
            make(packet_type::connect, "/admin", json{{"sid", "oSO0OpakMV_3jnilAAAA"}}));
}

TEST(SocketIoSpec, EncodesARefusedConnection) {
  auto p = make(packet_type::connect_error, "/", json{{"message", "Not authorized"}});
  EXPECT_EQ(encode(p).text, R"(4{"message":"Not authorized"})");
}

TEST(SocketIoSpec, DecodesARefusedConnection) {
  EXPECT_EQ(decode(R"(4{"message":"Not authorized"})"),
            make(packet_type::connect_error, "/", json{{"message", "Not authorized"}}));
}

TEST(SocketIoSpec, EncodesAnEventInTheMainNamespace) {
  EXPECT_EQ(encode(make(packet_type::event, "/", json::array({"foo"}))).text, R"(2["foo"])");
}

TEST(SocketIoSpec, DecodesAnEventInTheMainNamespace) {
  EXPECT_EQ(decode(R"(2["foo"])"), make(packet_type::event, "/", json::array({"foo"})));
}

TEST(SocketIoSpec, EncodesAnEventInACustomNamespace) {
  EXPECT_EQ(encode(make(packet_type::event, "/admin", json::array({"bar"}))).text,
            R"(2/admin,["bar"])");
}

TEST(SocketIoSpec, DecodesAnEventInACustomNamespace) {
  EXPECT_EQ(decode(R"(2/admin,["bar"])"), make(packet_type::event, "/admin", json::array({"bar"})));
}

TEST(SocketIoSpec, EncodesAnEventWithBinaryData) {
  auto out = encode(make(packet_type::event, "/", json::array({"baz", bin({1, 2, 3, 4})})));
  EXPECT_EQ(out.text, R"(51-["baz",{"_placeholder":true,"num":0}])");
  EXPECT_EQ(out.attachments, std::vector<sio::bytes>{raw({1, 2, 3, 4})});
}

TEST(SocketIoSpec, EncodesABinaryEventPacketTheSameWay) {
  auto out = encode(make(packet_type::binary_event, "/", json::array({"baz", bin({1, 2, 3, 4})})));
  EXPECT_EQ(out.text, R"(51-["baz",{"_placeholder":true,"num":0}])");
  EXPECT_EQ(out.attachments, std::vector<sio::bytes>{raw({1, 2, 3, 4})});
}

TEST(SocketIoSpec, DecodesAnEventWithBinaryData) {
  auto p = decode(R"(51-["baz",{"_placeholder":true,"num":0}])", {raw({1, 2, 3, 4})});
  EXPECT_EQ(p, make(packet_type::event, "/", json::array({"baz", bin({1, 2, 3, 4})})));
  EXPECT_EQ(data_text(p), R"(["baz",{"type":"Buffer","data":[1,2,3,4]}])");
}

TEST(SocketIoSpec, EncodesAnEventWithTwoAttachments) {
  auto out =
      encode(make(packet_type::event, "/admin", json::array({"baz", bin({1, 2}), bin({3, 4})})));
  EXPECT_EQ(out.text,
            R"(52-/admin,["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])");
  EXPECT_EQ(out.attachments, (std::vector<sio::bytes>{raw({1, 2}), raw({3, 4})}));
}

TEST(SocketIoSpec, DecodesAnEventWithTwoAttachments) {
  auto p =
      decode(R"(52-/admin,["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])",
             {raw({1, 2}), raw({3, 4})});
  EXPECT_EQ(p, make(packet_type::event, "/admin", json::array({"baz", bin({1, 2}), bin({3, 4})})));
}

TEST(SocketIoSpec, EncodesAnEventWithAnAckId) {
  EXPECT_EQ(encode(make(packet_type::event, "/", json::array({"foo"}), 12)).text, R"(212["foo"])");
}

TEST(SocketIoSpec, DecodesAnEventWithAnAckId) {
  EXPECT_EQ(decode(R"(212["foo"])"), make(packet_type::event, "/", json::array({"foo"}), 12));
}

TEST(SocketIoSpec, EncodesAnAckInACustomNamespace) {
  EXPECT_EQ(encode(make(packet_type::ack, "/admin", json::array({"bar"}), 13)).text,
            R"(3/admin,13["bar"])");
}

TEST(SocketIoSpec, DecodesAnAckInACustomNamespace) {
  EXPECT_EQ(decode(R"(3/admin,13["bar"])"),
            make(packet_type::ack, "/admin", json::array({"bar"}), 13));
}

TEST(SocketIoSpec, EncodesAnAckWithBinaryData) {
  auto out = encode(make(packet_type::ack, "/", json::array({"bar", bin({1, 2, 3, 4})}), 15));
  EXPECT_EQ(out.text, R"(61-15["bar",{"_placeholder":true,"num":0}])");
  EXPECT_EQ(out.attachments, std::vector<sio::bytes>{raw({1, 2, 3, 4})});
}

TEST(SocketIoSpec, EncodesABinaryAckPacketTheSameWay) {
  auto out =
      encode(make(packet_type::binary_ack, "/", json::array({"bar", bin({1, 2, 3, 4})}), 15));
  EXPECT_EQ(out.text, R"(61-15["bar",{"_placeholder":true,"num":0}])");
}

TEST(SocketIoSpec, DecodesAnAckWithBinaryData) {
  EXPECT_EQ(decode(R"(61-15["bar",{"_placeholder":true,"num":0}])", {raw({1, 2, 3, 4})}),
            make(packet_type::ack, "/", json::array({"bar", bin({1, 2, 3, 4})}), 15));
}

TEST(SocketIoSpec, EncodesADisconnectFromTheMainNamespace) {
  EXPECT_EQ(encode(make(packet_type::disconnect, "/")).text, "1");
}

TEST(SocketIoSpec, DecodesADisconnectFromTheMainNamespace) {
  EXPECT_EQ(decode("1"), make(packet_type::disconnect, "/"));
}

TEST(SocketIoSpec, EncodesADisconnectFromACustomNamespace) {
  EXPECT_EQ(encode(make(packet_type::disconnect, "/admin")).text, "1/admin,");
}

TEST(SocketIoSpec, DecodesADisconnectFromACustomNamespace) {
  EXPECT_EQ(decode("1/admin,"), make(packet_type::disconnect, "/admin"));
}

TEST(SocketIoSpec, PrefixesAPacketWithTheEngineIoMessageType) {
  std::string frame;
  sio::engineio::encode_text_packet(
      sio::engineio::packet_type::message,
      encode(make(packet_type::event, "/", json::array({"foo"}))).text, frame);
  EXPECT_EQ(frame, R"(42["foo"])");
}

// The "Exchange protocol" examples.
TEST(SocketIoSpec, RoundTripsTheConnectWithAuthPayload) {
  auto p = make(packet_type::connect, "/admin", json{{"token", "123"}});
  EXPECT_EQ(encode(p).text, R"(0/admin,{"token":"123"})");
  EXPECT_EQ(decode(R"(0/admin,{"token":"123"})"), p);
}

TEST(SocketIoSpec, RoundTripsTheConnectGrantInTheMainNamespace) {
  auto p = make(packet_type::connect, "/", json{{"sid", "wZX3oN0bSVIhsaknAAAI"}});
  EXPECT_EQ(encode(p).text, R"(0{"sid":"wZX3oN0bSVIhsaknAAAI"})");
  EXPECT_EQ(decode(R"(0{"sid":"wZX3oN0bSVIhsaknAAAI"})"), p);
}

TEST(SocketIoSpec, RoundTripsAnEmptyAck) {
  auto p = make(packet_type::ack, "/", json::array(), 12);
  EXPECT_EQ(encode(p).text, "312[]");
  EXPECT_EQ(decode("312[]"), p);
}

TEST(SocketIoSpec, RoundTripsAnEventWithAckIdInACustomNamespace) {
  auto p = make(packet_type::event, "/admin", json::array({"foo"}), 13);
  EXPECT_EQ(encode(p).text, R"(2/admin,13["foo"])");
  EXPECT_EQ(decode(R"(2/admin,13["foo"])"), p);
}

TEST(SocketIoSpec, RoundTripsABinaryEventWithAckId) {
  auto p = make(packet_type::event, "/", json::array({"foo", bin({1, 2, 3, 4})}), 14);
  auto out = encode(p);
  EXPECT_EQ(out.text, R"(51-14["foo",{"_placeholder":true,"num":0}])");
  EXPECT_EQ(decode(out.text, out.attachments), p);
}

// --- "Sample session" of the specification -----------------------------------

TEST(SocketIoSampleSession, DecodesTheNamespaceConnectionRequest) {
  auto frame = sio::engineio::decode_text_packet("40");
  ASSERT_TRUE(frame.ok());
  EXPECT_EQ(frame->type, sio::engineio::packet_type::message);
  EXPECT_EQ(decode(frame->data), make(packet_type::connect, "/"));
}

TEST(SocketIoSampleSession, EncodesTheNamespaceConnectionApproval) {
  auto p = make(packet_type::connect, "/", json{{"sid", "wZX3oN0bSVIhsaknAAAI"}});
  EXPECT_EQ("4" + encode(p).text, R"(40{"sid":"wZX3oN0bSVIhsaknAAAI"})");
}

TEST(SocketIoSampleSession, EncodesTheServerEmit) {
  auto p = make(packet_type::event, "/", json::array({"hey", "Jude"}));
  EXPECT_EQ("4" + encode(p).text, R"(42["hey","Jude"])");
}

TEST(SocketIoSampleSession, DecodesTheTwoClientEmitsOfOnePollingRequest) {
  auto body = sio::engineio::decode_payload(
      "42[\"hello\"]\x1e"
      "42[\"world\"]",
      1000000);
  ASSERT_TRUE(body.ok());
  ASSERT_EQ(body->size(), 2u);
  EXPECT_EQ(decode((*body)[0].data), make(packet_type::event, "/", json::array({"hello"})));
  EXPECT_EQ(decode((*body)[1].data), make(packet_type::event, "/", json::array({"world"})));
}

TEST(SocketIoSampleSession, DecodesTheAdminConnectionRequest) {
  EXPECT_EQ(decode("0/admin,"), make(packet_type::connect, "/admin"));
}

TEST(SocketIoSampleSession, EncodesTheAdminConnectionGrant) {
  auto p = make(packet_type::connect, "/admin", json{{"sid", "-G5j-67EZFp-q59rADQM"}});
  EXPECT_EQ("4" + encode(p).text, R"(40/admin,{"sid":"-G5j-67EZFp-q59rADQM"})");
}

TEST(SocketIoSampleSession, DecodesTheEventWithAcknowledgement) {
  EXPECT_EQ(decode(R"(2/admin,1["tellme"])"),
            make(packet_type::event, "/admin", json::array({"tellme"}), 1));
}

TEST(SocketIoSampleSession, EncodesTheBinaryAck) {
  auto out = encode(make(packet_type::ack, "/admin", json::array({bin({7})}), 1));
  EXPECT_EQ("4" + out.text, R"(461-/admin,1[{"_placeholder":true,"num":0}])");
  EXPECT_EQ(out.attachments, std::vector<sio::bytes>{raw({7})});
}

TEST(SocketIoSampleSession, DecodesTheBinaryAck) {
  EXPECT_EQ(decode(R"(61-/admin,1[{"_placeholder":true,"num":0}])", {raw({7})}),
            make(packet_type::ack, "/admin", json::array({bin({7})}), 1));
}

// --- socket.io-parser test/parser.js, ported -----------------------------------

TEST(SocketIoParserPort, EncodesAConnection) {
  auto p = make(packet_type::connect, "/woot", json{{"token", "123"}});
  auto out = encode(p);
  EXPECT_EQ(out.text, R"(0/woot,{"token":"123"})");
  EXPECT_EQ(decode(out.text), p);
}

TEST(SocketIoParserPort, EncodesADisconnection) {
  auto p = make(packet_type::disconnect, "/woot");
  auto out = encode(p);
  EXPECT_EQ(out.text, "1/woot,");
  EXPECT_EQ(decode(out.text), p);
}

TEST(SocketIoParserPort, EncodesAnEvent) {
  auto p = make(packet_type::event, "/", json::array({"a", 1, json::object()}));
  auto out = encode(p);
  EXPECT_EQ(out.text, R"(2["a",1,{}])");
  EXPECT_EQ(decode(out.text), p);
}

TEST(SocketIoParserPort, EncodesAnEventWithAnIntegerAsEventName) {
  auto p = make(packet_type::event, "/", json::array({1, "a", json::object()}));
  auto out = encode(p);
  EXPECT_EQ(out.text, R"(2[1,"a",{}])");
  auto back = decode(out.text);
  EXPECT_EQ(back, p);
  EXPECT_EQ(back.event_name(), "1");
}

TEST(SocketIoParserPort, EncodesAnEventWithAck) {
  auto p = make(packet_type::event, "/test", json::array({"a", 1, json::object()}), 1);
  auto out = encode(p);
  EXPECT_EQ(out.text, R"(2/test,1["a",1,{}])");
  EXPECT_EQ(decode(out.text), p);
}

TEST(SocketIoParserPort, EncodesAnAck) {
  auto p = make(packet_type::ack, "/", json::array({"a", 1, json::object()}), 123);
  auto out = encode(p);
  EXPECT_EQ(out.text, R"(3123["a",1,{}])");
  EXPECT_EQ(decode(out.text), p);
}

TEST(SocketIoParserPort, EncodesAConnectError) {
  auto p = make(packet_type::connect_error, "/", json("Unauthorized"));
  auto out = encode(p);
  EXPECT_EQ(out.text, R"(4"Unauthorized")");
  EXPECT_EQ(decode(out.text), p);
}

TEST(SocketIoParserPort, EncodesAConnectErrorWithAnObject) {
  auto p = make(packet_type::connect_error, "/", json{{"message", "Unauthorized"}});
  auto out = encode(p);
  EXPECT_EQ(out.text, R"(4{"message":"Unauthorized"})");
  EXPECT_EQ(decode(out.text), p);
}

// JavaScript throws on circular data; a C++ value cannot be circular, but it
// can be too deep to write.
TEST(SocketIoParserPort, RefusesToEncodeDataNestedTooDeep) {
  auto p = make(packet_type::event, "/", sio::test::nested_arrays(20, json("a")), 1);
  encoded out;
  auto st = sio::socketio::encode(p, out, 10);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error(), errc::value_too_deep);
}

TEST(SocketIoParserPort, DecodesABadBinaryPacket) {
  EXPECT_EQ(decode_error("5"), errc::invalid_attachment_count);
}

TEST(SocketIoParserPort, RejectsTooManyAttachments) {
  limits lim;
  lim.max_attachments = 2;
  EXPECT_EQ(decode_error(R"(53-["hello",{"_placeholder":true,"num":0},)"
                         R"({"_placeholder":true,"num":1},{"_placeholder":true,"num":2}])",
                         {}, lim),
            errc::too_many_attachments);
}

// "throw an error upon parsing error"
TEST(SocketIoParserPort, RejectsAConnectErrorWithUnterminatedJson) {
  EXPECT_EQ(decode_error(R"(442["some","data")"), errc::invalid_json);
}

TEST(SocketIoParserPort, RejectsAConnectWithAString) {
  EXPECT_EQ(decode_error(R"(0/admin,"invalid")"), errc::invalid_payload);
}

TEST(SocketIoParserPort, RejectsAConnectWithAnArray) {
  EXPECT_EQ(decode_error("0[]"), errc::invalid_payload);
}

TEST(SocketIoParserPort, RejectsADisconnectWithAPayload) {
  EXPECT_EQ(decode_error("1/admin,{}"), errc::invalid_payload);
}

TEST(SocketIoParserPort, RejectsAnEventWithUnterminatedJson) {
  EXPECT_EQ(decode_error(R"(2/admin,"invalid)"), errc::invalid_json);
}

TEST(SocketIoParserPort, RejectsAnEventWithAnObject) {
  EXPECT_EQ(decode_error("2/admin,{}"), errc::invalid_payload);
}

TEST(SocketIoParserPort, RejectsAnEventNamedByAnObject) {
  EXPECT_EQ(decode_error(R"(2[{"toString":"foo"}])"), errc::invalid_payload);
}

TEST(SocketIoParserPort, RejectsAnEventNamedByABoolean) {
  EXPECT_EQ(decode_error(R"(2[true,"foo"])"), errc::invalid_payload);
}

TEST(SocketIoParserPort, RejectsAnEventNamedByNull) {
  EXPECT_EQ(decode_error(R"(2[null,"bar"])"), errc::invalid_payload);
}

TEST(SocketIoParserPort, RejectsAnEventNamedConnect) {
  EXPECT_EQ(decode_error(R"(2["connect"])"), errc::reserved_event_name);
}

TEST(SocketIoParserPort, RejectsAnEventNamedDisconnect) {
  EXPECT_EQ(decode_error(R"(2["disconnect","123"])"), errc::reserved_event_name);
}

TEST(SocketIoParserPort, RejectsABinaryPacketWithoutAttachmentCount) {
  EXPECT_EQ(decode_error("5"), errc::invalid_attachment_count);
}

TEST(SocketIoParserPort, RejectsAnAttachmentCountWithoutDash) {
  EXPECT_EQ(decode_error("51"), errc::invalid_attachment_count);
}

TEST(SocketIoParserPort, RejectsANonNumericAttachmentCount) {
  EXPECT_EQ(decode_error("5a-"), errc::invalid_attachment_count);
}

TEST(SocketIoParserPort, RejectsAFractionalAttachmentCount) {
  EXPECT_EQ(decode_error("51.23-"), errc::invalid_attachment_count);
}

TEST(SocketIoParserPort, RejectsAnUnknownPacketType) {
  EXPECT_EQ(decode_error("999"), errc::unknown_socketio_packet_type);
}

TEST(SocketIoParserPort, ResumesDecodingAfterReset) {
  decoder d;
  auto first = d.feed_text(R"(51-["hello"])");
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->has_value());
  EXPECT_TRUE(d.pending());
  d.reset();
  EXPECT_FALSE(d.pending());
  auto second = d.feed_text(R"(2["hello"])");
  ASSERT_TRUE(second.ok());
  ASSERT_TRUE(second->has_value());
  EXPECT_EQ(**second, make(packet_type::event, "/", json::array({"hello"})));
}

// "should ensure that a packet is valid" (isPacketValid), through the decoder.
TEST(SocketIoParserPort, AcceptsAConnectWithoutPayload) {
  EXPECT_EQ(decode("0"), make(packet_type::connect, "/"));
}

// --- socket.io-parser test/buffer.js, ported -----------------------------------

TEST(SocketIoParserPort, EncodesABuffer) {
  auto p = make(packet_type::event, "/cool", json::array({"a", bin_of("abc")}), 23);
  auto out = encode(p);
  EXPECT_EQ(out.text, R"(51-/cool,23["a",{"_placeholder":true,"num":0}])");
  EXPECT_EQ(out.attachments, std::vector<sio::bytes>{"abc"});
  EXPECT_EQ(decode(out.text, out.attachments), p);
}

TEST(SocketIoParserPort, EncodesANestedBuffer) {
  auto p = make(packet_type::event, "/cool",
                json::array({"a", json{{"b", json::array({"c", bin_of("abc")})}}}), 23);
  auto out = encode(p);
  EXPECT_EQ(out.text, R"(51-/cool,23["a",{"b":["c",{"_placeholder":true,"num":0}]}])");
  EXPECT_EQ(decode(out.text, out.attachments), p);
}

TEST(SocketIoParserPort, EncodesABinaryAckWithABuffer) {
  auto p = make(packet_type::ack, "/back", json::array({"a", bin_of("xxx"), json::object()}), 127);
  auto out = encode(p);
  EXPECT_EQ(out.text, R"(61-/back,127["a",{"_placeholder":true,"num":0},{}])");
  EXPECT_EQ(out.attachments, std::vector<sio::bytes>{"xxx"});
  EXPECT_EQ(decode(out.text, out.attachments), p);
}

TEST(SocketIoParserPort, RejectsAPlaceholderWithAStringNum) {
  EXPECT_EQ(decode_error(R"(51-["hello",{"_placeholder":true,"num":"splice"}])", {"world"}),
            errc::invalid_placeholder);
}

TEST(SocketIoParserPort, RejectsAPlaceholderWithAnOutOfBoundNum) {
  EXPECT_EQ(decode_error(R"(51-["hello",{"_placeholder":true,"num":1}])", {"world"}),
            errc::invalid_placeholder);
}

TEST(SocketIoParserPort, RejectsAnAttachmentWithoutHeader) {
  decoder d;
  auto r = d.feed_binary("world");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), errc::unexpected_binary);
}

TEST(SocketIoParserPort, RejectsTextWhileAttachmentsArePending) {
  decoder d;
  ASSERT_TRUE(d.feed_text(R"(51-["hello",{"_placeholder":true,"num":0}])").ok());
  auto r = d.feed_text(R"(2["hello"])");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), errc::unexpected_text);
}

// --- socket.io-parser test/arraybuffer.js and blob.js, ported -------------------

TEST(SocketIoParserPort, EncodesAnArrayBuffer) {
  auto p = make(packet_type::event, "/", json::array({"a", zeros(2)}), 0);
  auto out = encode(p);
  EXPECT_EQ(out.text, R"(51-0["a",{"_placeholder":true,"num":0}])");
  EXPECT_EQ(out.attachments, std::vector<sio::bytes>{raw({0, 0})});
  EXPECT_EQ(decode(out.text, out.attachments), p);
}

TEST(SocketIoParserPort, EncodesAnArrayBufferInsideAnObject) {
  auto p = make(packet_type::event, "/", json::array({"a", json{{"array", zeros(2)}}}), 0);
  auto out = encode(p);
  EXPECT_EQ(out.text, R"(51-0["a",{"array":{"_placeholder":true,"num":0}}])");
  EXPECT_EQ(decode(out.text, out.attachments), p);
}

TEST(SocketIoParserPort, EncodesATypedArray) {
  auto p = make(packet_type::event, "/", json::array({"a", bin({0, 1, 2, 3, 4})}), 0);
  auto out = encode(p);
  EXPECT_EQ(out.text, R"(51-0["a",{"_placeholder":true,"num":0}])");
  EXPECT_EQ(out.attachments, std::vector<sio::bytes>{raw({0, 1, 2, 3, 4})});
  EXPECT_EQ(decode(out.text, out.attachments), p);
}

TEST(SocketIoParserPort, EncodesArrayBuffersDeepInJson) {
  json data = json::array({"a", json{{"a", "hi"},
                                     {"b", json{{"why", zeros(3)}}},
                                     {"c", json{{"a", "bye"}, {"b", json{{"a", zeros(6)}}}}}}});
  auto p = make(packet_type::event, "/deep", data, 999);
  auto out = encode(p);
  EXPECT_EQ(out.text, R"(52-/deep,999["a",{"a":"hi","b":{"why":{"_placeholder":true,"num":0}},)"
                      R"("c":{"a":"bye","b":{"a":{"_placeholder":true,"num":1}}}}])");
  EXPECT_EQ(out.attachments, (std::vector<sio::bytes>{std::string(3, '\0'), std::string(6, '\0')}));
  EXPECT_EQ(decode(out.text, out.attachments), p);
}

TEST(SocketIoParserPort, EncodesDeepBinaryJsonWithNullValues) {
  json data =
      json::array({"a", json{{"a", "b"}, {"c", 4}, {"e", json{{"g", nullptr}}}, {"h", zeros(9)}}});
  auto p = make(packet_type::event, "/", data, 600);
  auto out = encode(p);
  EXPECT_EQ(out.text,
            R"(51-600["a",{"a":"b","c":4,"e":{"g":null},"h":{"_placeholder":true,"num":0}}])");
  EXPECT_EQ(decode(out.text, out.attachments), p);
}

TEST(SocketIoParserPort, DoesNotModifyTheInputPacket) {
  auto p = make(packet_type::event, "/", json::array({"a", bin({1, 2, 3}), bin({4, 5, 6})}));
  const auto copy = p;
  auto out = encode(p);
  EXPECT_EQ(p, copy);
  EXPECT_EQ(out.attachments, (std::vector<sio::bytes>{raw({1, 2, 3}), raw({4, 5, 6})}));
}

TEST(SocketIoParserPort, EncodesABlobDeepInJson) {
  auto p = make(packet_type::event, "/deep",
                json::array({"a", json{{"a", "hi"}, {"b", json{{"why", zeros(2)}}}, {"c", "bye"}}}),
                999);
  auto out = encode(p);
  EXPECT_EQ(out.text,
            R"(51-/deep,999["a",{"a":"hi","b":{"why":{"_placeholder":true,"num":0}},"c":"bye"}])");
  EXPECT_EQ(decode(out.text, out.attachments), p);
}

TEST(SocketIoParserPort, EncodesABinaryAckWithABlob) {
  auto p = make(
      packet_type::ack, "/deep",
      json::array({json{{"a", "hi ack"}, {"b", json{{"why", zeros(2)}}}, {"c", "bye ack"}}}), 999);
  auto out = encode(p);
  EXPECT_EQ(
      out.text,
      R"(61-/deep,999[{"a":"hi ack","b":{"why":{"_placeholder":true,"num":0}},"c":"bye ack"}])");
  EXPECT_EQ(decode(out.text, out.attachments), p);
}

// --- further malformed packets ---------------------------------------------------

TEST(SocketIoDecode, RejectsAnEmptyMessage) { EXPECT_EQ(decode_error(""), errc::empty_packet); }

TEST(SocketIoDecode, RejectsTypeSeven) {
  EXPECT_EQ(decode_error(R"(7["a"])"), errc::unknown_socketio_packet_type);
}

TEST(SocketIoDecode, RejectsALetterAsType) {
  EXPECT_EQ(decode_error(R"(a["a"])"), errc::unknown_socketio_packet_type);
}

TEST(SocketIoDecode, RejectsAnAckWithAString) {
  EXPECT_EQ(decode_error(R"(3/admin,"invalid")"), errc::invalid_payload);
}

TEST(SocketIoDecode, RejectsAnAckWithAnObject) {
  EXPECT_EQ(decode_error("31{}"), errc::invalid_payload);
}

TEST(SocketIoDecode, RejectsAConnectErrorWithAnArray) {
  EXPECT_EQ(decode_error("4/admin,[]"), errc::invalid_payload);
}

TEST(SocketIoDecode, RejectsAConnectErrorWithNull) {
  EXPECT_EQ(decode_error("4/admin,null"), errc::invalid_payload);
}

TEST(SocketIoDecode, RejectsABinaryEventWithoutAttachmentCount) {
  EXPECT_EQ(decode_error(R"(5/admin,"invalid")"), errc::invalid_attachment_count);
}

TEST(SocketIoDecode, RejectsALetterAttachmentCount) {
  EXPECT_EQ(decode_error("5abc-"), errc::invalid_attachment_count);
}

TEST(SocketIoDecode, RejectsAnEmptyAttachmentCount) {
  // Stricter than the reference, which reads "" as 0.
  EXPECT_EQ(decode_error(R"(5-["a"])"), errc::invalid_attachment_count);
  EXPECT_EQ(decode_error(R"(6-[])"), errc::invalid_attachment_count);
}

TEST(SocketIoDecode, RejectsAnAttachmentCountOverTheMaximum) {
  EXPECT_EQ(decode_error(R"(511-["a"])"), errc::too_many_attachments);
}

TEST(SocketIoDecode, AcceptsTheMaximumAttachmentCount) {
  decoder d;
  auto r = d.feed_text(R"(510-["a"])");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(d.pending());
}

TEST(SocketIoDecode, RejectsABillionDeclaredAttachments) {
  EXPECT_EQ(decode_error(R"(51000000000-["a"])"), errc::too_many_attachments);
}

TEST(SocketIoDecode, RejectsAThousandDigitAttachmentCount) {
  EXPECT_EQ(decode_error("5" + std::string(1000, '9') + "-[\"a\"]"), errc::too_many_attachments);
}

TEST(SocketIoDecode, RejectsAnEmptyEventArray) {
  EXPECT_EQ(decode_error("2[]"), errc::invalid_payload);
}

TEST(SocketIoDecode, RejectsAnEventNamedByAnArray) {
  EXPECT_EQ(decode_error(R"(2[["a"]])"), errc::invalid_payload);
}

TEST(SocketIoDecode, RejectsAnEventWithAScalar) {
  EXPECT_EQ(decode_error("2\"a\""), errc::invalid_payload);
  EXPECT_EQ(decode_error("2/admin,true"), errc::invalid_payload);
}

TEST(SocketIoDecode, RejectsEveryReservedEventName) {
  for (std::string name : {"connect", "connect_error", "disconnect", "disconnecting", "newListener",
                           "removeListener"}) {
    EXPECT_EQ(decode_error("2[\"" + name + "\"]"), errc::reserved_event_name) << name;
    EXPECT_EQ(decode_error("51-[\"" + name + "\",{\"_placeholder\":true,\"num\":0}]"),
              errc::reserved_event_name)
        << name;
  }
}

TEST(SocketIoDecode, AcceptsNamesThatOnlyResembleReservedOnes) {
  for (std::string name : {"Connect", "connect ", "disconnected", "newlistener", ""}) {
    auto p = decode("2[\"" + name + "\"]");
    EXPECT_EQ(p.event_name(), name);
  }
}

TEST(SocketIoDecode, AcceptsANumericEventName) {
  auto p = decode(R"(2[42,"x"])");
  EXPECT_EQ(p.event_name(), "42");
  EXPECT_EQ(decode("2[1.5]").event_name(), "1.5");
  EXPECT_EQ(decode("2[-3]").event_name(), "-3");
}

TEST(SocketIoDecode, AcceptsAnEventWithoutData) {
  // The reference checks the payload only when there is one.
  EXPECT_EQ(decode("2"), make(packet_type::event, "/"));
  EXPECT_EQ(decode("2/admin,7"), make(packet_type::event, "/admin", std::nullopt, 7));
}

TEST(SocketIoDecode, AcceptsAConnectErrorWithAString) {
  EXPECT_EQ(decode(R"(4/admin,"nope")"), make(packet_type::connect_error, "/admin", json("nope")));
}

TEST(SocketIoDecode, ReadsANamespaceThatRunsToTheEnd) {
  EXPECT_EQ(decode("1/admin"), make(packet_type::disconnect, "/admin"));
}

TEST(SocketIoDecode, ReadsANamespaceWithDigitsFollowedByAnAckId) {
  EXPECT_EQ(decode(R"(2/a1,23["x"])"), make(packet_type::event, "/a1", json::array({"x"}), 23));
}

TEST(SocketIoDecode, ReadsAnAckIdWithLeadingZeros) {
  EXPECT_EQ(decode(R"(3007["x"])"), make(packet_type::ack, "/", json::array({"x"}), 7));
}

TEST(SocketIoDecode, ReadsAnAckIdWithoutData) {
  EXPECT_EQ(decode("35"), make(packet_type::ack, "/", std::nullopt, 5));
}

TEST(SocketIoDecode, HonorsACustomDepthLimit) {
  limits lim;
  lim.max_depth = 3;
  decoder d(lim);
  auto ok = d.feed_text(R"(2["a",[[1]]])");
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok->has_value());
  EXPECT_EQ(decode_error(R"(2["a",[[[1]]]])", {}, lim), errc::json_too_deep);
}

TEST(SocketIoDecode, RejectsDataDeeperThanTheDefaultLimit) {
  std::string text = "2[\"a\"," + sio::test::repeat("[", 100) + sio::test::repeat("]", 101);
  EXPECT_EQ(decode_error(text), errc::json_too_deep);
}

TEST(SocketIoDecode, DecodesTheLastValueOfADuplicateKey) {
  EXPECT_EQ(data_text(decode(R"(0{"token":"a","token":"b"})")), R"({"token":"b"})");
}

// --- placeholders ----------------------------------------------------------------

TEST(SocketIoPlaceholder, RejectsANegativeNum) {
  EXPECT_EQ(decode_error(R"(51-["a",{"_placeholder":true,"num":-1}])", {"x"}),
            errc::invalid_placeholder);
}

TEST(SocketIoPlaceholder, RejectsAFractionalNum) {
  EXPECT_EQ(decode_error(R"(51-["a",{"_placeholder":true,"num":1.5}])", {"x"}),
            errc::invalid_placeholder);
  EXPECT_EQ(decode_error(R"(51-["a",{"_placeholder":true,"num":0.5}])", {"x"}),
            errc::invalid_placeholder);
}

TEST(SocketIoPlaceholder, RejectsANumBeyondTheAttachments) {
  EXPECT_EQ(decode_error(R"(51-["a",{"_placeholder":true,"num":99}])", {"x"}),
            errc::invalid_placeholder);
}

TEST(SocketIoPlaceholder, RejectsAHugeNum) {
  EXPECT_EQ(decode_error(R"(51-["a",{"_placeholder":true,"num":18446744073709551615}])", {"x"}),
            errc::invalid_placeholder);
  EXPECT_EQ(decode_error(R"(51-["a",{"_placeholder":true,"num":1e300}])", {"x"}),
            errc::invalid_placeholder);
}

TEST(SocketIoPlaceholder, RejectsANumAsString) {
  EXPECT_EQ(decode_error(R"(51-["a",{"_placeholder":true,"num":"0"}])", {"x"}),
            errc::invalid_placeholder);
}

TEST(SocketIoPlaceholder, RejectsAMissingNum) {
  EXPECT_EQ(decode_error(R"(51-["a",{"_placeholder":true}])", {"x"}), errc::invalid_placeholder);
}

TEST(SocketIoPlaceholder, RejectsANullOrBooleanNum) {
  EXPECT_EQ(decode_error(R"(51-["a",{"_placeholder":true,"num":null}])", {"x"}),
            errc::invalid_placeholder);
  EXPECT_EQ(decode_error(R"(51-["a",{"_placeholder":true,"num":true}])", {"x"}),
            errc::invalid_placeholder);
}

TEST(SocketIoPlaceholder, RejectsAPlaceholderInAPacketWithoutAttachments) {
  // The count of 0 is refused first, as socket.io-parser 4.2.7 does.
  EXPECT_EQ(decode_error(R"(50-["a",{"_placeholder":true,"num":0}])"),
            errc::invalid_attachment_count);
  EXPECT_EQ(decode_error(R"(51-["a",{"_placeholder":true,"num":1}])", {"x"}),
            errc::invalid_placeholder);
}

TEST(SocketIoPlaceholder, LeavesAnObjectWhoseFlagIsNotTrueAlone) {
  auto p = decode(R"(51-["a",{"_placeholder":false,"num":0},{"_placeholder":"true","num":0},)"
                  R"({"_placeholder":1,"num":0}])",
                  {"x"});
  EXPECT_EQ(data_text(p), R"(["a",{"_placeholder":false,"num":0},{"_placeholder":"true","num":0},)"
                          R"({"_placeholder":1,"num":0}])");
}

TEST(SocketIoPlaceholder, LeavesPlaceholdersOfNonBinaryPacketsInPlace) {
  auto p = decode(R"(2["a",{"_placeholder":true,"num":0}])");
  EXPECT_EQ(data_text(p), R"(["a",{"_placeholder":true,"num":0}])");
}

TEST(SocketIoPlaceholder, ReplacesPlaceholdersInAnyOrderAndDepth) {
  auto p = decode(R"(52-["a",{"x":[{"_placeholder":true,"num":1}]},{"_placeholder":true,"num":0}])",
                  {"\x01", "\x02\x03"});
  EXPECT_EQ(data_text(p),
            R"(["a",{"x":[{"type":"Buffer","data":[2,3]}]},{"type":"Buffer","data":[1]}])");
}

TEST(SocketIoPlaceholder, ReplacesAPlaceholderWithExtraKeys) {
  auto p = decode(R"(51-["a",{"num":0,"extra":1,"_placeholder":true}])", {"\x09"});
  EXPECT_EQ(data_text(p), R"(["a",{"type":"Buffer","data":[9]}])");
}

TEST(SocketIoPlaceholder, ReconstructReplacesPlaceholdersInPlace) {
  json data = json::array({"a", json{{"_placeholder", true}, {"num", 0}}});
  std::vector<sio::bytes> attachments = {"\x05"};
  ASSERT_TRUE(sio::socketio::reconstruct(data, attachments).ok());
  EXPECT_EQ(data, json::array({"a", bin({5})}));
}

TEST(SocketIoPlaceholder, ReconstructHandlesAPlaceholderAtTheRoot) {
  json data = json{{"_placeholder", true}, {"num", 0}};
  std::vector<sio::bytes> attachments = {"\x05"};
  ASSERT_TRUE(sio::socketio::reconstruct(data, attachments).ok());
  EXPECT_EQ(data, bin({5}));
}

TEST(SocketIoPlaceholder, ReconstructHandlesDeepDataWithoutRecursing) {
  json data = sio::test::nested_arrays(100000, json{{"_placeholder", true}, {"num", 0}});
  std::vector<sio::bytes> attachments = {"\x05"};
  ASSERT_TRUE(sio::socketio::reconstruct(data, attachments).ok());
  const json* node = &data;
  while (node->is_array()) node = &node->front();
  EXPECT_TRUE(node->is_binary());
}

// --- headers --------------------------------------------------------------------

TEST(SocketIoHeader, ReadsTypeNamespaceIdAndBody) {
  auto h = decode_header(R"(2/chat,7["msg"])");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->type, packet_type::event);
  EXPECT_EQ(h->nsp, "/chat");
  EXPECT_EQ(h->id, 7u);
  EXPECT_EQ(h->body, R"(["msg"])");
  EXPECT_EQ(h->attachments, 0u);
}

TEST(SocketIoHeader, DefaultsToTheMainNamespaceAndNoId) {
  auto h = decode_header(R"(2["msg"])");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->nsp, "/");
  EXPECT_FALSE(h->id.has_value());
  EXPECT_EQ(h->body, R"(["msg"])");
}

TEST(SocketIoHeader, ReadsTheAttachmentCountOfABinaryPacket) {
  auto h = decode_header(R"(52-/admin,12["baz",1])");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->type, packet_type::binary_event);
  EXPECT_EQ(h->attachments, 2u);
  EXPECT_EQ(h->nsp, "/admin");
  EXPECT_EQ(h->id, 12u);
  EXPECT_EQ(h->body, R"(["baz",1])");
}

TEST(SocketIoHeader, DoesNotParseTheBody) {
  auto h = decode_header(R"(2/chat,["unterminated)");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->body, R"(["unterminated)");
}

TEST(SocketIoHeader, BorrowsFromTheInput) {
  std::string text = R"(2/chat,7["msg"])";
  auto h = decode_header(text);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->nsp.data(), text.data() + 1);
  EXPECT_EQ(h->body.data(), text.data() + 8);
}

TEST(SocketIoHeader, HasAnEmptyBodyWithoutData) {
  auto h = decode_header("1/admin,");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->nsp, "/admin");
  EXPECT_TRUE(h->body.empty());
}

TEST(SocketIoHeader, AcceptsTheLargestSafeAckId) {
  auto h = decode_header(R"(29007199254740991["a"])");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->id, 9007199254740991u);
  EXPECT_EQ(h->id, sio::socketio::max_ack_id);
  EXPECT_EQ(h->body, R"(["a"])");
}

TEST(SocketIoHeader, RejectsTheFirstUnsafeAckId) {
  EXPECT_EQ(error_of(decode_header(R"(29007199254740992["a"])")), errc::invalid_ack_id);
}

TEST(SocketIoHeader, RejectsAThousandDigitAckId) {
  EXPECT_EQ(error_of(decode_header("3" + std::string(1000, '1') + "[]")), errc::invalid_ack_id);
}

TEST(SocketIoHeader, RejectsAnAckIdBeyond64Bits) {
  EXPECT_EQ(error_of(decode_header("318446744073709551616[]")), errc::invalid_ack_id);
  EXPECT_EQ(error_of(decode_header("399999999999999999999[]")), errc::invalid_ack_id);
}

TEST(SocketIoHeader, RejectsABillionAttachments) {
  EXPECT_EQ(error_of(decode_header(R"(51000000000-["a"])")), errc::too_many_attachments);
}

TEST(SocketIoHeader, HonorsACustomAttachmentLimit) {
  limits lim;
  lim.max_attachments = 2;
  EXPECT_TRUE(decode_header("52-[]", lim).ok());
  EXPECT_EQ(error_of(decode_header("53-[]", lim)), errc::too_many_attachments);
}

TEST(SocketIoHeader, RejectsAnEmptyMessage) {
  EXPECT_EQ(error_of(decode_header("")), errc::empty_packet);
}

// Every prefix of valid packet texts either decodes or fails with a typed error.
TEST(SocketIoHeader, DecodesEveryPrefixOfAValidPacketOrFails) {
  for (std::string text :
       {R"(52-/admin,12["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])",
        R"(3/admin,13["bar"])", R"(0/admin,{"sid":"oSO0OpakMV_3jnilAAAA"})",
        R"(29007199254740991["a"])", "1/admin,"}) {
    for (std::size_t k = 0; k <= text.size(); ++k) {
      auto prefix = std::string_view(text).substr(0, k);
      SCOPED_TRACE(std::string(prefix));
      auto h = decode_header(prefix);
      if (!h.ok()) {
        EXPECT_TRUE(h.error() == errc::empty_packet || h.error() == errc::invalid_attachment_count)
            << to_string(h.error());
        continue;
      }
      EXPECT_EQ(static_cast<char>('0' + static_cast<int>(h->type)), text[0]);
      // The body, if any, is a suffix of the prefix.
      EXPECT_EQ(prefix.substr(prefix.size() - h->body.size()), h->body);
      auto p = decode_body(*h);
      if (!p.ok()) {
        EXPECT_TRUE(p.error() == errc::invalid_json || p.error() == errc::invalid_payload)
            << to_string(p.error());
      }
      decoder d;
      auto r = d.feed_text(prefix);  // must not crash, whatever it returns
      if (r.ok() && !r->has_value()) {
        EXPECT_TRUE(d.pending());
      }
    }
  }
}

// --- the decoder's state and bounds -------------------------------------------------

TEST(SocketIoDecoder, WaitsForEveryAttachmentOfABinaryEvent) {
  decoder d;
  auto r = d.feed_text(R"(53-/files,4["upload",{"_placeholder":true,"num":0},)"
                       R"({"_placeholder":true,"num":1},{"_placeholder":true,"num":2}])");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
  EXPECT_TRUE(d.pending());

  r = d.feed_binary("a");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
  EXPECT_TRUE(d.pending());

  r = d.feed_binary("bb");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
  EXPECT_TRUE(d.pending());

  r = d.feed_binary("ccc");
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->has_value());
  EXPECT_FALSE(d.pending());
  EXPECT_EQ(**r, make(packet_type::event, "/files",
                      json::array({"upload", bin_of("a"), bin_of("bb"), bin_of("ccc")}), 4));
}

TEST(SocketIoDecoder, RefusesTextAtEveryStepWhileAttachmentsArePending) {
  for (std::size_t received = 0; received < 3; ++received) {
    decoder d;
    ASSERT_TRUE(d.feed_text(R"(53-["upload",{"_placeholder":true,"num":0},)"
                            R"({"_placeholder":true,"num":1},{"_placeholder":true,"num":2}])")
                    .ok());
    for (std::size_t i = 0; i < received; ++i) ASSERT_TRUE(d.feed_binary("x").ok());
    auto r = d.feed_text(R"(2["hello"])");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), errc::unexpected_text);
  }
}

TEST(SocketIoDecoder, RefusesBinaryWithNothingPending) {
  decoder d;
  auto r = d.feed_binary("x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), errc::unexpected_binary);
}

TEST(SocketIoDecoder, RefusesBinaryAfterTheLastAttachment) {
  decoder d;
  ASSERT_TRUE(d.feed_text(R"(51-["a",{"_placeholder":true,"num":0}])").ok());
  auto done = d.feed_binary("x");
  ASSERT_TRUE(done.ok());
  ASSERT_TRUE(done->has_value());
  auto extra = d.feed_binary("y");
  ASSERT_FALSE(extra.ok());
  EXPECT_EQ(extra.error(), errc::unexpected_binary);
}

TEST(SocketIoDecoder, RefusesBinaryAfterATextPacket) {
  decoder d;
  ASSERT_TRUE(d.feed_text(R"(2["a"])").ok());
  EXPECT_EQ(error_of(d.feed_binary("x")), errc::unexpected_binary);
}

// socket.io-parser 4.2.7 throws "Illegal attachments" for a count below one.
TEST(SocketIoDecoder, RefusesABinaryPacketThatDeclaresNoAttachments) {
  EXPECT_EQ(decode_error(R"(50-["a"])"), errc::invalid_attachment_count);
  EXPECT_EQ(decode_error(R"(50-["echo",1])"), errc::invalid_attachment_count);
  EXPECT_EQ(decode_error("60-/admin,3"), errc::invalid_attachment_count);
  EXPECT_EQ(decode_error("500-[\"a\"]"), errc::invalid_attachment_count);
}

TEST(SocketIoDecoder, DecodesTextAfterACompletedBinaryPacket) {
  decoder d;
  ASSERT_TRUE(d.feed_text(R"(51-["a",{"_placeholder":true,"num":0}])").ok());
  ASSERT_TRUE(d.feed_binary("x").ok());
  auto r = d.feed_text(R"(2["b"])");
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ(**r, make(packet_type::event, "/", json::array({"b"})));
}

TEST(SocketIoDecoder, StaysUsableAfterARejectedPacket) {
  decoder d;
  EXPECT_FALSE(d.feed_text(R"(2["connect"])").ok());
  EXPECT_FALSE(d.pending());
  auto r = d.feed_text(R"(2["b"])");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->has_value());
}

TEST(SocketIoDecoder, DropsThePendingPacketWhenAPlaceholderIsInvalid) {
  decoder d;
  ASSERT_TRUE(d.feed_text(R"(51-["a",{"_placeholder":true,"num":5}])").ok());
  auto r = d.feed_binary("x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), errc::invalid_placeholder);
  EXPECT_FALSE(d.pending());
  auto next = d.feed_text(R"(2["b"])");
  ASSERT_TRUE(next.ok());
  EXPECT_TRUE(next->has_value());
}

TEST(SocketIoDecoder, AcceptsATextOfExactlyMaxPacketBytes) {
  limits lim;
  lim.max_packet_bytes = 10;
  decoder d(lim);
  auto r = d.feed_text(R"(2["abcde"])");  // 10 bytes
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->has_value());
}

TEST(SocketIoDecoder, RejectsATextOverMaxPacketBytes) {
  limits lim;
  lim.max_packet_bytes = 10;
  decoder d(lim);
  auto r = d.feed_text(R"(2["abcdef"])");  // 11 bytes
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), errc::too_large);
}

TEST(SocketIoDecoder, AcceptsTextPlusAttachmentsOfExactlyMaxPacketBytes) {
  const std::string text =
      R"(52-["a",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])";
  limits lim;
  lim.max_packet_bytes = text.size() + 10;
  decoder d(lim);
  ASSERT_TRUE(d.feed_text(text).ok());
  ASSERT_TRUE(d.feed_binary(std::string(4, 'x')).ok());
  auto r = d.feed_binary(std::string(6, 'y'));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->has_value());
}

TEST(SocketIoDecoder, RejectsTextPlusAttachmentsOverMaxPacketBytes) {
  const std::string text =
      R"(52-["a",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])";
  limits lim;
  lim.max_packet_bytes = text.size() + 10;
  decoder d(lim);
  ASSERT_TRUE(d.feed_text(text).ok());
  ASSERT_TRUE(d.feed_binary(std::string(4, 'x')).ok());
  auto r = d.feed_binary(std::string(7, 'y'));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), errc::too_large);
  EXPECT_FALSE(d.pending());
}

TEST(SocketIoDecoder, RejectsASingleAttachmentOverMaxPacketBytes) {
  limits lim;
  lim.max_packet_bytes = 100;
  decoder d(lim);
  ASSERT_TRUE(d.feed_text(R"(51-["a",{"_placeholder":true,"num":0}])").ok());
  EXPECT_EQ(error_of(d.feed_binary(std::string(100, 'x'))), errc::too_large);
  EXPECT_FALSE(d.pending());
}

TEST(SocketIoDecoder, CountsBytesPerPacket) {
  const std::string text = R"(51-["a",{"_placeholder":true,"num":0}])";
  limits lim;
  lim.max_packet_bytes = text.size() + 5;
  decoder d(lim);
  for (int round = 0; round < 3; ++round) {
    ASSERT_TRUE(d.feed_text(text).ok());
    auto r = d.feed_binary(std::string(5, 'x'));
    ASSERT_TRUE(r.ok()) << "round " << round;
    EXPECT_TRUE(r->has_value());
  }
}

TEST(SocketIoDecoder, HasTheReferenceDefaultLimits) {
  limits lim;
  EXPECT_EQ(lim.max_attachments, 10u);
  EXPECT_EQ(lim.max_depth, 100u);
  EXPECT_EQ(lim.max_packet_bytes, 1000000u);
}

// --- encoding details -------------------------------------------------------------

// socket.io-parser 4.2.7 refuses a declared count of 0, so such a packet
// goes out as the plain type.
TEST(SocketIoEncode, WritesABinaryTypeWithoutBinaryDataAsThePlainType) {
  auto out = encode(make(packet_type::binary_event, "/", json::array({"a"})));
  EXPECT_EQ(out.text, R"(2["a"])");
  EXPECT_TRUE(out.attachments.empty());
  auto ack = encode(make(packet_type::binary_ack, "/admin", json::array({"a"}), 3));
  EXPECT_EQ(ack.text, R"(3/admin,3["a"])");
}

TEST(SocketIoEncode, PutsTheAttachmentCountBeforeNamespaceAndId) {
  auto out = encode(make(packet_type::event, "/admin", json::array({"a", bin({1})}), 7));
  EXPECT_EQ(out.text, R"(51-/admin,7["a",{"_placeholder":true,"num":0}])");
}

TEST(SocketIoEncode, CountsMoreThanNineAttachments) {
  json data = json::array({"a"});
  for (int i = 0; i < 12; ++i) data.push_back(bin({static_cast<std::uint8_t>(i)}));
  auto out = encode(make(packet_type::event, "/", data));
  EXPECT_EQ(out.text.substr(0, 4), "512-");
  EXPECT_EQ(out.attachments.size(), 12u);
  EXPECT_EQ(out.attachments[11], raw({11}));
}

TEST(SocketIoEncode, WritesBinaryInAConnectAsANodeBuffer) {
  auto out = encode(make(packet_type::connect, "/", json{{"key", bin({1, 2})}}));
  EXPECT_EQ(out.text, R"(0{"key":{"type":"Buffer","data":[1,2]}})");
  EXPECT_TRUE(out.attachments.empty());
}

TEST(SocketIoEncode, WritesBinaryInAConnectErrorAsANodeBuffer) {
  auto out = encode(make(packet_type::connect_error, "/", json{{"data", bin({3})}}));
  EXPECT_EQ(out.text, R"(4{"data":{"type":"Buffer","data":[3]}})");
  EXPECT_TRUE(out.attachments.empty());
}

TEST(SocketIoEncode, TreatsAnEmptyNamespaceAsTheMainOne) {
  EXPECT_EQ(encode(make(packet_type::event, "", json::array({"a"}))).text, R"(2["a"])");
}

TEST(SocketIoEncode, WritesAnAckIdWithoutData) {
  EXPECT_EQ(encode(make(packet_type::ack, "/x", std::nullopt, 0)).text, "3/x,0");
}

TEST(SocketIoEncode, WritesTheLargestAckId) {
  EXPECT_EQ(encode(make(packet_type::ack, "/", json::array(), sio::socketio::max_ack_id)).text,
            "39007199254740991[]");
}

TEST(SocketIoEncode, ReplacesThePreviousOutput) {
  encoded out;
  ASSERT_TRUE(
      sio::socketio::encode(make(packet_type::event, "/", json::array({"a", bin({1})})), out).ok());
  ASSERT_TRUE(sio::socketio::encode(make(packet_type::event, "/", json::array({"b"})), out).ok());
  EXPECT_EQ(out.text, R"(2["b"])");
  EXPECT_TRUE(out.attachments.empty());
}

TEST(SocketIoEncode, EscapesStringsAsJsonStringify) {
  auto out = encode(make(packet_type::event, "/", json::array({"a\x1e\"\n\xe2\x80\xa8"})));
  EXPECT_EQ(out.text, "2[\"a\\u001e\\\"\\n\xe2\x80\xa8\"]");
}

// --- names ---------------------------------------------------------------------------

TEST(SocketIoPacketType, HasTheReferenceNames) {
  EXPECT_EQ(to_string(packet_type::connect), "CONNECT");
  EXPECT_EQ(to_string(packet_type::disconnect), "DISCONNECT");
  EXPECT_EQ(to_string(packet_type::event), "EVENT");
  EXPECT_EQ(to_string(packet_type::ack), "ACK");
  EXPECT_EQ(to_string(packet_type::connect_error), "CONNECT_ERROR");
  EXPECT_EQ(to_string(packet_type::binary_event), "BINARY_EVENT");
  EXPECT_EQ(to_string(packet_type::binary_ack), "BINARY_ACK");
}

TEST(SocketIoPacketType, HasTheSpecNumbers) {
  EXPECT_EQ(static_cast<int>(packet_type::connect), 0);
  EXPECT_EQ(static_cast<int>(packet_type::disconnect), 1);
  EXPECT_EQ(static_cast<int>(packet_type::event), 2);
  EXPECT_EQ(static_cast<int>(packet_type::ack), 3);
  EXPECT_EQ(static_cast<int>(packet_type::connect_error), 4);
  EXPECT_EQ(static_cast<int>(packet_type::binary_event), 5);
  EXPECT_EQ(static_cast<int>(packet_type::binary_ack), 6);
}

TEST(SocketIoProtocol, IsVersionFive) { EXPECT_EQ(sio::socketio::protocol_version, 5); }

TEST(SocketIoPacket, NamesAnEventByItsFirstString) {
  EXPECT_EQ(make(packet_type::event, "/", json::array({"hey", "Jude"})).event_name(), "hey");
}

TEST(SocketIoPacket, HasNoEventNameWithoutData) {
  EXPECT_EQ(make(packet_type::event, "/").event_name(), "");
  EXPECT_EQ(make(packet_type::event, "/", json::array()).event_name(), "");
  EXPECT_EQ(make(packet_type::event, "/", json::array({true})).event_name(), "");
}

TEST(SocketIoPacket, DefaultsToAnEventInTheMainNamespace) {
  packet p;
  EXPECT_EQ(p.type, packet_type::event);
  EXPECT_EQ(p.nsp, "/");
  EXPECT_FALSE(p.id.has_value());
  EXPECT_FALSE(p.data.has_value());
}

TEST(Errc, HasStableNumbers) {
  EXPECT_EQ(static_cast<int>(errc::empty_packet), 1);
  EXPECT_EQ(static_cast<int>(errc::unknown_engineio_packet_type), 2);
  EXPECT_EQ(static_cast<int>(errc::invalid_base64), 3);
  EXPECT_EQ(static_cast<int>(errc::too_large), 4);
  EXPECT_EQ(static_cast<int>(errc::unknown_socketio_packet_type), 5);
  EXPECT_EQ(static_cast<int>(errc::invalid_attachment_count), 6);
  EXPECT_EQ(static_cast<int>(errc::too_many_attachments), 7);
  EXPECT_EQ(static_cast<int>(errc::invalid_ack_id), 8);
  EXPECT_EQ(static_cast<int>(errc::invalid_json), 9);
  EXPECT_EQ(static_cast<int>(errc::json_too_deep), 10);
  EXPECT_EQ(static_cast<int>(errc::invalid_payload), 11);
  EXPECT_EQ(static_cast<int>(errc::reserved_event_name), 12);
  EXPECT_EQ(static_cast<int>(errc::invalid_placeholder), 13);
  EXPECT_EQ(static_cast<int>(errc::unexpected_text), 14);
  EXPECT_EQ(static_cast<int>(errc::unexpected_binary), 15);
  EXPECT_EQ(static_cast<int>(errc::value_too_deep), 16);
  EXPECT_EQ(static_cast<int>(errc::invalid_handshake), 17);
}

TEST(Errc, HasADistinctDescriptionForEveryCode) {
  std::vector<std::string_view> seen;
  const int last = static_cast<int>(errc::websocket_invalid_compressed);
  for (int i = 1; i <= last; ++i) {
    auto text = to_string(static_cast<errc>(i));
    EXPECT_FALSE(text.empty());
    EXPECT_NE(text, "unknown error") << i;
    for (auto other : seen) EXPECT_NE(text, other) << i;
    seen.push_back(text);
  }
  EXPECT_EQ(to_string(errc::invalid_ack_id), "invalid ack id");
}

}  // namespace
