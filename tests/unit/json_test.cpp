#include "sio/protocol/json.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "protocol_test_util.hpp"

namespace {

using namespace std::string_literals;
using sio::errc;
using sio::json;
using sio::parse_json;
using sio::to_json_text;
using sio::test::bin;
using sio::test::error_of;
using sio::test::nested_arrays;
using sio::test::repeat;

constexpr std::string_view fffd = "\xef\xbf\xbd";

std::string write(const json& v) {
  std::string out;
  auto st = sio::write_json(v, out);
  EXPECT_TRUE(st.ok());
  return out;
}

std::string write_double(double d) { return write(json(d)); }

std::string write_string(std::string_view s) { return write(json(std::string(s))); }

// Parses `text` and writes it back; "" when the parse fails.
std::string reparse(std::string_view text) {
  auto r = parse_json(text);
  if (!r) return {};
  return write(*r);
}

// The parsed value, or a discarded value (after a failed expectation).
json parsed(std::string_view text) {
  auto r = parse_json(text);
  EXPECT_TRUE(r.ok()) << text;
  return r.ok() ? *r : json(json::value_t::discarded);
}

// --- write_json: numbers, as Number.prototype.toString --------------------------

TEST(JsonWriteNumber, WritesAWholeDoubleWithoutFraction) { EXPECT_EQ(write_double(1.0), "1"); }

TEST(JsonWriteNumber, WritesTheShortestRoundTripDigits) {
  EXPECT_EQ(write_double(0.1), "0.1");
  EXPECT_EQ(write_double(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(write_double(1.0 / 3.0), "0.3333333333333333");
}

TEST(JsonWriteNumber, WritesNegativeZeroAsZero) { EXPECT_EQ(write_double(-0.0), "0"); }

TEST(JsonWriteNumber, WritesPositiveZeroAsZero) { EXPECT_EQ(write_double(0.0), "0"); }

TEST(JsonWriteNumber, WritesNegativeFractions) {
  EXPECT_EQ(write_double(-1.5), "-1.5");
  EXPECT_EQ(write_double(-0.25), "-0.25");
}

TEST(JsonWriteNumber, SwitchesToExponentNotationAt1e21) {
  EXPECT_EQ(write_double(1e21), "1e+21");
  EXPECT_EQ(write_double(-1e21), "-1e+21");
  EXPECT_EQ(write_double(1.5e21), "1.5e+21");
}

TEST(JsonWriteNumber, WritesPlainDigitsBelow1e21) {
  EXPECT_EQ(write_double(1e20), "100000000000000000000");
  EXPECT_EQ(write_double(123456789012345680000.0), "123456789012345680000");
  EXPECT_EQ(write_double(9007199254740992.0), "9007199254740992");
}

TEST(JsonWriteNumber, WritesExponentNotationBelow1e6Th) {
  EXPECT_EQ(write_double(1e-7), "1e-7");
  EXPECT_EQ(write_double(1.5e-7), "1.5e-7");
  EXPECT_EQ(write_double(-1e-7), "-1e-7");
}

TEST(JsonWriteNumber, WritesPlainDigitsDownTo1e6Th) {
  EXPECT_EQ(write_double(0.000001), "0.000001");
  EXPECT_EQ(write_double(0.0000012), "0.0000012");
  EXPECT_EQ(write_double(0.00001), "0.00001");
}

TEST(JsonWriteNumber, NormalizesTheMantissa) { EXPECT_EQ(write_double(123e-20), "1.23e-18"); }

TEST(JsonWriteNumber, WritesAPlusSignForLargeExponents) {
  EXPECT_EQ(write_double(1.5e300), "1.5e+300");
}

TEST(JsonWriteNumber, WritesTheExtremeDoubles) {
  EXPECT_EQ(write_double(std::numeric_limits<double>::max()), "1.7976931348623157e+308");
  EXPECT_EQ(write_double(std::numeric_limits<double>::denorm_min()), "5e-324");
  EXPECT_EQ(write_double(std::numeric_limits<double>::min()), "2.2250738585072014e-308");
}

TEST(JsonWriteNumber, WritesNaNAsNull) {
  EXPECT_EQ(write_double(std::numeric_limits<double>::quiet_NaN()), "null");
}

TEST(JsonWriteNumber, WritesInfinitiesAsNull) {
  EXPECT_EQ(write_double(std::numeric_limits<double>::infinity()), "null");
  EXPECT_EQ(write_double(-std::numeric_limits<double>::infinity()), "null");
}

TEST(JsonWriteNumber, WritesSignedIntegerExtremesExactly) {
  EXPECT_EQ(write(json(std::numeric_limits<std::int64_t>::min())), "-9223372036854775808");
  EXPECT_EQ(write(json(std::numeric_limits<std::int64_t>::max())), "9223372036854775807");
}

TEST(JsonWriteNumber, WritesTheLargestUnsignedIntegerExactly) {
  EXPECT_EQ(write(json(std::numeric_limits<std::uint64_t>::max())), "18446744073709551615");
}

TEST(JsonWriteNumber, WritesSmallIntegers) {
  EXPECT_EQ(write(json(0)), "0");
  EXPECT_EQ(write(json(-1)), "-1");
  EXPECT_EQ(write(json(42u)), "42");
}

// --- write_json: strings, as JSON.stringify -----------------------------------

TEST(JsonWriteString, EscapesControlCharactersAsLowerCaseUnicode) {
  EXPECT_EQ(write_string("\x1f"), R"("\u001f")");
  EXPECT_EQ(write_string("\x1e"), R"("\u001e")");
  EXPECT_EQ(write_string("\x0b"), R"("\u000b")");
  EXPECT_EQ(write_string("\x01"), R"("\u0001")");
  EXPECT_EQ(write_string("\x1a"), R"("\u001a")");
}

TEST(JsonWriteString, EscapesNul) { EXPECT_EQ(write_string("a\0b"s), R"("a\u0000b")"); }

TEST(JsonWriteString, UsesShortEscapesForBackspaceFormFeedNewlineReturnAndTab) {
  EXPECT_EQ(write_string("\b\f\n\r\t"), R"("\b\f\n\r\t")");
}

TEST(JsonWriteString, EscapesQuotesAndBackslashes) {
  EXPECT_EQ(write_string(R"(say "hi" \o/)"), R"("say \"hi\" \\o/")");
}

TEST(JsonWriteString, LeavesTheSlashUnescaped) { EXPECT_EQ(write_string("/admin"), R"("/admin")"); }

TEST(JsonWriteString, LeavesDeleteUnescaped) { EXPECT_EQ(write_string("\x7f"), "\"\x7f\""); }

TEST(JsonWriteString, LeavesTheLineAndParagraphSeparatorsAsIs) {
  EXPECT_EQ(write_string("a\xe2\x80\xa8"
                         "b\xe2\x80\xa9"),
            "\"a\xe2\x80\xa8"
            "b\xe2\x80\xa9\"");
}

TEST(JsonWriteString, CopiesMultiByteUtf8Verbatim) {
  // é (2 bytes), € (3 bytes), 😀 (4 bytes), U+10FFFF, U+FFFF
  std::string s = "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\xef\xbf\xbf";
  EXPECT_EQ(write_string(s), "\"" + s + "\"");
}

TEST(JsonWriteString, ReplacesAnInvalidByteWithTheReplacementCharacter) {
  EXPECT_EQ(write_string("a\xff"
                         "b"),
            "\"a" + std::string(fffd) + "b\"");
}

TEST(JsonWriteString, ReplacesALoneContinuationByte) {
  EXPECT_EQ(write_string("\x80"), "\"" + std::string(fffd) + "\"");
}

TEST(JsonWriteString, ReplacesEachByteOfAnOverlongEncoding) {
  EXPECT_EQ(write_string("\xc0\xaf"), "\"" + repeat(fffd, 2) + "\"");
  EXPECT_EQ(write_string("\xe0\x80\xaf"), "\"" + repeat(fffd, 3) + "\"");
}

TEST(JsonWriteString, ReplacesEachByteOfAnEncodedSurrogate) {
  EXPECT_EQ(write_string("\xed\xa0\x80"), "\"" + repeat(fffd, 3) + "\"");
}

TEST(JsonWriteString, ReplacesEachByteOfACodePointBeyondU10FFFF) {
  EXPECT_EQ(write_string("\xf4\x90\x80\x80"), "\"" + repeat(fffd, 4) + "\"");
  EXPECT_EQ(write_string("\xf5\x80"), "\"" + repeat(fffd, 2) + "\"");
}

// A truncated sequence is one U+FFFD, as Node.js (WHATWG UTF-8 decode)
// turns such bytes into a JavaScript string.
TEST(JsonWriteString, ReplacesATruncatedSequenceByOneCharacter) {
  EXPECT_EQ(write_string("\xe2\x82"
                         "A"),
            "\"" + std::string(fffd) + "A\"");
  EXPECT_EQ(write_string("\xf0\x9f\x98"), "\"" + std::string(fffd) + "\"");
  EXPECT_EQ(write_string("\xf0\x9f\x98\xf0\x9f\x98\x80"),
            "\"" + std::string(fffd) + "\xf0\x9f\x98\x80\"");
}

TEST(JsonWriteString, WritesAnEmptyString) { EXPECT_EQ(write_string(""), R"("")"); }

// --- write_json: containers -------------------------------------------------

TEST(JsonWrite, WritesScalarsCompactly) {
  EXPECT_EQ(write(json(nullptr)), "null");
  EXPECT_EQ(write(json(true)), "true");
  EXPECT_EQ(write(json(false)), "false");
}

TEST(JsonWrite, WritesEmptyContainers) {
  EXPECT_EQ(write(json::array()), "[]");
  EXPECT_EQ(write(json::object()), "{}");
  json v = json::object();
  v["a"] = json::array();
  v["b"] = json::object();
  EXPECT_EQ(write(v), R"({"a":[],"b":{}})");
}

TEST(JsonWrite, PreservesKeyInsertionOrder) {
  json v = json::object();
  v["z"] = 1;
  v["a"] = 2;
  v["m"] = 3;
  EXPECT_EQ(write(v), R"({"z":1,"a":2,"m":3})");
}

TEST(JsonWrite, EscapesKeys) {
  json v = json::object();
  v["a\"\n"] = 1;
  EXPECT_EQ(write(v), R"({"a\"\n":1})");
}

TEST(JsonWrite, WritesNestedValuesWithoutWhiteSpace) {
  json v = json::array({"a", 1, json::object({{"b", json::array({true, nullptr, 1.5})}})});
  EXPECT_EQ(write(v), R"(["a",1,{"b":[true,null,1.5]}])");
}

TEST(JsonWrite, AppendsToExistingOutput) {
  std::string out = "2";
  ASSERT_TRUE(sio::write_json(json::array({"foo"}), out).ok());
  EXPECT_EQ(out, R"(2["foo"])");
}

TEST(JsonWrite, ToJsonTextReturnsTheText) {
  EXPECT_EQ(to_json_text(json::array({"a", 1})), R"(["a",1])");
}

// --- write_json: binary ------------------------------------------------------

TEST(JsonWriteBinary, ReplacesBinaryValuesByNumberedPlaceholdersWithASink) {
  json v = json::array({"a", bin({1, 2}), json::object({{"x", bin({3})}}), bin({})});
  std::vector<sio::bytes> buffers;
  std::string out;
  ASSERT_TRUE(sio::write_json(v, out, 1000, {&buffers}).ok());
  EXPECT_EQ(out, R"(["a",{"_placeholder":true,"num":0},{"x":{"_placeholder":true,"num":1}},)"
                 R"({"_placeholder":true,"num":2}])");
  ASSERT_EQ(buffers.size(), 3u);
  EXPECT_EQ(buffers[0], "\x01\x02");
  EXPECT_EQ(buffers[1], "\x03");
  EXPECT_EQ(buffers[2], "");
}

TEST(JsonWriteBinary, WritesBinaryAsANodeBufferWithoutASink) {
  EXPECT_EQ(write(bin({1, 2})), R"({"type":"Buffer","data":[1,2]})");
}

TEST(JsonWriteBinary, WritesBytesAsUnsignedNumbersWithoutASink) {
  EXPECT_EQ(write(bin({0, 127, 128, 255})), R"({"type":"Buffer","data":[0,127,128,255]})");
}

TEST(JsonWriteBinary, WritesAnEmptyBufferWithoutASink) {
  EXPECT_EQ(write(bin({})), R"({"type":"Buffer","data":[]})");
}

TEST(JsonWriteBinary, WritesNestedBinaryAsANodeBufferWithoutASink) {
  json v = json::object({{"file", bin({9})}});
  EXPECT_EQ(write(v), R"({"file":{"type":"Buffer","data":[9]}})");
}

// --- write_json: depth -------------------------------------------------------

TEST(JsonWriteDepth, AcceptsAValueNestedExactlyMaxDepth) {
  std::string out;
  ASSERT_TRUE(sio::write_json(nested_arrays(3, json(1)), out, 3).ok());
  EXPECT_EQ(out, "[[[1]]]");
}

TEST(JsonWriteDepth, RefusesAValueNestedOneDeeperThanMaxDepth) {
  std::string out;
  auto st = sio::write_json(nested_arrays(4, json(1)), out, 3);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error(), errc::value_too_deep);
}

TEST(JsonWriteDepth, WritesTheNextValueWholeAfterARefusedOne) {
  std::string refused;
  ASSERT_FALSE(sio::write_json(json::array({1, nested_arrays(10, json(1))}), refused, 5).ok());
  EXPECT_EQ(write(json::array({"a", json::object({{"b", 2}})})), R"(["a",{"b":2}])");
}

TEST(JsonWriteDepth, CountsAnEmptyInnermostContainer) {
  std::string out;
  ASSERT_TRUE(sio::write_json(nested_arrays(2, json::array()), out, 3).ok());
  EXPECT_EQ(out, "[[[]]]");
  out.clear();
  auto st = sio::write_json(nested_arrays(3, json::object()), out, 3);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error(), errc::value_too_deep);
}

