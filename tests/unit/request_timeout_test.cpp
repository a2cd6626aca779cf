// The gateway's request timeout, over real sockets: a client that is slow to
// send its request head is closed, and one that sends it whole is answered.
#include <sys/socket.h>
#include <sys/time.h>

#include <chrono>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include "sio/gateway/gateway.hpp"

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// No request here reaches Engine.IO, so the gateway needs no registry.
struct RequestTimeout : ::testing::Test {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  sio::gateway gw{sys, caf::actor{}, [] {
                    sio::gateway_options o;
                    o.bind_address = "127.0.0.1";
                    o.port = 0;
                    o.request_timeout = 300ms;
                    return o;
                  }()};
  asio::io_context io;
  tcp::socket client{io};

  void SetUp() override {
    gw.start(1);
    client.connect({asio::ip::make_address("127.0.0.1"), gw.port()});
    // Every read below gives up after 5 s rather than hang the test.
    timeval limit{5, 0};
    setsockopt(client.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  }
  void TearDown() override { gw.stop(); }

  void send(const std::string& bytes) { asio::write(client, asio::buffer(bytes)); }

  // Reads until the server closes the connection (true) or 5 s pass (false).
  bool read_until_closed(std::string& got) {
    char buf[4096];
    for (;;) {
      boost::system::error_code ec;
      auto n = client.read_some(asio::buffer(buf), ec);
      got.append(buf, n);
      if (ec == asio::error::eof || ec == asio::error::connection_reset) return true;
      if (ec) return false;  // the 5 s limit
    }
  }
};

TEST_F(RequestTimeout, AClientThatSendsNothingIsClosed) {
  auto start = std::chrono::steady_clock::now();
  std::string got;
  ASSERT_TRUE(read_until_closed(got));
  EXPECT_EQ(got, "");
  EXPECT_GE(std::chrono::steady_clock::now() - start, 250ms);  // not before its time
}

TEST_F(RequestTimeout, AClientThatStopsHalfWayThroughItsRequestIsClosed) {
  send("GET /x HTTP/1.1\r\nHo");
  std::string got;
  ASSERT_TRUE(read_until_closed(got));
  EXPECT_EQ(got, "");
}

TEST_F(RequestTimeout, ARequestSentWholeIsAnsweredAndTheIdleConnectionClosedLater) {
  send("GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n");
  std::string got;
  ASSERT_TRUE(read_until_closed(got));
  EXPECT_EQ(got.rfind("HTTP/1.1 404", 0), 0u) << got;
}

TEST_F(RequestTimeout, ARequestInTwoPartsIsAnswered) {
  send("GET /x HTTP/1.1\r\nHo");
  std::this_thread::sleep_for(50ms);
  send("st: localhost\r\n\r\n");
  std::string got;
  ASSERT_TRUE(read_until_closed(got));
  EXPECT_EQ(got.rfind("HTTP/1.1 404", 0), 0u) << got;
}

}  // namespace
