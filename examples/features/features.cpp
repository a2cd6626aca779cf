// features: the whole Socket.IO API of this server, one event per feature, so
// that the integration tests can drive each from a real client.
#include "features.hpp"

#include <caf/event_based_actor.hpp>

#include "sio/actors/atoms.hpp"
#include "sio/actors/messages.hpp"

namespace sio::examples {
namespace {

std::string string_arg(const args& a, std::size_t i) {
  return i < a.size() && a[i].is_string() ? a[i].get<std::string>() : std::string{};
}

std::vector<std::string> strings_arg(const args& a, std::size_t i) {
  std::vector<std::string> out;
  if (i < a.size() && a[i].is_array())
    for (const auto& v : a[i])
      if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

std::chrono::milliseconds ms_arg(const args& a, std::size_t i) {
  return std::chrono::milliseconds(i < a.size() && a[i].is_number() ? a[i].get<std::int64_t>()
                                                                    : 1000);
}

json describe(const handshake& h) {
  return json{{"url", h.url},         {"query", h.query},     {"auth", h.auth},
              {"address", h.address}, {"xdomain", h.xdomain}, {"secure", h.secure},
              {"issued", h.issued},   {"time", h.time},       {"headers", h.headers}};
}

json rooms_of(const std::set<std::string>& rooms) {
  json out = json::array();
  for (const auto& r : rooms) out.push_back(r);
  return out;
}

// An actor of the host system in room "actor-room": what it hears there it
// repeats to room "actor-echo" as "from-actor".
caf::behavior room_listener(caf::event_based_actor*, namespace_ref nsp) {
  return {
      [nsp](atoms::event, const std::string&, const std::string& name, const args& a) {
        nsp.to("actor-echo").emit("from-actor", args{json{{"event", name}, {"args", a}}});
      },
  };
}

void on_main_connection(server& io, socket& s) {
  auto nsp = io.of("/");
  s.data()["connected"] = true;
  s.emit_values("hello", json{{"id", s.id()}, {"handshake", describe(s.handshake_info())}});

  // Per-packet middleware: "forbidden" never reaches a handler.
  s.use([](socket&, const std::string& event, args&, next_fn next) {
    if (event == "forbidden")
      next(connect_error{"forbidden event", std::nullopt});
    else
      next(std::nullopt);
  });
  s.on("forbidden", [](socket& self, args&, const ack_sender&) { self.emit("forbidden-ran"); });
  // Handlers of one event run in the order they were added; one added while
  // the event runs hears the next one, as with an EventEmitter.
  auto heard = std::make_shared<std::vector<std::string>>();
  s.on("twice", [heard](socket& self, args&, const ack_sender&) {
    heard->push_back("first");
    if (heard->size() == 1)
      self.on("twice", [heard](socket&, args&, const ack_sender&) { heard->push_back("added"); });
  });
  s.on("twice", [heard](socket&, args&, const ack_sender& ack) {
    heard->push_back("second");
    ack.values(json(*heard));
  });
  s.on_error(
      [](socket& self, const connect_error& e) { self.emit_values("error-seen", e.message); });
  auto events_seen = std::make_shared<std::vector<std::string>>();
  auto outgoing = std::make_shared<std::vector<std::string>>();
  s.on_any([events_seen](socket&, const std::string& event, const args&) {
    events_seen->push_back(event);
  });
  s.on_any_outgoing(
      [outgoing](socket&, const std::string& event, const args&) { outgoing->push_back(event); });
  s.on("events-seen",
       [events_seen](socket&, args&, const ack_sender& ack) { ack.values(json(*events_seen)); });
  s.on("outgoing-events",
       [outgoing](socket&, args&, const ack_sender& ack) { ack.values(json(*outgoing)); });

  s.on("join", [](socket& self, args& a, const ack_sender& ack) {
    self.join(strings_arg(a, 0));
    ack.values(rooms_of(self.rooms()));
  });
  s.on("leave", [](socket& self, args& a, const ack_sender& ack) {
    for (const auto& r : strings_arg(a, 0)) self.leave(r);
    ack.values(rooms_of(self.rooms()));
  });
  s.on("to-room", [](socket& self, args& a, const ack_sender&) {
    self.to(string_arg(a, 0)).emit("room-msg", args{a.size() > 1 ? a[1] : json()});
  });
  s.on("to-rooms", [nsp](socket&, args& a, const ack_sender&) {
    auto b = nsp.all();
    for (const auto& r : strings_arg(a, 0)) b.to(r);
    for (const auto& r : strings_arg(a, 1)) b.except(r);
    b.emit("multi", args{a.size() > 2 ? a[2] : json()});
  });
  // ("emit-to", room, event, ...args): any event with any arguments to a room
  // (a socket's id too), the way the plain WebSocket tests reach their client.
  s.on("emit-to", [nsp](socket&, args& a, const ack_sender& ack) {
    args rest;
    for (std::size_t i = 2; i < a.size(); ++i) rest.push_back(std::move(a[i]));
    nsp.to(string_arg(a, 0)).emit(string_arg(a, 1), std::move(rest));
    if (ack) ack.values(true);
  });
  // What a plain WebSocket client sends arrives as "message": it is told to
  // room "listeners" as ("heard", sender id, ...args).
  s.on("message", [](socket& self, args& a, const ack_sender&) {
    args told{json(self.id())};
    told.insert(told.end(), a.begin(), a.end());
    self.nsp_broadcast().to("listeners").emit("heard", std::move(told));
  });
  s.on("broadcast-others", [](socket& self, args& a, const ack_sender&) {
    self.broadcast_others().emit("others", args{a.empty() ? json() : a[0]});
  });
  s.on("emit-all", [nsp](socket&, args& a, const ack_sender&) {
    nsp.emit("all", args{a.empty() ? json() : a[0]});
  });
  s.on("volatile", [](socket& self, args& a, const ack_sender&) {
    self.nsp_broadcast().volatile_().emit("vol", args{a.empty() ? json() : a[0]});
  });

  // The server asks, the client acknowledges.
  s.on("ask-me", [](socket& self, args& a, const ack_sender& ack) {
    self.emit_with_ack(
        "question", args{a.empty() ? json() : a[0]},
        [ack](std::optional<args> reply) {
          ack.values(json{{"timed_out", !reply}, {"reply", reply ? json(*reply) : json()}});
        },
        ms_arg(a, 1));
  });
  s.on("ask-room", [](socket& self, args& a, const ack_sender& ack) {
    self.nsp_broadcast()
        .to(string_arg(a, 0))
        .timeout(ms_arg(a, 2))
        .emit_with_ack("question", args{a.size() > 1 ? a[1] : json()},
                       [ack](std::vector<args> replies, bool timed_out) {
                         ack.values(json{{"timed_out", timed_out}, {"replies", json(replies)}});
                       });
  });

  // Server-side API over selections.
  s.on("fetch", [](socket& self, args& a, const ack_sender& ack) {
    auto b = self.nsp_broadcast();
    if (auto room = string_arg(a, 0); !room.empty()) b.in(room);
    b.fetch_sockets([ack](std::vector<remote_socket> sockets) {
      json out = json::array();
      for (const auto& rs : sockets)
        out.push_back(json{{"id", rs.id}, {"rooms", rooms_of(rs.rooms)}, {"data", rs.data}});
      ack.values(out);
    });
  });
  s.on("sockets-join", [nsp](socket&, args& a, const ack_sender& ack) {
    nsp.in(string_arg(a, 0)).sockets_join(strings_arg(a, 1));
    ack.values(true);
  });
  s.on("sockets-leave", [nsp](socket&, args& a, const ack_sender& ack) {
    nsp.in(string_arg(a, 0)).sockets_leave(strings_arg(a, 1));
    ack.values(true);
  });
  s.on("disconnect-room", [nsp](socket&, args& a, const ack_sender&) {
    nsp.in(string_arg(a, 0))
        .disconnect_sockets(a.size() > 1 && a[1].is_boolean() && a[1].get<bool>());
  });
  s.on("set-data", [](socket& self, args& a, const ack_sender& ack) {
    self.data()["value"] = a.empty() ? json() : a[0];
    ack.values(true);
  });
  s.on("disconnect-me", [](socket& self, args& a, const ack_sender&) {
    self.disconnect(!a.empty() && a[0].is_boolean() && a[0].get<bool>());
  });

  // Observers hear why others left, and which rooms they were in.
  s.on("observe", [](socket& self, args&, const ack_sender& ack) {
    self.join("observers");
    ack.values(true);
  });
  auto rooms_when_leaving = std::make_shared<json>();
  s.on_disconnecting([rooms_when_leaving](socket& self, const std::string&) {
    *rooms_when_leaving = rooms_of(self.rooms());
  });
  s.on_disconnect([nsp, rooms_when_leaving](socket& self, const std::string& reason) {
    nsp.to("observers")
        .emit("left", args{json{
                          {"id", self.id()},
                          {"reason", reason},
                          {"rooms", *rooms_when_leaving},
                      }});
  });
}

}  // namespace

app features_app() {
  app a;
  a.name = "features";
  a.description = "every API feature behind one event each (the integration tests' peer)";
  a.configure = [](server& io) {
    // Middleware: auth {token: "bad"} is refused with data; auth
    // {nextTwice: true} makes it call next() twice, which must not matter.
    io.of("/")
        .use([](socket& s, next_fn next) {
          const auto& auth = s.handshake_info().auth;
          if (auth.contains("token") && auth["token"] == "bad") {
            next(connect_error{"unauthorized", json{{"reason", "bad token"}}});
            return;
          }
          next(std::nullopt);
          if (auth.contains("nextTwice")) next(std::nullopt);
        })
        .on_connection([&io](socket& s) { on_main_connection(io, s); });
    io.of(std::regex("^/dyn-[0-9]+$")).on_connection([](socket& s) {
      s.emit_values("welcome", s.nsp());
      s.on("ping-nsp", [](socket& self, args&, const ack_sender& ack) { ack.values(self.nsp()); });
    });
    io.of([](const std::string& name, const json& auth) {
        return name.rfind("/pred-", 0) == 0 && auth.contains("allow") && auth["allow"] == true;
      }).on_connection([](socket& s) { s.emit_values("welcome", s.nsp()); });
    auto listener = io.system().spawn(room_listener, io.of("/"));
    io.of("/").subscribe("actor-room", listener);
  };
  return a;
}

}  // namespace sio::examples