TEST(JsonWriteDepth, RefusesAnyContainerWithMaxDepthZero) {
  std::string out;
  EXPECT_TRUE(sio::write_json(json(1), out, 0).ok());
  EXPECT_EQ(error_of(sio::write_json(json::array(), out, 0)), errc::value_too_deep);
  EXPECT_EQ(out, "1");
}

TEST(JsonWriteDepth, CountsObjectsAndArraysAlike) {
  json v = json::object({{"a", json::array({json::object({{"b", 1}})})}});
  std::string out;
  EXPECT_TRUE(sio::write_json(v, out, 3).ok());
  std::string other;
  EXPECT_EQ(error_of(sio::write_json(v, other, 2)), errc::value_too_deep);
}

TEST(JsonWriteDepth, LeavesTheOutputUnchangedWhenTooDeep) {
  std::string out = "prefix";
  json v = json::array({"a", "b", nested_arrays(10, json(1))});
  auto st = sio::write_json(v, out, 5);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error(), errc::value_too_deep);
  EXPECT_EQ(out, "prefix");
}

TEST(JsonWriteDepth, LeavesTheSinkUnchangedWhenTooDeep) {
  std::vector<sio::bytes> buffers = {"old"};
  std::string out;
  json v = json::array({bin({1}), bin({2}), nested_arrays(10, json(1))});
  auto st = sio::write_json(v, out, 5, {&buffers});
  ASSERT_FALSE(st.ok());
  ASSERT_EQ(buffers.size(), 1u);
  EXPECT_EQ(buffers[0], "old");
  EXPECT_EQ(out, "");
}

