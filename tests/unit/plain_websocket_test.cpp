// The translation between plain WebSocket frames and the Engine.IO packets of
// a Socket.IO socket, exact both ways.
#include <gtest/gtest.h>

#include "sio/protocol/plain_websocket.hpp"

namespace plain = sio::plain_websocket;
using kind = plain::outbound::kind;

TEST(PlainWebSocketInbound, ConnectsToTheMainOrANamedNamespace) {
  EXPECT_EQ(plain::connect_packet("/"), "40");
  EXPECT_EQ(plain::connect_packet("/chat"), "40/chat,");
}

TEST(PlainWebSocketInbound, TextFrameIsTheMessageEventWithTheTextEscaped) {
  EXPECT_EQ(plain::text_event("/", "hello"), R"(42["message","hello"])");
  EXPECT_EQ(plain::text_event("/chat", "a\"b\\c\n\x01"),
            R"(42/chat,["message","a\"b\\c\n\u0001"])");
  EXPECT_EQ(plain::text_event("/", "서버"), "42[\"message\",\"서버\"]");
  EXPECT_EQ(plain::text_event("/", ""), R"(42["message",""])");
}

TEST(PlainWebSocketInbound, BinaryFrameIsTheMessageEventWithOneAttachment) {
  EXPECT_EQ(plain::binary_event("/"), R"(451-["message",{"_placeholder":true,"num":0}])");
  EXPECT_EQ(plain::binary_event("/x"), R"(451-/x,["message",{"_placeholder":true,"num":0}])");
}

TEST(PlainWebSocketOutbound, MessageWithAStringIsThatText) {
  auto out = plain::translate(R"(42["message","hi \"there\""])");
  EXPECT_EQ(out.what, kind::text);
  EXPECT_EQ(out.payload, "hi \"there\"");
  out = plain::translate(R"(42/chat,17["message","acked"])");
  EXPECT_EQ(out.what, kind::text);
  EXPECT_EQ(out.payload, "acked");
}

TEST(PlainWebSocketOutbound, MessageWithAnotherValueIsItsJson) {
  auto out = plain::translate(R"(42["message",{"user":"ana","n":[1,2]}])");
  EXPECT_EQ(out.what, kind::text);
  EXPECT_EQ(out.payload, R"({"user":"ana","n":[1,2]})");
  EXPECT_EQ(plain::translate(R"(42["message",3])").payload, "3");
  EXPECT_EQ(plain::translate(R"(42["message",null])").payload, "null");
}

TEST(PlainWebSocketOutbound, MessageWithOneBinaryIsTheAttachmentAlone) {
  auto out = plain::translate(R"(451-["message",{"_placeholder":true,"num":0}])");
  EXPECT_EQ(out.what, kind::binary);
  EXPECT_TRUE(out.payload.empty());
}

TEST(PlainWebSocketOutbound, OtherEventsAndSeveralArgumentsAreTheArray) {
  EXPECT_EQ(plain::translate(R"(42/chat,["roomData",{"room":"a"}])").payload,
            R"(["roomData",{"room":"a"}])");
  EXPECT_EQ(plain::translate(R"(42["message","a","b"])").payload, R"(["message","a","b"])");
  EXPECT_EQ(plain::translate(R"(42["message"])").payload, R"(["message"])");
  constexpr std::string_view pair =
      R"(["pair",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])";
  auto out = plain::translate("452-" + std::string(pair));
  EXPECT_EQ(out.what, kind::text);
  EXPECT_EQ(out.payload, pair);
}

TEST(PlainWebSocketOutbound, ConnectSaysTheSocketIsConnectedAndSendsNothing) {
  EXPECT_EQ(plain::translate("40").what, kind::connected);
  EXPECT_EQ(plain::translate(R"(40/chat,{"sid":"y"})").what, kind::connected);
  EXPECT_TRUE(plain::translate("40").payload.empty());
}

TEST(PlainWebSocketOutbound, PingIsAWebSocketPing) {
  EXPECT_EQ(plain::translate("2").what, kind::ping);
}

TEST(PlainWebSocketOutbound, DisconnectClosesNormallyAndConnectErrorWithPolicyViolation) {
  auto out = plain::translate("41");
  EXPECT_EQ(out.what, kind::close);
  EXPECT_EQ(out.code, 1000);
  out = plain::translate(R"(44/admin,{"message":"not authorized","data":{"x":1}})");
  EXPECT_EQ(out.what, kind::close);
  EXPECT_EQ(out.code, 1008);
  EXPECT_EQ(out.payload, "not authorized");
  EXPECT_EQ(plain::translate("1").code, 1000);
}

TEST(PlainWebSocketOutbound, EngineAndSocketIoBookkeepingIsDropped) {
  for (const char* packet : {"0{\"sid\":\"x\"}", "3", "6", "43[\"ok\"]",
                             "461-[{\"_placeholder\":true,\"num\":0}]", "", "4", "49", "x"})
    EXPECT_EQ(plain::translate(packet).what, kind::drop) << packet;
}

TEST(PlainWebSocketOutbound, BrokenMessageJsonGoesOutAsItIs) {
  // Our own encoder never writes this; if it did, the client sees the text.
  auto out = plain::translate(R"(42["message",)");
  EXPECT_EQ(out.what, kind::text);
  EXPECT_EQ(out.payload, R"(["message",)");
}
