#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "sio/protocol/sha1.hpp"
#include "sio/protocol/utf8.hpp"
#include "sio/protocol/websocket.hpp"

namespace sio::websocket {

// Readable failure messages for the events.
void PrintTo(const message& m, std::ostream* os) {
  *os << (m.binary ? "binary" : "text") << (m.compressed ? "(compressed)" : "") << "["
      << m.data.size() << "]\"" << m.data.substr(0, 40) << "\"";
}
void PrintTo(const control& c, std::ostream* os) {
  *os << (c.op == opcode::ping ? "ping" : "pong") << "\"" << c.payload << "\"";
}
void PrintTo(const close_frame& c, std::ostream* os) {
  *os << "close(" << c.code << ", \"" << c.reason << "\")";
}

}  // namespace sio::websocket

namespace {

using namespace sio::websocket;
using sio::errc;

using bytes = std::vector<unsigned char>;
using mask_key = std::array<unsigned char, 4>;

constexpr mask_key rfc_mask = {0x37, 0xfa, 0x21, 0x3d};

std::string str(const bytes& b) { return {b.begin(), b.end()}; }

// FIN + opcode (+ RSV bits) as the first header byte.
constexpr unsigned char fin(opcode op) { return 0x80 | static_cast<unsigned char>(op); }
constexpr unsigned char nofin(opcode op) { return static_cast<unsigned char>(op); }

// A masked client frame header. `form` forces the length encoding: 0 picks
// the minimal one, 7/16/64 pick the 7-bit, 16-bit or 64-bit form.
std::string client_header(unsigned char b0, std::uint64_t length, mask_key mask = rfc_mask,
                          int form = 0) {
  if (form == 0) form = length <= 125 ? 7 : length <= 0xFFFF ? 16 : 64;
  std::string h(1, static_cast<char>(b0));
  if (form == 7) {
    h.push_back(static_cast<char>(0x80 | length));
  } else if (form == 16) {
    h.push_back(static_cast<char>(0x80 | 126));
    h.push_back(static_cast<char>(length >> 8));
    h.push_back(static_cast<char>(length));
  } else {
    h.push_back(static_cast<char>(0x80 | 127));
    for (int i = 7; i >= 0; --i) h.push_back(static_cast<char>(length >> (8 * i)));
  }
  h.append(reinterpret_cast<const char*>(mask.data()), 4);
  return h;
}

std::string client_frame(unsigned char b0, std::string_view payload, mask_key mask = rfc_mask,
                         int form = 0) {
  std::string f = client_header(b0, payload.size(), mask, form);
  for (std::size_t i = 0; i < payload.size(); ++i)
    f.push_back(static_cast<char>(payload[i] ^ mask[i % 4]));
  return f;
}

std::string close_payload(std::uint16_t code, std::string_view reason = {}) {
  std::string p{static_cast<char>(code >> 8), static_cast<char>(code)};
  return p.append(reason);
}

event text(std::string s) { return message{false, std::move(s), false}; }
event binary(std::string s) { return message{true, std::move(s), false}; }
event ping(std::string s) { return control{opcode::ping, std::move(s)}; }
event pong(std::string s) { return control{opcode::pong, std::move(s)}; }
event closed(std::uint16_t code, std::string reason = {}) {
  return close_frame{code, std::move(reason)};
}

// What a reader made of an input: its events and the error, if any.
struct outcome {
  std::vector<event> events;
  bool ok = true;
  errc error{};

