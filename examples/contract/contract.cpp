// contract: the app every benchmark, compliance run and integration test
// talks to (see BENCH.md beside the project), so that this server and the
// reference Node server can be measured and checked the same way.
#include "contract.hpp"

namespace sio::examples {
namespace {

void on_main_connection(server& io, socket& s) {
  s.emit_values("auth", s.auth());
  s.on("message", [](socket& self, args& a, const ack_sender&) { self.emit("message-back", a); });
  s.on("message-with-ack", [](socket&, args& a, const ack_sender& ack) { ack(a); });
  s.on("echo", [](socket&, args& a, const ack_sender& ack) {
    a.resize(1);  // the payload alone (null if none), as the reference's ack(payload)
    ack(std::move(a));
  });
  s.on("join", [](socket& self, args& a, const ack_sender& ack) {
    if (!a.empty() && a.front().is_string()) self.join(a.front().get<std::string>());
    ack.values(true);
  });
  s.on("leave", [](socket& self, args& a, const ack_sender& ack) {
    if (!a.empty() && a.front().is_string()) self.leave(a.front().get<std::string>());
    ack.values(true);
  });
  auto main_nsp = io.of("/");
  s.on("broadcast", [main_nsp](socket&, args& a, const ack_sender&) {
    if (a.empty() || !a.front().is_string()) return;
    main_nsp.to(a.front().get<std::string>()).emit("msg", args{a.size() > 1 ? a[1] : json()});
  });
}

}  // namespace

app contract_app() {
  app a;
  a.name = "contract";
  a.description = "the benchmark and compliance contract (BENCH.md)";
  a.configure = [](server& io) {
    io.of("/").on_connection([&io](socket& s) { on_main_connection(io, s); });
    io.of("/custom").on_connection([](socket& s) { s.emit_values("auth", s.auth()); });
  };
  return a;
}

}  // namespace sio::examples
