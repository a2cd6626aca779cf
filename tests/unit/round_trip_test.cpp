// Property tests: deterministic random packets survive encode -> decode.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "protocol_test_util.hpp"
#include "sio/protocol/engine_io.hpp"
#include "sio/protocol/json.hpp"
#include "sio/protocol/socket_io.hpp"

namespace {

using sio::json;
namespace eio = sio::engineio;
namespace sio_ = sio::socketio;

constexpr std::array<std::string_view, 6> reserved_events = {
    "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener",
};

// How many binary values `v` holds (the attachments it encodes to).
std::size_t count_binary(const json& v) {
  std::size_t n = 0;
  std::vector<const json*> todo{&v};
  while (!todo.empty()) {
    const json* node = todo.back();
    todo.pop_back();
    if (node->is_binary()) ++n;
    if (node->is_structured())
      for (const auto& child : *node) todo.push_back(&child);
  }
  return n;
}

// Random values, packets and payloads from a fixed seed.
class generator {
 public:
  explicit generator(std::uint32_t seed) : rng_(seed) {}

  std::uint64_t between(std::uint64_t lo, std::uint64_t hi) {
    return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng_);
  }
  bool percent(unsigned p) { return between(0, 99) < p; }

  // Valid UTF-8 covering every class JSON.stringify treats differently:
  // controls (including NUL and the record separator), quotes, backslashes,
  // DEL, 2-, 3- and 4-byte sequences, U+2028/U+2029.
  std::string utf8_text(std::size_t max_chars, char excluded = '\0', bool exclude = false) {
    std::string out;
    auto n = between(0, max_chars);
    while (out.size() < n) {
      std::uint32_t cp = 0;
      switch (between(0, 9)) {
        case 0:
          cp = static_cast<std::uint32_t>(between(0x00, 0x1f));
          break;
        case 1:
          cp = std::array<std::uint32_t, 5>{'"', '\\', '/', 0x7f, 0x2028}[between(0, 4)];
          break;
        case 2:
          cp = static_cast<std::uint32_t>(between(0x80, 0x7ff));
          break;
        case 3:
          do cp = static_cast<std::uint32_t>(between(0x800, 0xffff));
          while (cp >= 0xd800 && cp <= 0xdfff);
          break;
        case 4:
          cp = static_cast<std::uint32_t>(between(0x10000, 0x10ffff));
          break;
        default:
          cp = static_cast<std::uint32_t>(between(0x20, 0x7e));
          break;
      }
      if (exclude && cp == static_cast<unsigned char>(excluded)) continue;
      append_utf8(cp, out);
    }
    return out;
  }

  // Arbitrary bytes, optionally without one value.
  std::string raw_bytes(std::size_t max_len, int excluded = -1) {
    std::string out;
    auto n = between(0, max_len);
    while (out.size() < n) {
      auto b = static_cast<int>(between(0, 255));
      if (b != excluded) out.push_back(static_cast<char>(b));
    }
    return out;
  }

  json binary() {
    auto data = raw_bytes(24);
    return json::binary(json::binary_t::container_type(data.begin(), data.end()));
  }

  // Numbers whose JSON text parses back to an equal value.
  json number() {
    switch (between(0, 6)) {
      case 0:
        return json(static_cast<std::int64_t>(between(0, 200)) - 100);
      case 1:
        return json(std::uniform_int_distribution<std::int64_t>(
            std::numeric_limits<std::int64_t>::min(),
            std::numeric_limits<std::int64_t>::max())(rng_));
      case 2:
        return json(between(std::uint64_t{1} << 63, std::numeric_limits<std::uint64_t>::max()));
      case 3: {  // any finite double, from its bits
        double d;
        do {
          std::uint64_t bits = between(0, std::numeric_limits<std::uint64_t>::max());
          std::memcpy(&d, &bits, sizeof d);
        } while (!std::isfinite(d));
        return json(d);
      }
      case 4:  // short decimals, e.g. 0.1, 12.75, -3e-7
        return json(static_cast<double>(static_cast<std::int64_t>(between(0, 2000000)) - 1000000) *
                    std::pow(10.0, static_cast<double>(static_cast<int>(between(0, 40)) - 20)));
      case 5:
        return json(std::ldexp(static_cast<double>(between(1, 1u << 20)),
                               static_cast<int>(between(0, 2000)) - 1000));
      default:
        return json(std::array<double, 6>{0.0, -0.0, 1e21, 1e-7, 5e-324, 1.5}[between(0, 5)]);
    }
  }

  json scalar() {
    switch (between(0, 5)) {
      case 0:
        return json(nullptr);
      case 1:
        return json(percent(50));
      case 2:
      case 3:
        return number();
      default:
        return json(utf8_text(12));
    }
  }

