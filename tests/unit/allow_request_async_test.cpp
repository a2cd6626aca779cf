// allow_request_async over real loopback connections to a started server: a
// handshake (polling or WebSocket) waits, unanswered, until the test answers
// the hook from its own thread; then it is let through or refused with the
// hook's message. A callback dropped unanswered refuses; only the first
// answer counts.
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include "sio/sio.hpp"

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

constexpr const char* polling_handshake =
    "GET /socket.io/?EIO=4&transport=polling&who=ana HTTP/1.1\r\nHost: localhost\r\n\r\n";
constexpr const char* websocket_handshake =
    "GET /socket.io/?EIO=4&transport=websocket&who=bo HTTP/1.1\r\nHost: localhost\r\n"
    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

struct AllowRequestAsync : ::testing::Test {
  /// The hook's calls, as the test sees them.
  struct asked {
    std::string url;
    sio::gateway_options::allow_request_callback answer;
  };

  /// What the hook does with its callback: keep it for the test (default) or drop it.
  bool keep_callbacks = true;
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<asked> calls;

  caf::actor_system_config cfg;
  caf::actor_system sys{[this]() -> caf::actor_system_config& {
    sio::apply_scheduler_defaults(cfg, 2);
    return cfg;
  }()};
  std::optional<sio::running_server> server;
  asio::io_context io;
  tcp::socket client{io};

  void start() {
    sio::server_options o;
    o.gateway.bind_address = "127.0.0.1";
    o.gateway.port = 0;
    o.io_threads = 1;
    o.gateway.allow_request_async = [this](const sio::request_info& info,
                                           sio::gateway_options::allow_request_callback cb) {
      std::lock_guard<std::mutex> lock(mutex);
      calls.push_back({std::string(info.url()), keep_callbacks ? std::move(cb) : nullptr});
      changed.notify_all();
    };
    server.emplace(sio::start(sys, o, [](sio::server&) {}));
    client.connect({asio::ip::make_address("127.0.0.1"), server->port()});
    // Every read below gives up after 10 s rather than hang the test.
    timeval limit{10, 0};
    setsockopt(client.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  }

  void TearDown() override {
    {
      // Answers never given must not outlive the server.
      std::lock_guard<std::mutex> lock(mutex);
      calls.clear();
    }
    if (server) server->stop();
  }

  void send(const std::string& bytes) { asio::write(client, asio::buffer(bytes)); }

  /// Waits (at most 10 s) until the hook was asked `n` times.
  bool hook_called(std::size_t n) {
    std::unique_lock<std::mutex> lock(mutex);
    return changed.wait_for(lock, 10s, [&] { return calls.size() >= n; });
  }

  void answer(std::size_t i, bool allowed, std::string message = {}) {
    sio::gateway_options::allow_request_callback cb;
    {
      std::lock_guard<std::mutex> lock(mutex);
      cb = calls.at(i).answer;
    }
    cb(allowed, std::move(message));
  }

  /// Reads until `needle` arrived, the server closed, or 10 s passed.
  std::string read_until(const std::string& needle) {
    std::string got;
    char buf[4096];
    while (got.find(needle) == std::string::npos) {
      boost::system::error_code ec;
      auto n = client.read_some(asio::buffer(buf), ec);
      got.append(buf, n);
      if (ec) break;
    }
    return got;
  }
};

TEST_F(AllowRequestAsync, APollingHandshakeWaitsForTheAnswerThenOpensTheSession) {
  start();
  send(polling_handshake);
  ASSERT_TRUE(hook_called(1));
  EXPECT_NE(calls[0].url.find("who=ana"), std::string::npos);
  // Nothing can have been answered: the hook has not decided.
  EXPECT_EQ(client.available(), 0u);
  answer(0, true);
  auto got = read_until("\"sid\"");
  EXPECT_EQ(got.rfind("HTTP/1.1 200", 0), 0u) << got;
  EXPECT_NE(got.find("\"sid\""), std::string::npos) << got;
}

TEST_F(AllowRequestAsync, APollingHandshakeRefusedLaterGets403WithTheHooksMessage) {
  start();
  send(polling_handshake);
  ASSERT_TRUE(hook_called(1));
  answer(0, false, "come back tomorrow");
  auto got = read_until("}");
  EXPECT_EQ(got.rfind("HTTP/1.1 403", 0), 0u) << got;
  EXPECT_NE(got.find(R"({"code":4,"message":"come back tomorrow"})"), std::string::npos) << got;
}

TEST_F(AllowRequestAsync, AWebSocketHandshakeWaitsForTheAnswerThenUpgrades) {
  start();
  send(websocket_handshake);
  ASSERT_TRUE(hook_called(1));
  EXPECT_NE(calls[0].url.find("who=bo"), std::string::npos);
  EXPECT_EQ(client.available(), 0u);
  answer(0, true);
  // The 101, then the Engine.IO open packet in a WebSocket text frame.
  auto got = read_until("\"sid\"");
  EXPECT_EQ(got.rfind("HTTP/1.1 101", 0), 0u) << got;
  EXPECT_NE(got.find("0{\"sid\""), std::string::npos) << got;
}

TEST_F(AllowRequestAsync, AWebSocketHandshakeRefusedLaterGetsTheHooksMessage) {
  start();
  send(websocket_handshake);
  ASSERT_TRUE(hook_called(1));
  answer(0, false, "banned");
  auto got = read_until("banned");
  EXPECT_EQ(got.rfind("HTTP/1.1 400", 0), 0u) << got;
  EXPECT_NE(got.find("\r\n\r\nbanned"), std::string::npos) << got;
}

TEST_F(AllowRequestAsync, ACallbackDroppedUnansweredRefuses) {
  keep_callbacks = false;
  start();
  send(polling_handshake);
  ASSERT_TRUE(hook_called(1));
  auto got = read_until("}");
  EXPECT_EQ(got.rfind("HTTP/1.1 403", 0), 0u) << got;
  EXPECT_NE(got.find(R"("message":"Forbidden")"), std::string::npos) << got;
}

TEST_F(AllowRequestAsync, OnlyTheFirstAnswerCounts) {
  start();
  send(polling_handshake);
  ASSERT_TRUE(hook_called(1));
  answer(0, true);
  answer(0, false, "too late");
  auto got = read_until("\"sid\"");
  EXPECT_EQ(got.rfind("HTTP/1.1 200", 0), 0u) << got;
  // The connection goes on: a second request on it is served.
  send("GET /nothing-here HTTP/1.1\r\nHost: localhost\r\n\r\n");
  auto next = read_until("Not Found");
  EXPECT_NE(next.find("HTTP/1.1 404"), std::string::npos) << next;
  EXPECT_EQ(next.find("too late"), std::string::npos) << next;
}

// The hook may keep its callback past the stop, and past the server: the
// stop lets go of the connection that waits (it closes rather than stay
// open on an answer that can no longer come), and an answer given after
// the server is gone does nothing.
TEST_F(AllowRequestAsync, AnAnswerKeptPastTheStopDoesNothingAndTheConnectionCloses) {
  start();
  send(polling_handshake);
  ASSERT_TRUE(hook_called(1));
  server->stop();
  pollfd readable{client.native_handle(), POLLIN, 0};
  ASSERT_EQ(poll(&readable, 1, 10000), 1) << "the connection stayed open 10 s after the stop";
  char buf[256];
  boost::system::error_code ec;
  auto n = client.read_some(asio::buffer(buf), ec);
  EXPECT_EQ(n, 0u);
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
  server.reset();
  answer(0, true);
  answer(0, false, "later still");
}

}  // namespace