  friend bool operator==(const outcome&, const outcome&) = default;
};

void PrintTo(const outcome& o, std::ostream* os) {
  *os << (o.ok ? "ok" : std::string(sio::to_string(o.error))) << " with " << o.events.size()
      << " events";
  for (const auto& e : o.events) {
    *os << "\n  ";
    std::visit([os](const auto& v) { PrintTo(v, os); }, e);
  }
}

struct options {
  std::size_t max_message_bytes = 1 << 20;
  bool allow_rsv1 = false;
};

// Feeds `input` cut at each of `cuts` (ascending offsets).
outcome feed_cut(std::string_view input, const std::vector<std::size_t>& cuts, options opt) {
  reader r(opt.max_message_bytes, opt.allow_rsv1);
  outcome o;
  std::size_t from = 0;
  auto feed = [&](std::size_t to) {
    if (!o.ok) return;
    auto s = r.feed(input.substr(from, to - from), o.events);
    from = to;
    if (!s) {
      o.ok = false;
      o.error = s.error();
    }
  };
  for (auto cut : cuts) feed(cut);
  feed(input.size());
  return o;
}

// The outcome of `input` fed whole, after checking that every way of
// cutting it in two (a sample of them for large inputs) and feeding it one
// byte at a time give the same outcome.
outcome read_all(std::string_view input, options opt = {}) {
  outcome whole = feed_cut(input, {}, opt);
  std::size_t n = input.size();
  for (std::size_t cut = 0; cut <= n; ++cut) {
    bool sampled = n <= 4096 || cut < 40 || n - cut < 40 || cut % 1021 == 0;
    if (!sampled) continue;
    EXPECT_EQ(feed_cut(input, {cut}, opt), whole) << "cut at " << cut;
  }
  std::vector<std::size_t> every_byte(n);
  for (std::size_t i = 0; i < n; ++i) every_byte[i] = i;
  EXPECT_EQ(feed_cut(input, every_byte, opt), whole) << "one byte at a time";
  return whole;
}

outcome events(std::vector<event> e) { return {std::move(e), true, {}}; }
outcome failure(errc error, std::vector<event> before = {}) {
  return {std::move(before), false, error};
}
const outcome protocol_error = failure(errc::websocket_protocol_error);

// RFC 6455 section 1.3 and 4.2.2.

TEST(WebSocketAcceptKey, Rfc6455Example) {
  // Section 1.3's example, byte for byte ("...9kYGzzhZ...": two z's).
  EXPECT_EQ(accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WebSocketSha1, KnownDigests) {
  auto hex = [](std::string_view data) {
    auto d = sio::sha1::digest(data);
    std::string s;
    for (auto b : d) {
      s.push_back("0123456789abcdef"[b >> 4]);
      s.push_back("0123456789abcdef"[b & 15]);
    }
    return s;
  };
  EXPECT_EQ(hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  // Around the padding boundaries (55/56 bytes left in the last block).
  EXPECT_EQ(hex(std::string(55, 'a')), "c1c8bbdc22796e28c0e15163d20899b65621d65a");
  EXPECT_EQ(hex(std::string(56, 'a')), "c2db330f6083854c99d4b5bfb6e8f29f201be699");
  EXPECT_EQ(hex(std::string(63, 'a')), "03f09f5b158a7a8cdad920bddc29b81c18a551f5");
  EXPECT_EQ(hex(std::string(64, 'a')), "0098ba824b5c16427bd7a1122a5a442a25ec644d");
  EXPECT_EQ(hex(std::string(65, 'a')), "11655326c708d70319be2610e8a57d9a5b959d3b");
  EXPECT_EQ(hex(std::string(119, 'a')), "ee971065aaa017e0632a8ca6c77bb3bf8b1dfc56");
  EXPECT_EQ(hex(std::string(120, 'a')), "f34c1488385346a55709ba056ddd08280dd4c6d6");
  EXPECT_EQ(hex(std::string(1000000, 'a')), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

TEST(WebSocketUtf8, AcceptsWellFormedText) {
  EXPECT_TRUE(sio::utf8::valid(""));
  EXPECT_TRUE(sio::utf8::valid("plain ASCII that is longer than eight bytes"));
  EXPECT_TRUE(sio::utf8::valid("\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5"));  // κόσμε
  EXPECT_TRUE(sio::utf8::valid("\xC2\x80"));                                      // U+0080
  EXPECT_TRUE(sio::utf8::valid("\xE0\xA0\x80"));                                  // U+0800
  EXPECT_TRUE(sio::utf8::valid("\xED\x9F\xBF"));                                  // U+D7FF
  EXPECT_TRUE(sio::utf8::valid("\xEE\x80\x80"));                                  // U+E000
  EXPECT_TRUE(sio::utf8::valid("\xEF\xBF\xBF"));                                  // U+FFFF
  EXPECT_TRUE(sio::utf8::valid("\xF0\x90\x80\x80"));                              // U+10000
  EXPECT_TRUE(sio::utf8::valid("\xF4\x8F\xBF\xBF"));                              // U+10FFFF
  EXPECT_TRUE(sio::utf8::valid("0123456\xC3\xA9"));  // a character after an ASCII run
}

const std::vector<std::string> invalid_utf8 = {
    "\x80",              // lone continuation byte
    "\xBF",              // lone continuation byte
    "\xC0\x80",          // overlong NUL
    "\xC1\xBF",          // overlong
    "\xE0\x80\x80",      // overlong
    "\xE0\x9F\xBF",      // overlong U+07FF
    "\xF0\x8F\xBF\xBF",  // overlong U+FFFF
    "\xED\xA0\x80",      // surrogate U+D800
    "\xED\xBF\xBF",      // surrogate U+DFFF
    "\xF4\x90\x80\x80",  // U+110000
    "\xF5\x80\x80\x80",  // past U+10FFFF
    "\xFE",
    "\xFF",
    "\xC3",                  // truncated
    "\xE2\x82",              // truncated
    "\xF0\x9F\x98",          // truncated
    "\xC3\x28",              // bad continuation
    "\xE2\x28\xA1",          // bad continuation
    "\xF0\x9F\x98\x28",      // bad continuation
    "Hello\xED\xA0\x80xyz",  // surrogate after ASCII
    "01234567\xFF",          // after an 8-byte ASCII run
};

TEST(WebSocketUtf8, RejectsMalformedText) {
  for (const auto& s : invalid_utf8) EXPECT_FALSE(sio::utf8::valid(s)) << testing::PrintToString(s);
}

// Writing (server -> client): never masked, always FIN.

TEST(WebSocketWriter, EncodesHeaderLengths) {
  std::array<char, max_server_header> h;
  auto header = [&](opcode op, std::uint64_t size) {
    std::size_t n = encode_header(op, size, h);
    return bytes(h.begin(), h.begin() + static_cast<std::ptrdiff_t>(n));
  };
  EXPECT_EQ(header(opcode::text, 0), (bytes{0x81, 0x00}));
  EXPECT_EQ(header(opcode::text, 125), (bytes{0x81, 0x7D}));
  EXPECT_EQ(header(opcode::binary, 126), (bytes{0x82, 0x7E, 0x00, 0x7E}));
  EXPECT_EQ(header(opcode::binary, 256), (bytes{0x82, 0x7E, 0x01, 0x00}));
  EXPECT_EQ(header(opcode::binary, 65535), (bytes{0x82, 0x7E, 0xFF, 0xFF}));
  EXPECT_EQ(header(opcode::binary, 65536),
            (bytes{0x82, 0x7F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00}));
  EXPECT_EQ(header(opcode::binary, 0x0123456789ABCDEFu),
            (bytes{0x82, 0x7F, 0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF}));
  EXPECT_EQ(header(opcode::ping, 0), (bytes{0x89, 0x00}));
  EXPECT_EQ(header(opcode::pong, 5), (bytes{0x8A, 0x05}));
  EXPECT_EQ(header(opcode::close, 2), (bytes{0x88, 0x02}));
}

TEST(WebSocketWriter, AppendsRfc6455UnmaskedHello) {
  std::string out = "x";  // appends, keeps what was there
  append_frame(opcode::text, "Hello", out);
  EXPECT_EQ(out, "x" + str({0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}));
}

TEST(WebSocketWriter, AppendsLargeFrames) {
  std::string payload(65536, 'z');
  std::string out;
  append_frame(opcode::binary, payload, out);
  ASSERT_EQ(out.size(), 10 + payload.size());
  EXPECT_EQ(out.substr(0, 10), str({0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0}));
  EXPECT_EQ(out.substr(10), payload);
}

TEST(WebSocketWriter, AppendsClose) {
  std::string out;
  append_close(close_normal, "bye", out);
  EXPECT_EQ(out, str({0x88, 0x05, 0x03, 0xE8}) + "bye");
  out.clear();
  append_close(close_message_too_big, "", out);
  EXPECT_EQ(out, str({0x88, 0x02, 0x03, 0xF1}));
}

TEST(WebSocketWriter, AppendsEmptyCloseForNoStatus) {
  std::string out;
  append_close(close_no_status, "ignored", out);
  EXPECT_EQ(out, str({0x88, 0x00}));
}

TEST(WebSocketWriter, CutsLongCloseReasonAtCharacterBoundary) {
  std::string out;
  append_close(close_going_away, std::string(200, 'r'), out);
  ASSERT_EQ(out.size(), 2 + 125u);
  EXPECT_EQ(static_cast<unsigned char>(out[1]), 125);
  EXPECT_EQ(out.substr(4), std::string(123, 'r'));

  // 122 ASCII bytes, then a 2-byte character that would straddle the limit.
  out.clear();
  append_close(close_going_away, std::string(122, 'r') + "\xC3\xA9tail", out);
  EXPECT_EQ(static_cast<unsigned char>(out[1]), 124);
  EXPECT_EQ(out.substr(4), std::string(122, 'r'));

  // What was written reads back as a valid close frame.
  std::string masked = client_frame(fin(opcode::close), out.substr(2));
  EXPECT_EQ(read_all(masked), events({closed(close_going_away, std::string(122, 'r'))}));
}

TEST(WebSocketWriter, MapsErrorsToCloseCodes) {
  EXPECT_EQ(close_code(errc::websocket_protocol_error), 1002);
  EXPECT_EQ(close_code(errc::websocket_invalid_utf8), 1007);
  EXPECT_EQ(close_code(errc::websocket_message_too_big), 1009);
  EXPECT_EQ(close_code(errc::too_large), 1009);
  EXPECT_EQ(close_code(errc::invalid_json), 1002);
}

// Reading: RFC 6455 section 5.7 examples.

TEST(WebSocketReader, ReadsRfc6455MaskedHello) {
  auto in = str({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58});
  EXPECT_EQ(in, client_frame(0x81, "Hello"));
  EXPECT_EQ(read_all(in), events({text("Hello")}));
}

TEST(WebSocketReader, ReassemblesFragmentedHello) {
  auto in = client_frame(nofin(opcode::text), "Hel") +
            client_frame(fin(opcode::continuation), "lo", {1, 2, 3, 4});
  EXPECT_EQ(read_all(in), events({text("Hello")}));
}

TEST(WebSocketReader, ReadsPingAndPong) {
  auto in = client_frame(fin(opcode::ping), "Hello");
  EXPECT_EQ(static_cast<unsigned char>(in[0]), 0x89);
  // The RFC's masked pong response, byte for byte.
  auto pong_in = str({0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58});
  EXPECT_EQ(read_all(in + pong_in), events({ping("Hello"), pong("Hello")}));
}

TEST(WebSocketReader, Reads256ByteBinaryWith16BitLength) {
  std::string payload(256, '\0');
  for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>(i);
  auto in = client_frame(fin(opcode::binary), payload);
  EXPECT_EQ(in.substr(0, 4), str({0x82, 0xFE, 0x01, 0x00}));
  EXPECT_EQ(read_all(in), events({binary(payload)}));
}

TEST(WebSocketReader, Reads64KiBBinaryWith64BitLength) {
  std::string payload(65536, '\0');
  for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>(i * 7 + 3);
  auto in = client_frame(fin(opcode::binary), payload, {0xA1, 0xB2, 0xC3, 0xD4});
  EXPECT_EQ(in.substr(0, 10), str({0x82, 0xFF, 0, 0, 0, 0, 0, 1, 0, 0}));
  EXPECT_EQ(read_all(in), events({binary(payload)}));
}

// Reading: more valid input.

TEST(WebSocketReader, UnmasksEveryLengthAndMask) {
  std::mt19937 rng(6455);
  for (std::size_t len = 0; len <= 70; ++len) {
    std::string payload(len, '\0');
    for (auto& c : payload) c = static_cast<char>(rng());
    mask_key mask;
    for (auto& m : mask) m = static_cast<unsigned char>(rng());
    // Fragmented at an odd offset so the second frame's mask restarts while
    // the message buffer's length is not a multiple of 4.
    std::size_t first = len / 3;
    auto in = client_frame(nofin(opcode::binary), payload.substr(0, first), mask) +
              client_frame(fin(opcode::continuation), payload.substr(first), {mask[3], 9, 8, 7});
    EXPECT_EQ(read_all(in), events({binary(payload)})) << "length " << len;
  }
}

TEST(WebSocketReader, ReadsControlFramesBetweenFragments) {
  auto in = client_frame(nofin(opcode::text), "Hel") + client_frame(fin(opcode::ping), "p1") +
            client_frame(nofin(opcode::continuation), "") + client_frame(fin(opcode::pong), "") +
            client_frame(fin(opcode::continuation), "lo") + client_frame(fin(opcode::text), "!");
  EXPECT_EQ(read_all(in), events({ping("p1"), pong(""), text("Hello"), text("!")}));
}

TEST(WebSocketReader, ReadsEmptyMessages) {
  auto in = client_frame(fin(opcode::text), "") + client_frame(fin(opcode::binary), "") +
            client_frame(nofin(opcode::text), "") + client_frame(fin(opcode::continuation), "");
  EXPECT_EQ(read_all(in), events({text(""), binary(""), text("")}));
}

TEST(WebSocketReader, ReadsManyFramesInOneInput) {
  std::string in;
  std::vector<event> expected;
  for (int i = 0; i < 50; ++i) {
    std::string s(static_cast<std::size_t>(i * 5), static_cast<char>('a' + i % 26));
    in += client_frame(fin(i % 2 ? opcode::binary : opcode::text), s,
                       {static_cast<unsigned char>(i), 1, 2, 3});
    expected.push_back(i % 2 ? binary(s) : text(s));
  }
  EXPECT_EQ(read_all(in), events(expected));
}

TEST(WebSocketReader, AcceptsNonMinimalLengthEncoding) {
  // RFC 6455 asks senders for the minimal form but does not require a
  // receiver to refuse the others; browsers and ws accept them too.
  auto in = client_frame(fin(opcode::text), "Hi", rfc_mask, 16) +
            client_frame(fin(opcode::text), "Ho", rfc_mask, 64);
  EXPECT_EQ(read_all(in), events({text("Hi"), text("Ho")}));
}

TEST(WebSocketReader, AcceptsUtf8CharacterSplitAcrossFragments) {
  std::string kosme = "\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5";
  auto in = client_frame(nofin(opcode::text), kosme.substr(0, 4)) +
            client_frame(nofin(opcode::continuation), kosme.substr(4, 1)) +
            client_frame(fin(opcode::continuation), kosme.substr(5));
  EXPECT_EQ(read_all(in), events({text(kosme)}));
}

TEST(WebSocketReader, DoesNotCheckBinaryForUtf8) {
  EXPECT_EQ(read_all(client_frame(fin(opcode::binary), "\xFF\xC0\x80")),
            events({binary("\xFF\xC0\x80")}));
}

TEST(WebSocketReader, AcceptsMessageOfExactlyTheLimit) {
  options opt{10};
  EXPECT_EQ(read_all(client_frame(fin(opcode::text), "0123456789"), opt),
            events({text("0123456789")}));
  auto in = client_frame(nofin(opcode::binary), "01234") +
            client_frame(fin(opcode::continuation), "56789") +
            client_frame(fin(opcode::text), "0123456789");
  EXPECT_EQ(read_all(in, opt), events({binary("0123456789"), text("0123456789")}));
}

TEST(WebSocketReader, ControlFramesDoNotCountAgainstTheLimit) {
  auto in = client_frame(nofin(opcode::text), "01234") +
            client_frame(fin(opcode::ping), std::string(125, 'p')) +
            client_frame(fin(opcode::continuation), "");
  EXPECT_EQ(read_all(in, {5}), events({ping(std::string(125, 'p')), text("01234")}));
}

TEST(WebSocketReader, ReadsCloseWithCodeAndReason) {
  auto in = client_frame(fin(opcode::close), close_payload(1000, "bye \xC3\xA9"));
  EXPECT_EQ(read_all(in), events({closed(1000, "bye \xC3\xA9")}));
}

TEST(WebSocketReader, ReportsNoStatusForEmptyClose) {
  EXPECT_EQ(read_all(client_frame(fin(opcode::close), "")), events({closed(1005)}));
}

TEST(WebSocketReader, AcceptsValidCloseCodes) {
  for (std::uint16_t code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014,
                             3000, 3999, 4000, 4999}) {
    EXPECT_TRUE(valid_close_code(code)) << code;
    EXPECT_EQ(read_all(client_frame(fin(opcode::close), close_payload(code))),
              events({closed(code)}))
        << code;
  }
}

TEST(WebSocketReader, IgnoresInputAfterClose) {
  reader r(100);
  std::vector<event> out;
  auto in = client_frame(fin(opcode::close), close_payload(1001)) +
            client_frame(fin(opcode::text), "after") + "\x00garbage";
  ASSERT_TRUE(r.feed(in, out).ok());
  EXPECT_TRUE(r.closed());
  ASSERT_TRUE(r.feed(client_frame(fin(opcode::text), "later"), out).ok());
  EXPECT_EQ(out, std::vector<event>{closed(1001)});
}

TEST(WebSocketReader, ReportsCompressedMessageWhenRsv1Allowed) {
  options opt{1 << 20, true};
  // Deflated bytes are not UTF-8; the caller checks after inflating.
  const std::string deflated("\xFF\x00", 2);
  auto in = client_frame(fin(opcode::text) | 0x40, deflated) +
            client_frame(nofin(opcode::binary) | 0x40, "ab") +
            client_frame(fin(opcode::continuation), "cd") + client_frame(fin(opcode::text), "t");
  EXPECT_EQ(read_all(in, opt),
            events({message{false, deflated, true}, message{true, "abcd", true}, text("t")}));
}

// Reading: violations and their close codes.

TEST(WebSocketReader, RejectsUnmaskedFrame) {
  auto in = str({0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f});
  EXPECT_EQ(read_all(in), protocol_error);
  EXPECT_EQ(close_code(protocol_error.error), 1002);
  // Known from the first two bytes, before the payload arrives.
  reader r(100);
  std::vector<event> out;
  auto s = r.feed(in.substr(0, 2), out);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error(), errc::websocket_protocol_error);
}

TEST(WebSocketReader, RejectsReservedBits) {
  for (unsigned char rsv : {0x40, 0x20, 0x10, 0x70}) {
    EXPECT_EQ(read_all(client_frame(fin(opcode::text) | rsv, "x")), protocol_error) << int{rsv};
    EXPECT_EQ(read_all(client_frame(fin(opcode::ping) | rsv, "x")), protocol_error) << int{rsv};
  }
}

TEST(WebSocketReader, RejectsRsv1WhereDeflateForbidsIt) {
  options opt{1 << 20, true};
  // Not on continuation frames, not on control frames, and RSV2/RSV3 never.
  EXPECT_EQ(read_all(client_frame(nofin(opcode::text) | 0x40, "a") +
                         client_frame(fin(opcode::continuation) | 0x40, "b"),
                     opt),
            protocol_error);
  EXPECT_EQ(read_all(client_frame(fin(opcode::ping) | 0x40, ""), opt), protocol_error);
  EXPECT_EQ(read_all(client_frame(fin(opcode::close) | 0x40, ""), opt), protocol_error);
  EXPECT_EQ(read_all(client_frame(fin(opcode::text) | 0x20, "a"), opt), protocol_error);
  EXPECT_EQ(read_all(client_frame(fin(opcode::text) | 0x50, "a"), opt), protocol_error);
}

TEST(WebSocketReader, RejectsUnknownOpcodes) {
  for (unsigned char op : {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF}) {
    EXPECT_EQ(read_all(client_frame(0x80 | op, "x")), protocol_error) << int{op};
    EXPECT_EQ(read_all(client_frame(0x80 | op, "")), protocol_error) << int{op};
  }
}

TEST(WebSocketReader, RejectsControlFrameOver125Bytes) {
  EXPECT_EQ(read_all(client_frame(fin(opcode::ping), std::string(125, 'p'))),
            events({ping(std::string(125, 'p'))}));
  for (auto op : {opcode::ping, opcode::pong, opcode::close}) {
    EXPECT_EQ(read_all(client_frame(fin(op), std::string(126, 'p'))), protocol_error);
    // Even a small payload may not use an extended length form.
    EXPECT_EQ(read_all(client_frame(fin(op), "", rfc_mask, 16)), protocol_error);
    EXPECT_EQ(read_all(client_frame(fin(op), "", rfc_mask, 64)), protocol_error);
  }
}

TEST(WebSocketReader, RejectsFragmentedControlFrame) {
  for (auto op : {opcode::ping, opcode::pong, opcode::close})
    EXPECT_EQ(read_all(client_frame(nofin(op), "")), protocol_error);
}

TEST(WebSocketReader, RejectsContinuationWithoutMessage) {
  EXPECT_EQ(read_all(client_frame(fin(opcode::continuation), "x")), protocol_error);
  EXPECT_EQ(read_all(client_frame(nofin(opcode::continuation), "")), protocol_error);
  // After a message has ended, too.
  auto in = client_frame(fin(opcode::text), "done") + client_frame(fin(opcode::continuation), "x");
  EXPECT_EQ(read_all(in), failure(errc::websocket_protocol_error, {text("done")}));
}

TEST(WebSocketReader, RejectsNewMessageWhileOneIsInProgress) {
  for (auto op : {opcode::text, opcode::binary}) {
    auto in = client_frame(nofin(opcode::text), "Hel") + client_frame(fin(op), "lo");
    EXPECT_EQ(read_all(in), protocol_error);
  }
}

TEST(WebSocketReader, RejectsLengthWithMostSignificantBitSet) {
  auto in = client_header(fin(opcode::binary), 0x8000000000000001u) + "xxxx";
  EXPECT_EQ(read_all(in, {~std::size_t{0}}), protocol_error);
}

TEST(WebSocketReader, RejectsTooBigMessageFromItsHeader) {
  const outcome too_big = failure(errc::websocket_message_too_big);
  EXPECT_EQ(close_code(too_big.error), 1009);
  EXPECT_EQ(read_all(client_frame(fin(opcode::text), "01234567890"), {10}), too_big);
  EXPECT_EQ(read_all(client_frame(fin(opcode::binary), std::string(70000, 'b')), {65536}), too_big);
  // The header alone is enough: the payload is never buffered.
  for (std::uint64_t length :
       {std::uint64_t{11}, std::uint64_t{1} << 40, std::uint64_t{0x7FFFFFFFFFFFFFFF}})
    EXPECT_EQ(read_all(client_header(fin(opcode::binary), length), {10}), too_big) << length;
  // The sum of the fragments counts.
  auto in = client_frame(nofin(opcode::text), "012345") +
            client_frame(nofin(opcode::continuation), "6789") +
            client_frame(fin(opcode::continuation), "x");
  EXPECT_EQ(read_all(in, {10}), too_big);
  EXPECT_EQ(read_all(client_frame(fin(opcode::text), "x"), {0}), too_big);
}

TEST(WebSocketReader, RejectsInvalidUtf8InTextMessage) {
  const outcome bad_utf8 = failure(errc::websocket_invalid_utf8);
  EXPECT_EQ(close_code(bad_utf8.error), 1007);
  for (const auto& s : invalid_utf8) {
    EXPECT_EQ(read_all(client_frame(fin(opcode::text), s)), bad_utf8) << testing::PrintToString(s);
    // A fragmented message that ends in the middle of a character.
    auto in = client_frame(nofin(opcode::text), "ok ") + client_frame(fin(opcode::continuation), s);
    EXPECT_EQ(read_all(in), bad_utf8) << testing::PrintToString(s);
  }
}

TEST(WebSocketReader, RejectsCloseWithOneBytePayload) {
  EXPECT_EQ(read_all(client_frame(fin(opcode::close), "\x03")), protocol_error);
}

TEST(WebSocketReader, RejectsInvalidCloseCodes) {
  for (std::uint16_t code :
       {0, 1, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535}) {
    EXPECT_FALSE(valid_close_code(code)) << code;
    EXPECT_EQ(read_all(client_frame(fin(opcode::close), close_payload(code, "r"))), protocol_error)
        << code;
  }
}

TEST(WebSocketReader, RejectsInvalidUtf8InCloseReason) {
  auto in = client_frame(fin(opcode::close), close_payload(1000, "bad \xED\xA0\x80"));
  EXPECT_EQ(read_all(in), failure(errc::websocket_invalid_utf8));
}

TEST(WebSocketReader, KeepsEventsBeforeTheError) {
  auto in = client_frame(fin(opcode::text), "one") + client_frame(fin(opcode::ping), "p") +
            str({0x81, 0x01, 'x'}) + client_frame(fin(opcode::text), "never");
  EXPECT_EQ(read_all(in), failure(errc::websocket_protocol_error, {text("one"), ping("p")}));
}

TEST(WebSocketReader, StaysFailedAfterError) {
  reader r(100);
  std::vector<event> out;
  auto s = r.feed(client_frame(fin(opcode::text), "\xFF"), out);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error(), errc::websocket_invalid_utf8);
  EXPECT_TRUE(r.failed());
  auto again = r.feed(client_frame(fin(opcode::text), "fine"), out);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error(), errc::websocket_invalid_utf8);
  EXPECT_TRUE(out.empty());
}

}  // namespace