  // A value up to `depth` levels deep; binary leaves only if `binary`.
  json value(int depth, bool with_binary) {
    auto roll = between(0, 9);
    if (depth <= 0 || roll < 4) {
      if (with_binary && percent(15)) return binary();
      return scalar();
    }
    if (roll < 7) {
      json a = json::array();
      for (auto n = between(0, 4); n > 0; --n) a.push_back(value(depth - 1, with_binary));
      return a;
    }
    return object(depth, with_binary);
  }

  json object(int depth, bool with_binary) {
    json o = json::object();
    for (auto n = between(0, 4); n > 0; --n) {
      auto key = utf8_text(8);
      if (key == "_placeholder") continue;  // would read as an attachment reference
      o[key] = value(depth - 1, with_binary);
    }
    return o;
  }

  json event_name() {
    if (percent(20)) return number();
    for (;;) {
      auto name = utf8_text(10);
      if (std::find(reserved_events.begin(), reserved_events.end(), name) == reserved_events.end())
        return json(name);
    }
  }

  sio_::packet socketio_packet() {
    sio_::packet p;
    p.type = static_cast<sio_::packet_type>(between(0, 6));
    if (percent(50)) {
      // Any text without the ',' that ends a namespace.
      std::string nsp = "/" + utf8_text(8, ',', true);
      p.nsp = nsp;
    }
    const bool with_binary = percent(50);
    switch (p.type) {
      case sio_::packet_type::connect:
        if (percent(50)) p.data = object(3, false);
        break;
      case sio_::packet_type::disconnect:
        break;
      case sio_::packet_type::connect_error:
        p.data = percent(50) ? json(utf8_text(20)) : object(3, false);
        break;
      case sio_::packet_type::event:
      case sio_::packet_type::binary_event:
        maybe_id(p);
        if (percent(95)) {
          do {
            json data = json::array({event_name()});
            for (auto n = between(0, 4); n > 0; --n) data.push_back(value(4, with_binary));
            p.data = std::move(data);
          } while (count_binary(*p.data) > sio_::limits{}.max_attachments);
        }
        break;
      case sio_::packet_type::ack:
      case sio_::packet_type::binary_ack:
        maybe_id(p);
        if (percent(90)) {
          do {
            json data = json::array();
            for (auto n = between(0, 4); n > 0; --n) data.push_back(value(4, with_binary));
            p.data = std::move(data);
          } while (count_binary(*p.data) > sio_::limits{}.max_attachments);
        }
        break;
    }
    return p;
  }

  eio::packet engineio_packet() {
    if (percent(30)) return eio::packet::bytes(raw_bytes(40));
    auto type = static_cast<eio::packet_type>(between(0, 6));
    return eio::packet::text(type, raw_bytes(40, eio::record_separator));
  }

  std::vector<eio::packet> engineio_payload() {
    std::vector<eio::packet> packets;
    for (auto n = between(1, 8); n > 0; --n) packets.push_back(engineio_packet());
    return packets;
  }

 private:
  void maybe_id(sio_::packet& p) {
    if (percent(50)) p.id = percent(50) ? between(0, 1000) : between(0, sio_::max_ack_id);
  }

  static void append_utf8(std::uint32_t cp, std::string& out) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
      out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
  }

  std::mt19937 rng_;
};

bool holds_binary(const json& v) { return count_binary(v) > 0; }

// What the decoder gives back for `p`: binary types lose their prefix.
sio_::packet as_decoded(sio_::packet p) {
  if (p.type == sio_::packet_type::binary_event) p.type = sio_::packet_type::event;
  if (p.type == sio_::packet_type::binary_ack) p.type = sio_::packet_type::ack;
  return p;
}

constexpr int socketio_rounds = 3000;
constexpr int engineio_rounds = 1000;

TEST(SocketIoRoundTrip, DecodesEveryGeneratedPacketToTheOriginal) {
  generator gen(0x5eed);
  for (int round = 0; round < socketio_rounds; ++round) {
    const auto original = gen.socketio_packet();
    sio_::encoded enc;
    ASSERT_TRUE(sio_::encode(original, enc).ok());
    SCOPED_TRACE("round " + std::to_string(round) + ": " + enc.text);

    sio_::decoder d;
    auto r = d.feed_text(enc.text);
    ASSERT_TRUE(r.ok()) << to_string(r.error());
    for (const auto& attachment : enc.attachments) {
      ASSERT_FALSE(r->has_value()) << "complete before its attachments";
      ASSERT_TRUE(d.pending());
      r = d.feed_binary(attachment);
      ASSERT_TRUE(r.ok()) << to_string(r.error());
    }
    ASSERT_TRUE(r->has_value()) << "still pending after every attachment";
    EXPECT_FALSE(d.pending());
    EXPECT_EQ(**r, as_decoded(original));
  }
}

