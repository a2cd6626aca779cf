// Each handler shape of the C++ API next to its socket.io spelling, in one
// small server (built with the examples so that it stays compiling):
//
//   handler-shapes [PORT]     then, e.g. from a socket.io-client:
//     io({auth: {token: "t"}}).emit("chat", "hi")
//
// Stops on SIGINT / SIGTERM.
#include <chrono>
#include <cstdlib>
#include <iostream>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include "sio/sio.hpp"

using namespace std::chrono_literals;

namespace {

// io.use((socket, next) => token ? next() : next(new Error("no token")))
void require_token(sio::socket& s, sio::next_fn next) {
  if (!s.auth().contains("token")) return next(sio::connect_error{"no token", std::nullopt});
  next();
}

void on_connection(sio::socket& s) {
  // socket.emit("hello", socket.handshake): the handshake as socket.io serializes it.
  s.emit("hello", {s.handshake_info().to_json()});

  // socket.use(([event], next) => ...): per-packet middleware, plain next() or next(error).
  s.use([](sio::socket&, const std::string& event, sio::args&, sio::next_fn next) {
    if (event == "forbidden") return next(sio::connect_error{"forbidden event", std::nullopt});
    next();
  });
  s.on_error([](sio::socket& self, const sio::connect_error& e) {
    self.emit("refused", {e.message});
  });

  // socket.on("chat", (text) => socket.broadcast.emit("chat", text)): no ack parameter.
  s.on("chat", [](sio::socket& self, sio::args& a) { self.broadcast().emit("chat", a); });

  // socket.on("typing", ...) => socket.broadcast.volatile.emit(...): may be dropped.
  s.on("typing", [](sio::socket& self, sio::args&) {
    self.broadcast().volatile_().emit("typing", {self.id()});
  });

  // socket.on("add", (a, b, ack) => ack(a + b)): with the ack.
  s.on("add", [](sio::socket&, sio::args& a, const sio::ack_sender& ack) {
    if (a.size() == 2 && a[0].is_number() && a[1].is_number())
      ack.values(a[0].get<double>() + a[1].get<double>());
    else
      ack.values(nullptr);
  });

  // socket.timeout(2000).emit("ready?", (err, answer) => ...): timeout and
  // disconnect told apart from the answer.
  s.timeout(2000ms).emit_with_ack("ready?", {}, [](sio::ack_status status, sio::args reply) {
    switch (status) {
      case sio::ack_status::acked:
        std::cout << "answered: " << sio::json(reply).dump() << std::endl;
        break;
      case sio::ack_status::timed_out:
        std::cout << "no answer within 2 s" << std::endl;
        break;
      case sio::ack_status::disconnected:
      case sio::ack_status::dropped:
        std::cout << "gone before answering" << std::endl;
        break;
    }
  });

  // socket.volatile.emit("tick"): to this client only, dropped when it cannot take it.
  s.volatile_().emit("tick", {0});
}

}  // namespace

int main(int argc, char** argv) {
  caf::actor_system_config cfg;
  sio::apply_scheduler_defaults(cfg);
  caf::actor_system sys{cfg};
  sio::server_options options;
  options.gateway.port = static_cast<std::uint16_t>(argc > 1 ? std::atoi(argv[1]) : 3000);
  auto server = sio::start(sys, options, [](sio::server& io) {
    io.of("/").use(require_token).on_connection(on_connection);
  });
  std::cout << "listening on port " << server.port() << std::endl;
  server.stop_on_signals();
  server.wait();
  return 0;
}
