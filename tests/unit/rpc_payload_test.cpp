#include "sio/protocol/rpc_payload.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "protocol_test_util.hpp"

namespace {

using sio::errc;
using sio::json;
using sio::test::bin;
using sio::test::error_of;
using sio::test::nested_arrays;
using sio::test::raw;
namespace rp = sio::rpc_payload;

rp::arg j(std::string text) { return {rp::arg::kind::json, std::move(text)}; }
rp::arg b(std::string data) { return {rp::arg::kind::binary, std::move(data)}; }

std::vector<json> decoded(const rp::payload& p, const rp::limits& lim = {}) {
  auto r = rp::decode(p, lim);
  EXPECT_TRUE(r.ok()) << sio::to_string(r.error());
  return r ? *r : std::vector<json>{};
}

TEST(RpcPayloadDecode, ReadsEachArgumentAsOneJsonValue) {
  auto values = decoded({{j("\"hello\""), j("42"), j(" {\"a\":[1,null]} "), j("true")}, {}});
  ASSERT_EQ(values.size(), 4u);
  EXPECT_EQ(values[0], "hello");
  EXPECT_EQ(values[1], 42);
  EXPECT_EQ(values[2], json::parse(R"({"a":[1,null]})"));
  EXPECT_EQ(values[3], true);
}

TEST(RpcPayloadDecode, AnEmptyPayloadIsNoArguments) {
  EXPECT_TRUE(decoded({}).empty());
}

TEST(RpcPayloadDecode, BinaryArgumentsBecomeBinaryValues) {
  auto values = decoded({{b(raw({1, 2, 3})), b("")}, {}});
  ASSERT_EQ(values.size(), 2u);
  EXPECT_EQ(values[0], bin({1, 2, 3}));
  EXPECT_EQ(values[1], bin({}));
}

TEST(RpcPayloadDecode, PlaceholdersTakeTheirAttachmentAtAnyDepth) {
  auto values = decoded({{j(R"({"file":{"_placeholder":true,"num":1},"x":[{"_placeholder":true,"num":0}]})")},
                         {raw({9}), raw({7, 8})}});
  ASSERT_EQ(values.size(), 1u);
  EXPECT_EQ(values[0]["file"], bin({7, 8}));
  EXPECT_EQ(values[0]["x"][0], bin({9}));
}

TEST(RpcPayloadDecode, OneAttachmentMayBeNamedTwice) {
  auto values =
      decoded({{j(R"([{"_placeholder":true,"num":0},{"_placeholder":true,"num":0}])")}, {raw({5})}});
  EXPECT_EQ(values[0][0], bin({5}));
  EXPECT_EQ(values[0][1], bin({5}));
}

TEST(RpcPayloadDecode, APlaceholderArgumentIsBinary) {
  auto values = decoded({{j(R"({"_placeholder":true,"num":0})")}, {raw({1})}});
  EXPECT_EQ(values[0], bin({1}));
}

TEST(RpcPayloadDecode, AFalsePlaceholderFlagIsPlainData) {
  auto values = decoded({{j(R"({"_placeholder":false,"num":3})")}, {}});
  EXPECT_EQ(values[0], json::parse(R"({"_placeholder":false,"num":3})"));
}

TEST(RpcPayloadDecode, RefusesTextThatIsNotOneJsonValue) {
  for (const char* text : {"", "hello", "{", "1 2", "[1,]", "'a'", "{\"a\":1}}", "NaN"})
    EXPECT_EQ(error_of(rp::decode({{j(text)}, {}})), errc::invalid_json) << text;
}

TEST(RpcPayloadDecode, RefusesNestingPastTheDepthLimitAsInvalidJson) {
  rp::limits lim;
  lim.max_depth = 3;
  auto text = sio::to_json_text(nested_arrays(4, 1));
  EXPECT_EQ(error_of(rp::decode({{j(text)}, {}}, lim)), errc::invalid_json);
  EXPECT_TRUE(rp::decode({{j(sio::to_json_text(nested_arrays(3, 1)))}, {}}, lim).ok());
}

TEST(RpcPayloadDecode, RefusesPlaceholdersOutOfRange) {
  const char* bad[] = {
      R"({"_placeholder":true,"num":1})",   R"({"_placeholder":true,"num":-1})",
      R"({"_placeholder":true,"num":0.5})", R"({"_placeholder":true,"num":"0"})",
      R"({"_placeholder":true})",           R"([{"_placeholder":true,"num":18446744073709551615}])",
  };
  for (const char* text : bad)
    EXPECT_EQ(error_of(rp::decode({{j(text)}, {raw({1})}})), errc::invalid_placeholder) << text;
}

TEST(RpcPayloadDecode, RefusesAttachmentsNoPlaceholderNames) {
  EXPECT_EQ(error_of(rp::decode({{j("1")}, {raw({1})}})), errc::invalid_placeholder);
  EXPECT_EQ(error_of(rp::decode({{j(R"({"_placeholder":true,"num":0})")}, {raw({1}), raw({2})}})),
            errc::invalid_placeholder);
}

TEST(RpcPayloadDecode, CountsEveryByteAgainstTheLimit) {
  rp::limits lim;
  lim.max_bytes = 10;
  // 3 + 7 bytes: exactly at the limit.
  EXPECT_TRUE(rp::decode({{j("\"a\""), b("abcdefg")}, {}}, lim).ok());
  EXPECT_EQ(error_of(rp::decode({{j("\"a\""), b("abcdefg"), b("x")}, {}}, lim)), errc::too_large);
  // Attachments count too: 29 bytes of placeholder text and 1 or 2 bytes.
  lim.max_bytes = 30;
  EXPECT_TRUE(rp::decode({{j(R"({"_placeholder":true,"num":0})")}, {"x"}}, lim).ok());
  EXPECT_EQ(error_of(rp::decode({{j(R"({"_placeholder":true,"num":0})")}, {"xy"}}, lim)),
            errc::too_large);
  lim.max_bytes = 1000;
  lim.max_attachments = 1;
  rp::payload two{{j(R"([{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}])")},
                  {"x", "y"}};
  EXPECT_EQ(error_of(rp::decode(two, lim)), errc::too_large);
}

TEST(RpcPayloadEncode, WritesJsonAsJavaScriptWouldAndBinaryAsBytes) {
  auto p = rp::encode({json("hi"), json(1.0), json::parse(R"({"b":[true,null]})"), bin({1, 2})});
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->args.size(), 4u);
  EXPECT_EQ(p->args[0], j("\"hi\""));
  EXPECT_EQ(p->args[1], j("1"));
  EXPECT_EQ(p->args[2], j(R"({"b":[true,null]})"));
  EXPECT_EQ(p->args[3], b(raw({1, 2})));
  EXPECT_TRUE(p->attachments.empty());
}

