// recovery: connection state recovery (sio-server runs it with --recovery on).
// A socket that recovers has its id, rooms and data back, and gets the events
// it missed before its "connect".
//
// Namespaces "/" and "/other", alike:
//   middleware             counts its runs in socket.data.middleware_runs;
//                          refuses a client whose auth has reject: true
//   on connection          a new socket joins "room1" and gets data.foo = "bar";
//                          a recovered one keeps what it had
//   client -> server
//     "state"(ack)               ack({id, recovered, rooms, data})
//     "join"(room, ack)          joins `room`, then ack()
//     "broadcast"(room, event, ack)  io.to(room).emit(event) (room null: everyone),
//                                then ack()
//     "volatile"(event, ack)     io.volatile.emit(event), then ack()
//     "self"(event, ack)         socket.emit(event), then ack()
//     "with-ack"(event, ack)     socket.emit_with_ack(event), then ack()
//   server -> client, on a disconnect that may be recovered
//     "missed-direct"            socket.emit() after its client went away
#include "recovery.hpp"

namespace sio::examples {
namespace {

std::string string_arg(const args& a, std::size_t i) {
  return i < a.size() && a[i].is_string() ? a[i].get<std::string>() : std::string{};
}

json rooms_of(const std::set<std::string>& rooms) {
  json out = json::array();
  for (const auto& r : rooms) out.push_back(r);
  return out;
}

void configure_namespace(server& io, const std::string& name) {
  auto nsp = io.of(name);
  nsp.use([](socket& s, next_fn next) {
    auto& runs = s.data()["middleware_runs"];
    runs = runs.is_number() ? runs.get<int>() + 1 : 1;
    if (s.auth().value("reject", false)) {
      next(connect_error{"rejected", std::nullopt});
      return;
    }
    next(std::nullopt);
  });
  nsp.on_connection([nsp](socket& connected) {
    if (!connected.recovered()) {
      connected.join("room1");
      connected.data()["foo"] = "bar";
    }
    connected.on("state", [](socket& s, args&, const ack_sender& ack) {
      ack.values(json{{"id", s.id()},
                      {"recovered", s.recovered()},
                      {"rooms", rooms_of(s.rooms())},
                      {"data", s.data()}});
    });
    connected.on("join", [](socket& s, args& a, const ack_sender& ack) {
      s.join(string_arg(a, 0));
      ack();
    });
    connected.on("broadcast", [nsp](socket&, args& a, const ack_sender& ack) {
      auto event = string_arg(a, 1);
      if (!a.empty() && a[0].is_string())
        nsp.to(a[0].get<std::string>()).emit(event);
      else
        nsp.emit(event);
      ack();
    });
    connected.on("volatile", [nsp](socket&, args& a, const ack_sender& ack) {
      nsp.all().volatile_().emit(string_arg(a, 0));
      ack();
    });
    connected.on("self", [](socket& s, args& a, const ack_sender& ack) {
      s.emit(string_arg(a, 0));
      ack();
    });
    connected.on("with-ack", [](socket& s, args& a, const ack_sender& ack) {
      s.emit_with_ack(string_arg(a, 0), {}, [](std::optional<args>) {});
      ack();
    });
    connected.on_disconnect([](socket& s, const std::string&) { s.emit("missed-direct"); });
  });
}

}  // namespace

app recovery_app() {
  app a;
  a.name = "recovery";
  a.description = "connection state recovery: state, broadcasts and emits to test it with";
  a.recovery = true;
  a.configure = [](server& io) {
    configure_namespace(io, "/");
    configure_namespace(io, "/other");
  };
  return a;
}

}  // namespace sio::examples