TEST(JsonWriteDepth, RefusesAHundredThousandDeepValueWithoutRecursing) {
  json deep = nested_arrays(100000, json(0));
  std::string out = "x";
  auto st = sio::write_json(deep, out);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error(), errc::value_too_deep);
  EXPECT_EQ(out, "x");
  // `deep` is destroyed here; that must not recurse either.
}

TEST(JsonWriteDepth, WritesAHundredThousandDeepValueWithoutRecursing) {
  constexpr std::size_t depth = 100000;
  json deep = nested_arrays(depth, json(0));
  std::string out;
  ASSERT_TRUE(sio::write_json(deep, out, depth).ok());
  EXPECT_EQ(out, repeat("[", depth) + "0" + repeat("]", depth));
}

TEST(JsonWriteDepth, ToJsonTextReturnsEmptyWhenTooDeep) {
  EXPECT_EQ(to_json_text(nested_arrays(1001, json(0))), "");
  EXPECT_EQ(to_json_text(nested_arrays(1000, json(0))).size(), 2001u);
}

// --- parse_json ---------------------------------------------------------------

TEST(JsonParse, ParsesScalars) {
  EXPECT_TRUE(parsed("null").is_null());
  EXPECT_EQ(parsed("true"), json(true));
  EXPECT_EQ(parsed("false"), json(false));
  EXPECT_EQ(parsed("\"s\""), json("s"));
  EXPECT_EQ(parsed("-1").get<std::int64_t>(), -1);
  EXPECT_EQ(parsed("1.5").get<double>(), 1.5);
}