TEST(RpcPayloadEncode, NumbersNestedBinaryAcrossArguments) {
  json first = json::object();
  first["f"] = bin({1});
  json second = json::array({bin({2}), bin({3})});
  auto p = rp::encode({first, bin({9}), second});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->args[0], j(R"({"f":{"_placeholder":true,"num":0}})"));
  EXPECT_EQ(p->args[1], b(raw({9})));
  EXPECT_EQ(p->args[2],
            j(R"([{"_placeholder":true,"num":1},{"_placeholder":true,"num":2}])"));
  EXPECT_EQ(p->attachments, (std::vector<sio::bytes>{raw({1}), raw({2}), raw({3})}));
}

TEST(RpcPayloadEncode, RefusesValuesTooDeepToWrite) {
  EXPECT_EQ(error_of(rp::encode({nested_arrays(5, 1)}, 4)), errc::value_too_deep);
}

TEST(RpcPayloadRoundTrip, DecodeOfEncodeGivesTheValuesBack) {
  json mixed = json::parse(R"({"a":[1,"x",{"y":null}],"z":-2.5})");
  mixed["a"][2]["bin"] = bin({0, 255});
  std::vector<json> values{mixed, bin({}), json("é"), json::array()};
  auto p = rp::encode(values);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(decoded(*p), values);
}

}  // namespace
