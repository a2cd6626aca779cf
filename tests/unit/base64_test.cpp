#include "sio/protocol/base64.hpp"

#include <random>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "protocol_test_util.hpp"

namespace {

using sio::errc;
using sio::test::error_of;
using sio::test::raw;

std::string encode(std::string_view data) {
  std::string out;
  sio::base64::encode(data, out);
  return out;
}

// The decoded bytes, or "<error>" (after a failed expectation).
std::string decoded(std::string_view text) {
  auto r = sio::base64::decode(text);
  EXPECT_TRUE(r.ok()) << text;
  return r.ok() ? *r : "<error>";
}

// --- encode ---------------------------------------------------------------

TEST(Base64Encode, EncodesTheEngineIoSpecExample) {
  EXPECT_EQ(encode(raw({1, 2, 3, 4})), "AQIDBA==");
}

TEST(Base64Encode, EncodesEmptyInputAsEmptyText) { EXPECT_EQ(encode(""), ""); }

TEST(Base64Encode, EncodesTheRfc4648TestVectors) {
  EXPECT_EQ(encode("f"), "Zg==");
  EXPECT_EQ(encode("fo"), "Zm8=");
  EXPECT_EQ(encode("foo"), "Zm9v");
  EXPECT_EQ(encode("foob"), "Zm9vYg==");
  EXPECT_EQ(encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(encode("foobar"), "Zm9vYmFy");
}

TEST(Base64Encode, UsesTheStandardAlphabetForTheLastTwoDigits) {
  EXPECT_EQ(encode(raw({0xfb, 0xff, 0xbf})), "+/+/");
}

TEST(Base64Encode, EncodesHighBytesWithoutSignExtension) {
  EXPECT_EQ(encode(raw({0xff})), "/w==");
  EXPECT_EQ(encode(raw({0x80, 0x80})), "gIA=");
  EXPECT_EQ(encode(raw({0xff, 0xff, 0xff})), "////");
}

TEST(Base64Encode, EncodesZeroBytes) { EXPECT_EQ(encode(raw({0, 0, 0, 0})), "AAAAAA=="); }

TEST(Base64Encode, AppendsToExistingOutput) {
  std::string out = "b";
  sio::base64::encode(raw({1, 2, 3, 4}), out);
  EXPECT_EQ(out, "bAQIDBA==");
}

// --- decode ---------------------------------------------------------------

TEST(Base64Decode, DecodesTheEngineIoSpecExample) {
  auto r = sio::base64::decode("AQIDBA==");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, raw({1, 2, 3, 4}));
}

TEST(Base64Decode, DecodesEmptyTextAsEmptyBytes) {
  auto r = sio::base64::decode("");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "");
}

TEST(Base64Decode, DecodesTheRfc4648TestVectors) {
  EXPECT_EQ(decoded("Zg=="), "f");
  EXPECT_EQ(decoded("Zm8="), "fo");
  EXPECT_EQ(decoded("Zm9v"), "foo");
  EXPECT_EQ(decoded("Zm9vYg=="), "foob");
  EXPECT_EQ(decoded("Zm9vYmE="), "fooba");
  EXPECT_EQ(decoded("Zm9vYmFy"), "foobar");
}

TEST(Base64Decode, AcceptsMissingPadding) {
  EXPECT_EQ(decoded("AQIDBA"), raw({1, 2, 3, 4}));
  EXPECT_EQ(decoded("Zm8"), "fo");
}

TEST(Base64Decode, DecodesTheUrlSafeAlphabet) {
  EXPECT_EQ(decoded("-_-_"), raw({0xfb, 0xff, 0xbf}));
}

TEST(Base64Decode, DecodesTheStandardAlphabet) {
  EXPECT_EQ(decoded("+/+/"), raw({0xfb, 0xff, 0xbf}));
}

TEST(Base64Decode, RejectsWhiteSpace) {
  EXPECT_EQ(error_of(sio::base64::decode("AQID BA==")), errc::invalid_base64);
  EXPECT_EQ(error_of(sio::base64::decode("AQID\nBA==")), errc::invalid_base64);
  EXPECT_EQ(error_of(sio::base64::decode(" AQIDBA==")), errc::invalid_base64);
  EXPECT_EQ(error_of(sio::base64::decode("AQIDBA==\r\n")), errc::invalid_base64);
}

TEST(Base64Decode, RejectsCharactersOutsideTheAlphabet) {
  EXPECT_EQ(error_of(sio::base64::decode("AQ!D")), errc::invalid_base64);
  EXPECT_EQ(error_of(sio::base64::decode("AQ.D")), errc::invalid_base64);
  EXPECT_EQ(error_of(sio::base64::decode(std::string_view("AQ\0D", 4))), errc::invalid_base64);
  EXPECT_EQ(error_of(sio::base64::decode("AQ\xc3\xa9")), errc::invalid_base64);
}

TEST(Base64Decode, RejectsASingleDigitInTheLastQuantum) {
  EXPECT_EQ(error_of(sio::base64::decode("A")), errc::invalid_base64);
  EXPECT_EQ(error_of(sio::base64::decode("AQIDB")), errc::invalid_base64);
}

TEST(Base64Decode, RejectsPaddingThatDoesNotCompleteTheLastQuantum) {
  EXPECT_EQ(error_of(sio::base64::decode("AQIDBA=")), errc::invalid_base64);
  EXPECT_EQ(error_of(sio::base64::decode("Zg=")), errc::invalid_base64);
}

TEST(Base64Decode, RejectsPaddingAlone) {
  EXPECT_EQ(error_of(sio::base64::decode("=")), errc::invalid_base64);
  EXPECT_EQ(error_of(sio::base64::decode("==")), errc::invalid_base64);
  EXPECT_EQ(error_of(sio::base64::decode("====")), errc::invalid_base64);
}

TEST(Base64Decode, RejectsThreePaddingCharacters) {
  EXPECT_EQ(error_of(sio::base64::decode("AQ===")), errc::invalid_base64);
}

TEST(Base64Decode, RejectsPaddingInTheMiddle) {
  EXPECT_EQ(error_of(sio::base64::decode("AQ==AQ==")), errc::invalid_base64);
  EXPECT_EQ(error_of(sio::base64::decode("A=QD")), errc::invalid_base64);
}

TEST(Base64Decode, RoundTripsRandomBytesOfEveryLengthUpTo64) {
  std::mt19937 rng(20240601);
  std::uniform_int_distribution<int> octet(0, 255);
  for (std::size_t n = 0; n <= 64; ++n) {
    std::string data;
    for (std::size_t i = 0; i < n; ++i) data.push_back(static_cast<char>(octet(rng)));
    auto text = encode(data);
    EXPECT_EQ(text.size(), (n + 2) / 3 * 4);
    auto back = sio::base64::decode(text);
    ASSERT_TRUE(back.ok()) << text;
    EXPECT_EQ(*back, data) << "length " << n;
  }
}

TEST(Base64Decode, RoundTripsEveryByteValue) {
  std::string data;
  for (int i = 0; i < 256; ++i) data.push_back(static_cast<char>(i));
  auto back = sio::base64::decode(encode(data));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, data);
}

}  // namespace