TEST(JsonParse, AcceptsSurroundingWhiteSpace) {
  EXPECT_EQ(reparse(" \t\n\r[1] \t\n\r"), "[1]");
  EXPECT_EQ(reparse("  \"a\"  "), R"("a")");
  EXPECT_EQ(reparse("{ \"a\" : [ 1 , 2 ] }"), R"({"a":[1,2]})");
}

TEST(JsonParse, RejectsWhiteSpaceThatJsonParseRejects) {
  EXPECT_EQ(error_of(parse_json("\f1")), errc::invalid_json);
  EXPECT_EQ(error_of(parse_json("\v1")), errc::invalid_json);
  EXPECT_EQ(parse_json("\xc2\xa0"
                       "1")
                .error(),
            errc::invalid_json);
}

TEST(JsonParse, RejectsTrailingGarbage) {
  EXPECT_EQ(error_of(parse_json("[1]x")), errc::invalid_json);
  EXPECT_EQ(error_of(parse_json("[1] [2]")), errc::invalid_json);
  EXPECT_EQ(error_of(parse_json("1 2")), errc::invalid_json);
  EXPECT_EQ(error_of(parse_json("{}}")), errc::invalid_json);
}

TEST(JsonParse, RejectsANulAfterTheValue) {
  EXPECT_EQ(error_of(parse_json(std::string_view("[1]\0", 4))), errc::invalid_json);
  EXPECT_EQ(error_of(parse_json(std::string_view("[1] \0 ", 6))), errc::invalid_json);
  EXPECT_EQ(error_of(parse_json(std::string_view("1\0", 2))), errc::invalid_json);
}

