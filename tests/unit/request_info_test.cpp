#include "sio/actors/request_info.hpp"

#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace sio {
namespace {

using pairs = std::vector<std::pair<std::string, std::string>>;

pairs headers_of(const request_info& r) {
  pairs out;
  r.for_each_header([&](std::string_view n, std::string_view v) { out.emplace_back(n, v); });
  return out;
}

pairs query_of(const request_info& r) {
  pairs out;
  r.for_each_query([&](std::string_view n, std::string_view v) { out.emplace_back(n, v); });
  return out;
}

TEST(RequestInfo, KeepsEachKindApartAndInOrder) {
  request_info r;
  r.set_url("/socket.io/?EIO=4&transport=websocket&b=2");
  r.add_header("host", "localhost:3000");
  r.set_remote_address("127.0.0.1");
  r.add_header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==");
  r.shrink_to_fit();

  EXPECT_EQ(r.url(), "/socket.io/?EIO=4&transport=websocket&b=2");
  EXPECT_EQ(r.remote_address(), "127.0.0.1");
  EXPECT_EQ(headers_of(r),
            (pairs{{"host", "localhost:3000"}, {"sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="}}));
  EXPECT_EQ(query_of(r), (pairs{{"EIO", "4"}, {"transport", "websocket"}, {"b", "2"}}));
}

TEST(RequestInfo, ReadsTheQueryFromTheUrlAsUrlSearchParams) {
  request_info r;
  r.set_url("/p?a=1&&b=x+y&c=%41%zz&flag&d=%00&a=2#frag");
  EXPECT_EQ(query_of(r), (pairs{{"a", "1"},
                                {"b", "x y"},
                                {"c", "A%zz"},
                                {"flag", ""},
                                {"d", std::string("\0", 1)},
                                {"a", "2"}}));
  request_info none;
  none.set_url("/p");
  EXPECT_TRUE(query_of(none).empty());
}

TEST(RequestInfo, LooksUpTheFirstValueOfAHeader) {
  request_info r;
  r.add_header("x-twice", "first");
  r.add_header("x-twice", "second");
  EXPECT_EQ(r.header("x-twice"), "first");
  EXPECT_EQ(r.header("host"), "");
  EXPECT_EQ(r.url(), "");
  EXPECT_EQ(r.remote_address(), "");
}

TEST(RequestInfo, ValuesMayHoldAnyByteAndBeEmptyOrLong) {
  // Lengths, not separators, delimit the entries; from 128 bytes on a
  // length takes more than one byte.
  request_info r;
  std::string with_nul("a\0b", 3);
  std::string long_value(70000, 'x');
  r.add_header(with_nul, "");
  r.add_header("long", long_value);
  r.add_header("", with_nul);
  r.add_header(std::string(128, 'n'), std::string(127, 'v'));
  EXPECT_EQ(headers_of(r), (pairs{{with_nul, ""},
                                  {"long", long_value},
                                  {"", with_nul},
                                  {std::string(128, 'n'), std::string(127, 'v')}}));
}

}  // namespace
}  // namespace sio
