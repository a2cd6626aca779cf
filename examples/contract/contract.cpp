// contract: the app every benchmark, compliance run and integration test
// talks to (its events are listed below), so that this server and the
// reference Node server can be measured and checked the same way.
#include "contract.hpp"

#include <caf/send.hpp>

#include "sio/actors/atoms.hpp"
#include "sio/actors/messages.hpp"

namespace sio::examples {
namespace {

void on_main_connection(server& io, socket& s) {
  // A plain WebSocket client cannot send "join": it names its room in the
  // query (`/ws?join=room1`), and "auth" tells it that it is in.
  if (s.plain()) {
    const auto& query = s.handshake_info().query;
    if (auto room = query.find("join"); room != query.end() && room->is_string())
      s.join(room->get<std::string>());
  }
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
  // The events below act on the whole cluster when there is one.
  s.on("broadcast-all", [main_nsp](socket&, args& a, const ack_sender&) {
    main_nsp.emit("msg-all", args{a.empty() ? json() : a[0]});
  });
  s.on("room-size", [](socket& self, args& a, const ack_sender& ack) {
    if (a.empty() || !a.front().is_string()) return ack.values(-1);
    // From the socket's own broadcast: the callback runs in its connection.
    self.nsp_broadcast().in(a.front().get<std::string>()).fetch_sockets_checked(
        [ack](std::vector<remote_socket> sockets, bool complete) {
          ack.values(complete ? static_cast<std::int64_t>(sockets.size()) : std::int64_t{-1});
        });
  });
  // Beyond the contract, for the cluster tests: the sockets of `room`, on
  // whichever node, join `target` one by one (RemoteSocket.join).
  s.on("fetch-join", [](socket& self, args& a, const ack_sender& ack) {
    if (a.size() < 2 || !a[0].is_string() || !a[1].is_string()) return ack.values(-1);
    self.nsp_broadcast().in(a[0].get<std::string>()).fetch_sockets_checked(
        [ack, target = a[1].get<std::string>()](std::vector<remote_socket> sockets, bool complete) {
          for (const auto& found : sockets) found.join({target});
          ack.values(complete ? static_cast<std::int64_t>(sockets.size()) : std::int64_t{-1});
        });
  });
  s.on("join-all", [main_nsp](socket&, args& a, const ack_sender& ack) {
    if (!a.empty() && a.front().is_string())
      main_nsp.all().sockets_join({a.front().get<std::string>()});
    ack.values(true);
  });
  s.on("broadcast-ack", [](socket& self, args& a, const ack_sender& ack) {
    if (a.empty() || !a.front().is_string()) return;
    self.nsp_broadcast()
        .to(a.front().get<std::string>())
        .timeout(std::chrono::milliseconds(2000))
        .emit_with_ack("msg-ack", args{a.size() > 1 ? a[1] : json()},
                       [ack](std::vector<args> replies, bool timed_out) {
                         json list = json::array();
                         for (auto& r : replies) list.push_back(r.empty() ? json() : r.front());
                         json result = json::object();
                         result["err"] = timed_out ? json("operation has timed out") : json();
                         result["replies"] = std::move(list);
                         ack.values(std::move(result));
                       });
  });
  // Server-side emits to the other nodes: "sse-hello" without answers,
  // "sse-ping" with (io.serverSideEmit / serverSideEmitWithAck).
  s.on("sse", [main_nsp](socket&, args& a, const ack_sender& ack) {
    main_nsp.server_side_emit("sse-hello", args{a.empty() ? json() : a[0]});
    ack.values(true);
  });
  s.on("sse-ack", [main_nsp](socket& self, args& a, const ack_sender& ack) {
    main_nsp.server_side_emit_with_ack(
        "sse-ping", args{a.empty() ? json() : a[0]},
        [ack, connection = self.connection()](std::optional<std::string> error, args replies) {
          json result = json::object();
          result["err"] = error ? json(*error) : json();
          result["replies"] = std::move(replies);
          // The ack is the connection's to send.
          caf::anon_send(connection, atoms::run::value,
                         std::function<void()>([ack, result] { ack.values(result); }));
        });
  });
}

// What other nodes' server-side emits do here: "sse-hello" goes to this
// node's clients as "sse-got", "sse-ping" is answered.
void on_server_side_emits(server& io) {
  io.on_server_side_emit("sse-hello", [&io](const args& a, const server_side_ack&) {
    io.of("/").all().local().emit("sse-got", args{a.empty() ? json() : a[0]});
  });
  io.on_server_side_emit("sse-ping", [](const args& a, const server_side_ack& ack) {
    if (ack) ack(json{{"from", "ours"}, {"got", a.empty() ? json() : a[0]}});
  });
}

}  // namespace

app contract_app() {
  app a;
  a.name = "contract";
  a.description = "the benchmark and compliance contract";
  a.configure = [](server& io) {
    io.of("/").on_connection([&io](socket& s) { on_main_connection(io, s); });
    on_server_side_emits(io);
    io.of("/custom").on_connection([](socket& s) { s.emit_values("auth", s.auth()); });
  };
  return a;
}

}  // namespace sio::examples