TEST(JsonParse, RejectsANulInsideAString) {
  EXPECT_EQ(error_of(parse_json(std::string_view("\"a\0b\"", 5))), errc::invalid_json);
}

TEST(JsonParse, RejectsRawControlCharactersInStrings) {
  EXPECT_EQ(error_of(parse_json("\"a\nb\"")), errc::invalid_json);
  EXPECT_EQ(error_of(parse_json("\"\x1f\"")), errc::invalid_json);
}

TEST(JsonParse, RejectsEmptyInput) {
  EXPECT_EQ(error_of(parse_json("")), errc::invalid_json);
  EXPECT_EQ(error_of(parse_json(" \n")), errc::invalid_json);
}

TEST(JsonParse, RejectsMalformedDocuments) {
  for (std::string_view text :
       {"{",     "[",     "]",         "[1,]",      "{\"a\":1,}", "{\"a\"}", "{a:1}",
        "[1 2]", "01",    "1.",        ".5",        "+1",         "-",       "1e",
        "0x10",  "NaN",   "Infinity",  "-Infinity", "undefined",  "'a'",     "tru",
        "nul",   "\"abc", "\"\\x41\"", "\"\\u12\"", "//c\n1",     "/*c*/1",  "[1]]"}) {
    auto r = parse_json(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error(), errc::invalid_json) << text;
  }
}

// JSON.parse reads a number past the double range as ±Infinity, which
// JSON.stringify writes as null; a number below the smallest subnormal is 0.
TEST(JsonParse, ReadsNumbersPastTheDoubleRangeAsInfinity) {
  auto inf = parse_json("1e400");
  ASSERT_TRUE(inf.ok());
  EXPECT_EQ(inf->get<double>(), std::numeric_limits<double>::infinity());
  auto minus = parse_json("-1E+400");
  ASSERT_TRUE(minus.ok());
  EXPECT_EQ(minus->get<double>(), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(reparse("[1e400,-1e400,1e-400]"), "[null,null,0]");
  EXPECT_EQ(reparse("1" + std::string(400, '0')), "null");
  // Strings that look like such numbers stay strings, escaped quotes included;
  // the numbers around them keep their places and values.
  EXPECT_EQ(reparse(R"([2,"1e400","a\"1e999",{"k":1e309,"1e400":3},-0.5e400,7])"),
            R"([2,"1e400","a\"1e999",{"k":null,"1e400":3},null,7])");
}

TEST(JsonParse, StillRejectsMalformedDocumentsWithNumbersPastTheRange) {
  for (std::string_view text : {"[1e400", "[1e400,]", "[01e400]", "1e400x", "[1e400 2]"}) {
    auto r = parse_json(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error(), errc::invalid_json) << text;
  }
}

