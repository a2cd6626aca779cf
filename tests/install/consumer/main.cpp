// Starts a server through the installed package on a free port, makes one
// Engine.IO handshake with it over plain HTTP, and stops it. Exit 0 when the
// handshake was answered with a session id.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include "sio/sio.hpp"

namespace {

// GET `target` from 127.0.0.1:`port`; the whole answer, or "" on failure.
std::string http_get(std::uint16_t port, const std::string& target) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return {};
  timeval five_seconds{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &five_seconds, sizeof five_seconds);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string answer;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    auto request = "GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    if (::write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
      char buffer[4096];
      for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;) answer.append(buffer, n);
    }
  }
  ::close(fd);
  return answer;
}

}  // namespace

int main() {
  caf::actor_system_config cfg;
  sio::apply_scheduler_defaults(cfg);
  caf::actor_system system{cfg};

  sio::server_options options;
  options.gateway.bind_address = "127.0.0.1";
  options.gateway.port = 0;
  auto server = sio::start(system, options, [](sio::server& io) {
    io.of("/").on_connection([](sio::socket& s) { s.emit("hello"); });
  });

  auto answer = http_get(server.port(), "/socket.io/?EIO=4&transport=polling");
  bool ok = answer.rfind("HTTP/1.1 200", 0) == 0 && answer.find("\"sid\"") != std::string::npos;
  std::printf("consumer: port %u, handshake %s\n", static_cast<unsigned>(server.port()),
              ok ? "answered" : "failed");
  if (!ok) std::printf("%s\n", answer.c_str());
  server.stop();
  return ok ? 0 : 1;
}
