// demo: the classic Socket.IO demo, one button per kind of emit (the page at /).
//
//   namespace "/" and "/some-namespace" (isolated from each other):
//     "message"(...)             everyone in the namespace, the sender too, gets "message"(...)
//     "messageAndAck"(..., ack)  ack(...): the reply goes back to the sender only
//     "broadcast"(...)           everyone in the namespace but the sender gets "broadcast"(...)
//   namespace "/room":
//     "join"(roomId, ack)        leave the current room, join `roomId`; ack({room})
//     "message"(...)             everyone in the sender's room, the sender too, gets
//                                "message"(...); outside a room the sender gets
//                                "error-message"
#include "demo.hpp"

namespace sio::examples {
namespace {

void on_demo_connection(socket& s) {
  s.on("message", [](socket& self, sio::args& a, const ack_sender&) {
    self.nsp_broadcast().emit("message", a);
  });
  s.on("messageAndAck", [](socket&, sio::args& a, const ack_sender& ack) { ack(a); });
  s.on("broadcast", [](socket& self, sio::args& a, const ack_sender&) {
    self.broadcast_others().emit("broadcast", a);
  });
}

// Room ids are prefixed so that none can name another socket's own room.
std::string room_key(const std::string& id) { return "room:" + id; }

void on_room_connection(socket& s) {
  s.data() = json::object();
  s.on("join", [](socket& self, sio::args& a, const ack_sender& ack) {
    if (a.empty() || !(a.front().is_string() || a.front().is_number_integer()) ||
        a.front().dump().size() > 66) {
      ack.values(json{{"error", "expected a room id"}});
      return;
    }
    auto id = a.front().is_string() ? a.front().get<std::string>() : a.front().dump();
    auto& data = self.data();
    if (data.contains("room")) self.leave(room_key(data["room"].get<std::string>()));
    data["room"] = id;
    self.join(room_key(id));
    ack.values(json{{"room", id}});
  });
  s.on("message", [](socket& self, sio::args& a, const ack_sender&) {
    auto& data = self.data();
    if (!data.contains("room")) {
      self.emit_values("error-message", "join a room first");
      return;
    }
    self.nsp_broadcast().to(room_key(data["room"].get<std::string>())).emit("message", a);
  });
}

}  // namespace

app demo_app() {
  app a;
  a.name = "demo";
  a.description = "the classic Socket.IO demo: emits, acks, broadcasts, namespaces, rooms";
  a.web_dir = "demo/public";
  a.configure = [](server& io) {
    io.of("/").on_connection(on_demo_connection);
    io.of("/some-namespace").on_connection(on_demo_connection);
    io.of("/room").on_connection(on_room_connection);
  };
  return a;
}

}  // namespace sio::examples