TEST(SocketIoRoundTrip, MarksExactlyThePacketsWithBinaryDataAsBinary) {
  generator gen(0xb1a7);
  for (int round = 0; round < socketio_rounds; ++round) {
    const auto p = gen.socketio_packet();
    sio_::encoded enc;
    ASSERT_TRUE(sio_::encode(p, enc).ok());
    const bool carries = p.type == sio_::packet_type::event || p.type == sio_::packet_type::ack ||
                         p.type == sio_::packet_type::binary_event ||
                         p.type == sio_::packet_type::binary_ack;
    // A BINARY_ type without binary data goes out as the plain type.
    const bool binary = carries && p.data && holds_binary(*p.data);
    EXPECT_EQ(enc.text[0] == '5' || enc.text[0] == '6', binary) << enc.text;
    EXPECT_EQ(enc.attachments.empty(), !(carries && p.data && holds_binary(*p.data))) << enc.text;
    if (binary) {
      EXPECT_EQ(enc.text.substr(1, enc.text.find('-') - 1), std::to_string(enc.attachments.size()));
    }
  }
}

TEST(SocketIoRoundTrip, ReencodesEveryDecodedPacketToTheSameMessages) {
  generator gen(0xec0);
  for (int round = 0; round < socketio_rounds; ++round) {
    const auto original = gen.socketio_packet();
    sio_::encoded first;
    ASSERT_TRUE(sio_::encode(original, first).ok());
    sio_::decoder d;
    auto r = d.feed_text(first.text);
    for (const auto& a : first.attachments) r = d.feed_binary(a);
    ASSERT_TRUE(r.ok() && r->has_value()) << first.text;
    // A BINARY_ packet without binary data decodes to a plain one, which
    // encodes without the prefix; anything else comes back the same.
    const bool binary_type = original.type == sio_::packet_type::binary_event ||
                             original.type == sio_::packet_type::binary_ack;
    if (binary_type && first.attachments.empty()) continue;
    sio_::encoded second;
    ASSERT_TRUE(sio_::encode(**r, second).ok());
    EXPECT_EQ(second.text, first.text);
    EXPECT_EQ(second.attachments, first.attachments);
  }
}

TEST(SocketIoRoundTrip, DecodesEveryPrefixOfGeneratedPacketsWithoutCrashing) {
  generator gen(0xcafe);
  for (int round = 0; round < 200; ++round) {
    sio_::encoded enc;
    ASSERT_TRUE(sio_::encode(gen.socketio_packet(), enc).ok());
    for (std::size_t k = 0; k <= enc.text.size(); ++k) {
      auto prefix = std::string_view(enc.text).substr(0, k);
      auto h = sio_::decode_header(prefix);
      if (h.ok()) (void)sio_::decode_body(*h);
      sio_::decoder d;
      auto r = d.feed_text(prefix);
      if (r.ok()) {
        EXPECT_EQ(d.pending(), !r->has_value());
      }
    }
  }
}

TEST(JsonRoundTrip, ParsesEveryWrittenValueBackToAnEqualValue) {
  generator gen(0x7e57);
  for (int round = 0; round < 2000; ++round) {
    const json v = gen.value(6, false);
    std::string text;
    ASSERT_TRUE(sio::write_json(v, text).ok());
    auto back = sio::parse_json(text);
    ASSERT_TRUE(back.ok()) << text;
    EXPECT_TRUE(*back == v) << text;
    EXPECT_EQ(sio::to_json_text(*back), text);
  }
}

TEST(EngineIoRoundTrip, DecodesEveryGeneratedPayloadToTheOriginal) {
  generator gen(0xe10);
  for (int round = 0; round < engineio_rounds; ++round) {
    const auto packets = gen.engineio_payload();
    std::string body;
    eio::encode_payload(packets, body);
    auto r = eio::decode_payload(body, body.size());
    ASSERT_TRUE(r.ok()) << "round " << round << ": " << to_string(r.error());
    EXPECT_EQ(*r, packets) << "round " << round;
  }
}

TEST(EngineIoRoundTrip, DecodesEveryGeneratedTextFrameToTheOriginal) {
  generator gen(0xf4a);
  for (int round = 0; round < engineio_rounds; ++round) {
    auto p = gen.engineio_packet();
    if (p.binary) continue;
    std::string frame;
    eio::encode_text_packet(p.type, p.data, frame);
    auto r = eio::decode_text_packet(frame);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->type, p.type);
    EXPECT_EQ(r->data, p.data);
  }
}

TEST(EngineIoRoundTrip, DecodesEveryPrefixOfGeneratedPayloadsConsistently) {
  generator gen(0x5b1);
  for (int round = 0; round < 50; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    EXPECT_NO_FATAL_FAILURE(sio::test::expect_prefixes_decode_consistently(gen.engineio_payload()));
  }
}

}  // namespace