TEST(JsonParse, KeepsTheLastValueOfADuplicateKeyAtItsFirstPosition) {
  EXPECT_EQ(reparse(R"({"a":1,"b":2,"a":3})"), R"({"a":3,"b":2})");
}

TEST(JsonParse, DeduplicatesKeysRepeatedManyTimes) {
  EXPECT_EQ(reparse(R"({"a":1,"a":2,"b":0,"a":{"x":1},"a":[4]})"), R"({"a":[4],"b":0})");
}

TEST(JsonParse, DeduplicatesKeysOfNestedObjects) {
  EXPECT_EQ(reparse(R"([{"k":1,"k":2},{"o":{"p":1,"q":2,"p":3}}])"),
            R"([{"k":2},{"o":{"p":3,"q":2}}])");
}

TEST(JsonParse, DeduplicatesKeysOfAnObjectWithAHundredMembers) {
  std::string text = "{";
  std::string expected = "{";
  for (int i = 0; i < 100; ++i) {
    auto member = "\"k" + std::to_string(i) + "\":" + std::to_string(i);
    text += member + ",";
    if (i == 5)
      expected += R"("k5":"last",)";
    else if (i == 99)
      expected += R"("k99":-1)";
    else
      expected += member + ",";
  }
  text += R"("k5":"middle","k99":-1,"k5":"last"})";
  expected += "}";
  auto r = parse_json(text);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 100u);
  EXPECT_EQ(write(*r), expected);
}

TEST(JsonParse, KeepsTheOrderOfAnObjectWithAHundredDistinctMembers) {
  std::string text = "{";
  for (int i = 99; i >= 0; --i) {
    text += "\"k" + std::to_string(i) + "\":" + std::to_string(i);
    if (i > 0) text += ",";
  }
  text += "}";
  EXPECT_EQ(reparse(text), text);
}

TEST(JsonParse, KeepsKeyOrder) {
  EXPECT_EQ(reparse(R"({"z":1,"a":2,"m":3})"), R"({"z":1,"a":2,"m":3})");
}

TEST(JsonParse, AcceptsNestingExactlyAtMaxDepth) {
  auto text = repeat("[", 100) + repeat("]", 100);
  auto r = parse_json(text);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(write(*r), text);
}

TEST(JsonParse, RefusesNestingOneBeyondMaxDepth) {
  auto r = parse_json(repeat("[", 101) + repeat("]", 101));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), errc::json_too_deep);
}

TEST(JsonParse, CountsObjectsTowardsTheDepth) {
  auto ok = repeat("{\"a\":", 99) + "[]" + repeat("}", 99);
  EXPECT_TRUE(parse_json(ok).ok());
  auto deep = repeat("{\"a\":", 100) + "[]" + repeat("}", 100);
  EXPECT_EQ(error_of(parse_json(deep)), errc::json_too_deep);
}

TEST(JsonParse, HonorsACustomMaxDepth) {
  EXPECT_TRUE(parse_json("1", 0).ok());
  EXPECT_EQ(error_of(parse_json("[]", 0)), errc::json_too_deep);
  EXPECT_TRUE(parse_json("[1]", 1).ok());
  EXPECT_EQ(error_of(parse_json("[[1]]", 1)), errc::json_too_deep);
  EXPECT_EQ(error_of(parse_json("{\"a\":{}}", 1)), errc::json_too_deep);
}

TEST(JsonParse, ReadsTheNextDocumentWholeAfterOneThatFailedHalfWay) {
  EXPECT_FALSE(parse_json(R"([1,{"a":"x","b":[2,)").ok());
  EXPECT_EQ(error_of(parse_json(repeat("[", 101) + repeat("]", 101))), errc::json_too_deep);
  EXPECT_EQ(reparse(R"({"k":["v",3]})"), R"({"k":["v",3]})");
  EXPECT_EQ(reparse("7"), "7");
}

TEST(JsonParse, RefusesAHundredThousandOpenBracketsAsTooDeep) {
  auto r = parse_json(repeat("[", 100000));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), errc::json_too_deep);
}

TEST(JsonParse, RefusesDeepNestingBeforeReadingFurther) {
  // The garbage after the 101st bracket is never reached.
  EXPECT_EQ(error_of(parse_json(repeat("[", 101) + "garbage")), errc::json_too_deep);
}

