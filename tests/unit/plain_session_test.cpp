// A plain WebSocket client through the real gateway and a real connection
// actor over loopback, with an Engine.IO-level handler standing in for the
// Socket.IO layer, so the test decides when the socket counts as connected.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/send.hpp>

#include "sio/actors/session_registry.hpp"
#include "sio/gateway/gateway.hpp"

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// What the handler heard, in order; the test thread waits on it.
struct journal {
  std::mutex m;
  std::condition_variable changed;
  std::vector<std::string> messages;
  std::size_t heard_before_connect = 0;

  void add(std::string s) {
    std::lock_guard lock{m};
    messages.push_back(std::move(s));
    changed.notify_all();
  }
  bool wait_for(std::size_t n) {
    std::unique_lock lock{m};
    return changed.wait_for(lock, 10s, [&] { return messages.size() >= n; });
  }
};

// Acknowledges the socket's CONNECT only at the first ping, long after the
// client's first messages arrived, as a slow middleware would.
class late_connect final : public sio::session_handler {
 public:
  explicit late_connect(journal& j) : journal_(j) {}
  void on_message(sio::engine_session&, std::string data, bool binary) override {
    journal_.add(binary ? "binary:" + data : data);
  }
  void on_ping(sio::engine_session& s) override {
    if (connected_) return;
    connected_ = true;
    {
      std::lock_guard lock{journal_.m};
      journal_.heard_before_connect = journal_.messages.size();
    }
    s.send_text("0");                        // CONNECT
    s.send_text(R"(2["message","ready"])");  // emit("message", "ready")
  }

 private:
  journal& journal_;
  bool connected_ = false;
};

std::string masked_text(const std::string& payload) {
  std::string f;
  f.push_back(static_cast<char>(0x81));
  f.push_back(static_cast<char>(0x80 | payload.size()));
  f.append(4, '\0');  // a zero mask leaves the payload as it is
  return f + payload;
}

struct PlainSession : ::testing::Test {
  journal heard;
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  sio::engine_options engine = [] {
    sio::engine_options e;
    e.ping_interval = 200ms;
    e.max_payload = 64;
    return e;
  }();
  caf::actor registry = sio::spawn_session_registry(
      sys, engine, [this] { return std::make_unique<late_connect>(heard); });
  sio::gateway gw{sys, registry,
                  [] {
                    sio::gateway_options o;
                    o.bind_address = "127.0.0.1";
                    o.port = 0;
                    o.ws_path = "/ws";
                    o.ws_namespace = "/things";
                    return o;
                  }(),
                  engine};
  asio::io_context io;
  tcp::socket client{io};

  void SetUp() override {
    gw.start(1);
    client.connect({asio::ip::make_address("127.0.0.1"), gw.port()});
    timeval limit{10, 0};
    setsockopt(client.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  }
  void TearDown() override {
    client.close();
    gw.stop();
    caf::anon_send_exit(registry, caf::exit_reason::user_shutdown);
  }

  // The next whole server frame (unmasked, short): opcode and payload.
  std::pair<int, std::string> next_frame() {
    while (true) {
      if (buffer.size() >= 2) {
        std::size_t len = static_cast<unsigned char>(buffer[1]) & 0x7F;
        if (len < 126 && buffer.size() >= 2 + len) {
          int op = static_cast<unsigned char>(buffer[0]) & 0x0F;
          auto payload = buffer.substr(2, len);
          buffer.erase(0, 2 + len);
          return {op, payload};
        }
      }
      char chunk[1024];
      boost::system::error_code ec;
      auto n = client.read_some(asio::buffer(chunk), ec);
      if (ec) return {-1, ec.message()};
      buffer.append(chunk, n);
    }
  }

  // Sends the upgrade request and `frames` in one write; reads the response head.
  std::string open_with(const std::string& frames) {
    asio::write(client, asio::buffer("GET /ws?x=1 HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n"
                                     "Connection: Upgrade\r\nSec-WebSocket-Key: "
                                     "dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: "
                                     "13\r\n\r\n" +
                                     frames));
    std::string head;
    while (head.find("\r\n\r\n") == std::string::npos) {
      char c;
      boost::system::error_code ec;
      if (client.read_some(asio::buffer(&c, 1), ec) != 1) break;
      head.push_back(c);
    }
    return head;
  }

  std::string buffer;
};

TEST_F(PlainSession, MessagesSentBeforeTheSocketIsConnectedWaitForIt) {
  auto head = open_with(masked_text("early") + masked_text("bird"));
  EXPECT_EQ(head.rfind("HTTP/1.1 101", 0), 0u) << head;

  // The Engine.IO ping is a WebSocket ping; the open and CONNECT packets
  // are not seen; emit("message", "ready") is the text frame "ready".
  auto ping = next_frame();
  EXPECT_EQ(ping.first, 0x9);
  auto ready = next_frame();
  EXPECT_EQ(ready, (std::pair<int, std::string>{0x1, "ready"}));

  ASSERT_TRUE(heard.wait_for(3));
  std::lock_guard lock{heard.m};
  EXPECT_EQ(heard.heard_before_connect, 1u);  // the CONNECT alone
  EXPECT_EQ(heard.messages, (std::vector<std::string>{"0/things,",
                                                      R"(2/things,["message","early"])",
                                                      R"(2/things,["message","bird"])"}));
}

TEST_F(PlainSession, MoreThanOneMessageWorthOfBytesBeforeConnectIsAPolicyViolation) {
  std::string frames;
  for (int i = 0; i < 5; ++i) frames += masked_text(std::string(20, 'x'));  // 100 > 64 bytes
  auto head = open_with(frames);
  EXPECT_EQ(head.rfind("HTTP/1.1 101", 0), 0u) << head;
  auto close = next_frame();
  EXPECT_EQ(close.first, 0x8);
  EXPECT_EQ(close.second, std::string("\x03\xf0") + "too much sent before connect");  // 1008
  ASSERT_TRUE(heard.wait_for(1));
  std::lock_guard lock{heard.m};
  EXPECT_EQ(heard.messages, std::vector<std::string>{"0/things,"});
}

}  // namespace
