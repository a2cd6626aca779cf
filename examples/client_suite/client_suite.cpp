// client-suite: the peer of the official socket.io-client test suite. Each
// handler answers what one of its tests sends; what a test checks is in the
// comment beside it.
//
//   /          refuses a client whose query has `fail`; the events below
//   /foo       "getId"(ack): ack(socket id)
//   /abc       emits "handshake"(socket.handshake) on connection
//   /no        refuses every client ("Auth failed (custom namespace)")
//   /asd, /valid, /timeout_socket   accept, nothing more
//
// Every handshake is held 10 ms before it is allowed (allowRequest), as the
// suite's server does: its "open timeout" tests give the client a zero
// timeout and expect it to fire before the handshake is answered.
#include "client_suite.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>

#include <caf/event_based_actor.hpp>

#include "sio/server_options.hpp"

namespace sio::examples {
namespace {

/// How long each handshake waits before it is allowed.
constexpr auto handshake_delay = std::chrono::milliseconds{10};

/// Allows the handshake after handshake_delay: a short-lived actor holds the
/// answer meanwhile, so no I/O thread waits.
void allow_later(caf::actor_system& system, gateway_options::allow_request_callback answer) {
  system.spawn([answer = std::move(answer)](caf::event_based_actor* self) {
    self->delayed_send(self, handshake_delay, caf::ok_atom::value);
    return caf::behavior{[self, answer](caf::ok_atom) {
      answer(true, {});
      self->quit();
    }};
  });
}

/// Now as a JavaScript Date serializes in JSON: "2026-01-02T03:04:05.678Z".
std::string iso_now() {
  using namespace std::chrono;
  auto now = system_clock::now();
  auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  auto t = system_clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char date[24];
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &utc);
  char millis[8];
  std::snprintf(millis, sizeof millis, ".%03dZ", static_cast<int>(ms));
  return std::string(date) + millis;
}

json bytes(std::string_view text) {
  return json::binary(json::binary_t::container_type(text.begin(), text.end()));
}

bool is_binary_arg(const args& a, std::size_t i = 0) { return i < a.size() && a[i].is_binary(); }

/// {hello: "lol", message: <binary>, goodbye: "gotcha"}: what the mixed
/// JSON-and-binary tests send.
bool is_mixed(const args& a) {
  if (a.empty() || !a[0].is_object()) return false;
  const auto& o = a[0];
  return o.value("hello", "") == "lol" && o.contains("message") && o["message"].is_binary() &&
         o.value("goodbye", "") == "gotcha";
}

void on_main_connection(socket& s) {
  s.on("hi", [](socket& self, args&, const ack_sender&) { self.emit("hi"); });
  s.on("echo", [](socket&, args& a, const ack_sender& ack) {
    a.resize(1);
    ack(std::move(a));
  });
  // The client answers (5, {test: true}) to the server's emit with ack.
  s.on("ack", [](socket& self, args&, const ack_sender&) {
    std::weak_ptr<socket> weak = self.shared_from_this();
    self.emit_with_ack("ack", {}, [weak](std::optional<args> reply) {
      auto target = weak.lock();
      if (!target || !reply || reply->size() < 2) return;
      const auto& a = *reply;
      if (a[0] == 5 && a[1].is_object() && a[1].value("test", false)) target->emit("got it");
    });
  });
  // Dates travel as ISO strings.
  s.on("getAckDate", [](socket&, args&, const ack_sender& ack) { ack.values(iso_now()); });
  s.on("getDate", [](socket& self, args&, const ack_sender&) {
    self.emit_values("takeDate", iso_now());
  });
  s.on("getDateObj", [](socket& self, args&, const ack_sender&) {
    self.emit_values("takeDateObj", json{{"date", iso_now()}});
  });
  s.on("getUtf8", [](socket& self, args&, const ack_sender&) {
    for (const char* text : {"てすと", "Я Б Г Д Ж Й", "Ä ä Ü ü ß", "utf8 — string", "utf8 — string"})
      self.emit_values("takeUtf8", text);
  });
  s.on("false", [](socket& self, args&, const ack_sender&) { self.emit_values("false", false); });

  // Binary, both ways.
  s.on("doge", [](socket& self, args&, const ack_sender&) {
    self.emit("doge", args{bytes("asdfasdf")});
  });
  s.on("getbin", [](socket& self, args&, const ack_sender&) {
    self.emit("takebin", args{bytes("asdfasdf")});
  });
  s.on("buffa", [](socket& self, args& a, const ack_sender&) {
    if (is_binary_arg(a)) self.emit("buffack");
  });
  s.on("jsonbuff", [](socket& self, args& a, const ack_sender&) {
    if (is_mixed(a)) self.emit("jsonbuff-ack");
  });
  s.on("blob", [](socket& self, args& a, const ack_sender&) {
    if (is_binary_arg(a)) self.emit("back");
  });
  s.on("jsonblob", [](socket& self, args& a, const ack_sender&) {
    if (is_mixed(a)) self.emit("jsonblob-ack");
  });
  // Binary events arrive in the order they were sent: the second (or third)
  // is answered only after the first ones came.
  auto seen = std::make_shared<int>(0);
  s.on("abuff1", [seen](socket&, args& a, const ack_sender&) {
    if (is_binary_arg(a)) *seen |= 1;
  });
  s.on("abuff2", [seen](socket& self, args&, const ack_sender&) {
    if (*seen & 1) self.emit("abuff2-ack");
  });
  s.on("blob1", [seen](socket&, args& a, const ack_sender&) {
    if (is_binary_arg(a)) *seen |= 2;
  });
  s.on("blob2", [seen](socket&, args& a, const ack_sender&) {
    if ((*seen & 2) && !a.empty() && a[0] == "second") *seen |= 4;
  });
  s.on("blob3", [seen](socket& self, args& a, const ack_sender&) {
    if (is_binary_arg(a) && (*seen & 6) == 6) self.emit("blob3-ack");
  });

  s.on("getHandshake", [](socket& self, args&, const ack_sender& ack) {
    ack.values(self.handshake_info().to_json());
  });
  s.on("getId", [](socket& self, args&, const ack_sender& ack) { ack.values(self.id()); });
}

}  // namespace

app client_suite_app() {
  app a;
  a.name = "client-suite";
  a.description = "the server of the official socket.io-client test suite (tools/client_suite.sh)";
  a.recovery = true;
  a.setup = [](server_options& options, caf::actor_system& system) {
    options.gateway.allow_request_async = [&system](const request_info&,
                                                    gateway_options::allow_request_callback answer) {
      allow_later(system, std::move(answer));
    };
  };
  a.configure = [](server& io) {
    io.of("/").use([](socket& s, next_fn next) {
      if (s.handshake_info().query.contains("fail"))
        next(connect_error{"Auth failed (main namespace)", std::nullopt});
      else
        next(std::nullopt);
    });
    io.of("/").on_connection([](socket& s) { on_main_connection(s); });
    io.of("/foo").on_connection([](socket& s) {
      s.on("getId", [](socket& self, args&, const ack_sender& ack) { ack.values(self.id()); });
    });
    io.of("/abc").on_connection(
        [](socket& s) { s.emit_values("handshake", s.handshake_info().to_json()); });
    io.of("/no").use([](socket&, next_fn next) {
      next(connect_error{"Auth failed (custom namespace)", std::nullopt});
    });
    for (const char* name : {"/asd", "/valid", "/timeout_socket"})
      io.of(name).on_connection([](socket&) {});
  };
  return a;
}

}  // namespace sio::examples