TEST(JsonParse, ParsesAHundredThousandDeepDocumentWithAHighLimit) {
  constexpr std::size_t depth = 100000;
  auto text = repeat("[", depth) + repeat("]", depth);
  auto r = parse_json(text, depth);
  ASSERT_TRUE(r.ok());
  std::string out;
  ASSERT_TRUE(sio::write_json(*r, out, depth).ok());
  EXPECT_EQ(out, text);
}

TEST(JsonParse, ParsesTheLargestUnsignedInteger) {
  auto r = parse_json("18446744073709551615");
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->is_number_unsigned());
  EXPECT_EQ(r->get<std::uint64_t>(), std::numeric_limits<std::uint64_t>::max());
}

TEST(JsonParse, ParsesTheSmallestSignedInteger) {
  auto r = parse_json("-9223372036854775808");
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->is_number_integer());
  EXPECT_EQ(r->get<std::int64_t>(), std::numeric_limits<std::int64_t>::min());
}

TEST(JsonParse, ParsesIntegersBeyond64BitsAsDoubles) {
  auto big = parse_json("18446744073709551616");
  ASSERT_TRUE(big.ok());
  ASSERT_TRUE(big->is_number_float());
  EXPECT_EQ(write(*big), "18446744073709552000");
  auto small = parse_json("-9223372036854775809");
  ASSERT_TRUE(small.ok());
  ASSERT_TRUE(small->is_number_float());
  EXPECT_EQ(write(*small), "-9223372036854776000");
  EXPECT_EQ(reparse("100000000000000000000000"), "1e+23");
}

TEST(JsonParse, ParsesNumbersWithFullPrecision) {
  EXPECT_EQ(parsed("0.1").get<double>(), 0.1);
  EXPECT_EQ(parsed("2.2250738585072014e-308").get<double>(), std::numeric_limits<double>::min());
  EXPECT_EQ(parsed("1.7976931348623157e308").get<double>(), std::numeric_limits<double>::max());
  EXPECT_EQ(parsed("5e-324").get<double>(), std::numeric_limits<double>::denorm_min());
  EXPECT_EQ(reparse("123e-20"), "1.23e-18");
  EXPECT_EQ(reparse("1E2"), "100");
  EXPECT_EQ(reparse("0.1e1"), "1");
}

TEST(JsonParse, ParsesNegativeZeroAsZero) { EXPECT_EQ(reparse("-0"), "0"); }

TEST(JsonParse, DecodesStringEscapes) {
  auto r = parse_json(R"("\u00e9\n\"\\\/\b\f\r\t")");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->get<std::string>(), "\xc3\xa9\n\"\\/\b\f\r\t");
}

TEST(JsonParse, DecodesASurrogatePairEscape) {
  auto r = parse_json(R"("\ud83d\ude00")");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->get<std::string>(), "\xf0\x9f\x98\x80");
}

TEST(JsonParse, DecodesAnEscapedNul) {
  auto r = parse_json(R"("a\u0000b")");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->get<std::string>(), "a\0b"s);
  EXPECT_EQ(write(*r), R"("a\u0000b")");
}

TEST(JsonParse, KeepsMultiByteUtf8Verbatim) {
  EXPECT_EQ(reparse("\"\xe2\x82\xac\xf0\x9f\x98\x80\""), "\"\xe2\x82\xac\xf0\x9f\x98\x80\"");
}

TEST(JsonParse, ReplacesInvalidUtf8AsTheWriterDoes) {
  auto r = parse_json(
      "\"a\xff\xe2\x82"
      "b\"");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->get<std::string>(), "a" + repeat(fffd, 2) + "b");
}

TEST(JsonParse, WritesBackCanonicalTextByteForByte) {
  for (std::string_view text :
       {R"({"sid":"oSO0OpakMV_3jnilAAAA"})", R"(["baz",{"_placeholder":true,"num":0}])",
        R"(["a",1,{}])", R"([1,"a",{}])", R"({"message":"Not authorized"})", R"("Unauthorized")",
        R"([-1.5,0.1,1e+21,1e-7,null,true,false])", R"({"a":{"b":{"c":[[],{}]}}})"}) {
    EXPECT_EQ(reparse(text), text);
  }
}

}  // namespace
