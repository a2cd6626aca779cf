// The gateway over real loopback sockets: its request timeout (a client that
// is slow to send its request head is closed, one that sends it whole is
// answered) and the options of the sockets it accepts.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <chrono>
#include <filesystem>
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
struct LoopbackGateway : ::testing::Test {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  sio::gateway gw{sys, caf::actor{}, [] {
                    sio::gateway_options o;
                    o.bind_address = "127.0.0.1";
                    o.port = 0;
                    // Long enough that a loaded machine's stalls (up to
                    // 0.65 s seen) cannot fire it between a request's parts.
                    o.request_timeout = 1500ms;
                    return o;
                  }()};
  asio::io_context io;
  tcp::socket client{io};

  void SetUp() override {
    gw.start(1);
    client.connect({asio::ip::make_address("127.0.0.1"), gw.port()});
    // Every read below gives up after 10 s rather than hang the test.
    timeval limit{10, 0};
    setsockopt(client.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  }
  void TearDown() override { gw.stop(); }

  void send(const std::string& bytes) { asio::write(client, asio::buffer(bytes)); }

  // Reads until the server closes the connection (true) or 10 s pass (false).
  bool read_until_closed(std::string& got) {
    char buf[4096];
    for (;;) {
      boost::system::error_code ec;
      auto n = client.read_some(asio::buffer(buf), ec);
      got.append(buf, n);
      if (ec == asio::error::eof || ec == asio::error::connection_reset) return true;
      if (ec) return false;  // the 10 s limit
    }
  }
};

TEST_F(LoopbackGateway, AClientThatSendsNothingIsClosed) {
  auto start = std::chrono::steady_clock::now();
  std::string got;
  ASSERT_TRUE(read_until_closed(got));
  EXPECT_EQ(got, "");
  EXPECT_GE(std::chrono::steady_clock::now() - start, 1400ms);  // not before its time
}

TEST_F(LoopbackGateway, AClientThatStopsHalfWayThroughItsRequestIsClosed) {
  send("GET /x HTTP/1.1\r\nHo");
  std::string got;
  ASSERT_TRUE(read_until_closed(got));
  EXPECT_EQ(got, "");
}

TEST_F(LoopbackGateway, ARequestSentWholeIsAnsweredAndTheIdleConnectionClosedLater) {
  send("GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n");
  std::string got;
  ASSERT_TRUE(read_until_closed(got));
  EXPECT_EQ(got.rfind("HTTP/1.1 404", 0), 0u) << got;
}

TEST_F(LoopbackGateway, ARequestInTwoPartsIsAnswered) {
  send("GET /x HTTP/1.1\r\nHo");
  std::this_thread::sleep_for(50ms);
  send("st: localhost\r\n\r\n");
  std::string got;
  ASSERT_TRUE(read_until_closed(got));
  EXPECT_EQ(got.rfind("HTTP/1.1 404", 0), 0u) << got;
}

// The gateway runs in this process: its end of the connection is the socket
// here whose peer is the client.
int accepted_socket(const tcp::socket& client) {
  auto client_end = client.local_endpoint();
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    int fd = std::stoi(entry.path().filename().string());
    sockaddr_in peer{};
    socklen_t len = sizeof peer;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &len) != 0 ||
        peer.sin_family != AF_INET)
      continue;
    if (ntohs(peer.sin_port) == client_end.port()) return fd;
  }
  return -1;
}

TEST_F(LoopbackGateway, AcceptedConnectionsSendWithoutDelay) {
  send("GET /x HTTP/1.1\r\nHost: localhost\r\n\r\n");  // accepted by the time it answers
  char buf[16];
  ASSERT_GT(client.read_some(asio::buffer(buf)), 0u);
  int fd = accepted_socket(client);
  ASSERT_GE(fd, 0);
  int nodelay = 0;
  socklen_t len = sizeof nodelay;
  ASSERT_EQ(getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &nodelay, &len), 0);
  EXPECT_EQ(nodelay, 1);  // Nagle off: a frame does not wait for the previous one's ACK
}

}  // namespace
