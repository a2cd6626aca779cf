// The classic @socket.io/redis-adapter wire format: bytes as the Node
// packages write them, and malformed input that must be refused quietly.
#include "sio/protocol/cluster_wire.hpp"

#include <gtest/gtest.h>

namespace sio::cluster_wire {
namespace {

std::string hex(std::string_view h) {
  std::string out;
  for (std::size_t i = 0; i + 1 < h.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  return out;
}

// io.to("r").emit("msg", "hi") from a Node node, as captured (59 bytes).
const std::string node_sample = hex(
    "93a65f49705a447a83a474797065"
    "02a46461746192a36d7367a26869a36e7370a12f"
    "83a5726f6f6d7391a172a6657863657074"
    "90a5666c61677380");

TEST(ClusterWire, ReadsANodeBroadcast) {
  ASSERT_EQ(node_sample.size(), 59u);
  auto m = decode_broadcast(node_sample, "/");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->uid, "_IpZDz");
  EXPECT_EQ(m->packet.event, "msg");
  ASSERT_EQ(m->packet.arguments.size(), 1u);
  EXPECT_EQ(m->packet.arguments[0], "hi");
  EXPECT_EQ(m->opts.rooms, std::vector<std::string>{"r"});
  EXPECT_TRUE(m->opts.except.empty());
  EXPECT_FALSE(decode_broadcast(node_sample, "/other"));
}

TEST(ClusterWire, WritesWhatNodeWrites) {
  EXPECT_EQ(encode_broadcast("_IpZDz", "/", "msg", {json("hi")}, {"r"}, {}), node_sample);
}

TEST(ClusterWire, KeepsIntsFloatsAndBinaryApart) {
  json::binary_t bin({1, 2, 3});
  auto bytes = encode_broadcast("abcdef", "/", "e", {json(42), json(1.5), json(bin)}, {}, {"x"});
  EXPECT_NE(bytes.find(hex("c403010203")), std::string::npos);  // msgpack bin 8
  auto m = decode_broadcast(bytes, "/");
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->packet.arguments[0].is_number_integer());
  EXPECT_TRUE(m->packet.arguments[1].is_number_float());
  ASSERT_TRUE(m->packet.arguments[2].is_binary());
  EXPECT_EQ(m->packet.arguments[2].get_binary(), bin);
  EXPECT_EQ(m->opts.except, std::vector<std::string>{"x"});
}

TEST(ClusterWire, ReadsTheEmittersFieldOrderAndNumericRooms) {
  json message = json::array(
      {"emitter", {{"type", 2}, {"data", {"msg", "yo"}}, {"nsp", "/"}},
       {{"rooms", {7}}, {"flags", json::object()}, {"except", json::array()}}});
  auto m = decode_broadcast(encode_msgpack(message), "/");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->uid, "emitter");
  EXPECT_EQ(m->opts.rooms, std::vector<std::string>{"7"});
}

TEST(ClusterWire, RefusesMalformedMessages) {
  EXPECT_FALSE(decode_broadcast("", "/"));
  EXPECT_FALSE(decode_broadcast("garbage", "/"));
  EXPECT_FALSE(decode_broadcast(hex("93a161"), "/"));  // truncated
  EXPECT_FALSE(decode_broadcast(node_sample + "x", "/"));  // trailing bytes
  // Wrong types: the event name is a number, rooms is a string.
  EXPECT_FALSE(decode_broadcast(
      encode_msgpack(json::array({"u", {{"type", 2}, {"data", {1}}}, json::object()})), "/"));
  EXPECT_FALSE(decode_broadcast(
      encode_msgpack(json::array({"u", {{"type", 2}, {"data", {"e"}}}, {{"rooms", "r"}}})), "/"));
  // An array header claiming 4 billion elements, and nesting 100000 deep.
  EXPECT_FALSE(decode_msgpack(hex("ddffffffff01")));
  EXPECT_FALSE(decode_msgpack(std::string(100000, '\x91')));
}

TEST(ClusterWire, ReadsRequestsInJsonAndMsgpack) {
  auto j = decode_message(R"({"type":3,"opts":{"rooms":["r"],"except":[]},"rooms":["j"]})");
  ASSERT_TRUE(j);
  EXPECT_EQ((*j)["type"], 3);
  auto m = decode_message(encode_msgpack({{"type", 9}, {"requestId", "abc"}}));
  ASSERT_TRUE(m);
  EXPECT_EQ((*m)["requestId"], "abc");
  EXPECT_FALSE(decode_message("[1]"));
  EXPECT_FALSE(decode_message("{not json"));
}

TEST(ClusterWire, NamesChannelsAsTheAdapterDoes) {
  EXPECT_EQ(broadcast_channel("socket.io", "/"), "socket.io#/#");
  EXPECT_EQ(room_channel("socket.io", "/", "r"), "socket.io#/#r#");
  EXPECT_EQ(broadcast_pattern("k", "/a"), "k#/a#*");
  EXPECT_EQ(request_channel("socket.io", "/"), "socket.io-request#/#");
  EXPECT_EQ(response_channel("socket.io", "/"), "socket.io-response#/#");
  EXPECT_EQ(response_channel("socket.io", "/", "abc123"), "socket.io-response#/#abc123#");
  EXPECT_EQ(room_of_channel("socket.io#/#r#", "socket.io", "/"), "r");
  EXPECT_EQ(room_of_channel("socket.io#/#", "socket.io", "/"), "");
  EXPECT_FALSE(room_of_channel("socket.io#/x#", "socket.io", "/"));
  auto uid = make_uid(0x123456789);
  EXPECT_EQ(uid.size(), 6u);
}

}  // namespace
}  // namespace sio::cluster_wire
