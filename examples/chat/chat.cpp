// chat: the default app of ./run.sh, and its page (public/). Pick a name and
// a room; messages go to that room only, each confirmed to its sender by an
// ack; the room's user list follows every join and leave.
//
// Events of namespace "/":
//   client -> server
//     "join"({name, room}, ack)   enter `room` (leaving the current one);
//                                 ack({room, name}) or ack({error})
//     "sendMessage"(text, ack)    to everyone else in the room; ack({ok, time}) or ack({error})
//   server -> client
//     "message"({user, text, time})   a message; user "admin" for joins, leaves, welcome
//     "roomData"({room, users})       the room's users (names, in order of arrival)
//
// Handlers run inside each client's connection actor; the users of every room
// are kept by one small actor of the app (below), so nothing needs a lock.
#include "chat.hpp"

#include <algorithm>
#include <chrono>
#include <string>
#include <unordered_map>
#include <vector>

#include <caf/atom.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>

namespace sio::examples {
namespace {

using enter_atom = caf::atom_constant<caf::atom("chatenter")>;
using leave_atom = caf::atom_constant<caf::atom("chatleave")>;

constexpr std::size_t max_name = 24;
constexpr std::size_t max_room = 32;
constexpr std::size_t max_text = 2000;

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

json admin(std::string text) {
  return json{{"user", "admin"}, {"text", std::move(text)}, {"time", now_ms()}};
}

std::string trimmed(const json& value) {
  if (!value.is_string()) return {};
  const auto& s = value.get_ref<const std::string&>();
  auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

// Size of UTF-8 text in code points (what the page's maxlength counts, nearly).
std::size_t length(const std::string& s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

// The Socket.IO room of a chat room: prefixed, so that no room name typed in
// the page can be another socket's own room (its id).
std::string room_key(const std::string& room) { return "chat:" + room; }

// -- the users of every room ----------------------------------------------------

struct member {
  std::string sid;
  std::string name;
};

struct users_state {
  std::unordered_map<std::string, std::vector<member>> rooms;
};

json names(const std::vector<member>& members) {
  json out = json::array();
  for (const auto& m : members) out.push_back(m.name);
  return out;
}

/// Keeps who is in which room. A socket tells it (enter, sid, name, room)
/// after it joined the Socket.IO room, and (leave, sid, room) after it left
/// it or disconnected; the actor then tells the room: "X joined" / "X left"
/// and the new user list. Broadcasts work from any actor; this one's reach
/// the namespace after the socket's own join or leave, which the socket sent
/// before telling this actor.
caf::behavior users_actor(caf::stateful_actor<users_state>* self, namespace_ref nsp) {
  // It ends with the namespace, that is with the server.
  self->monitor(nsp.actor());
  self->set_down_handler([self](caf::down_msg&) { self->quit(); });
  auto tell_room = [nsp](const std::string& room, const std::vector<member>& members) {
    nsp.to(room_key(room)).emit_values("roomData", json{{"room", room}, {"users", names(members)}});
  };
  return {
      [self, nsp, tell_room](enter_atom, const std::string& sid, const std::string& name,
                             const std::string& room) {
        auto& members = self->state.rooms[room];
        members.push_back(member{sid, name});
        nsp.to(room_key(room)).except(sid).emit_values("message", admin(name + " joined"));
        tell_room(room, members);
      },
      [self, nsp, tell_room](leave_atom, const std::string& sid, const std::string& room) {
        auto it = self->state.rooms.find(room);
        if (it == self->state.rooms.end()) return;
        auto& members = it->second;
        auto m = std::find_if(members.begin(), members.end(),
                              [&](const member& x) { return x.sid == sid; });
        if (m == members.end()) return;
        auto name = m->name;
        members.erase(m);
        if (members.empty()) {
          self->state.rooms.erase(it);
          return;
        }
        nsp.to(room_key(room)).emit_values("message", admin(name + " left"));
        tell_room(room, members);
      },
  };
}

// -- one client -------------------------------------------------------------------

void leave_current(socket& s, const caf::actor& users) {
  auto& data = s.data();
  if (!data.is_object() || !data.contains("room")) return;
  auto room = data["room"].get<std::string>();
  s.leave(room_key(room));
  caf::anon_send(users, leave_atom::value, s.id(), room);
  data.erase("room");
}

void on_connection(socket& s, const caf::actor& users) {
  s.data() = json::object();

  s.on("join", [users](socket& self, sio::args& a, const ack_sender& ack) {
    auto reply = [&ack](json value) { ack.values(std::move(value)); };
    const json request = a.empty() ? json() : a.front();
    if (!request.is_object()) return reply(json{{"error", "expected {name, room}"}});
    auto name = trimmed(request.value("name", json()));
    auto room = trimmed(request.value("room", json()));
    if (name.empty() || length(name) > max_name)
      return reply(json{{"error", "a name is 1 to 24 characters"}});
    if (room.empty() || length(room) > max_room)
      return reply(json{{"error", "a room is 1 to 32 characters"}});
    std::string lowered = name;
    std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                   [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; });
    if (lowered == "admin") return reply(json{{"error", "that name is taken"}});

    auto& data = self.data();
    bool same_room = data.contains("room") && data["room"] == room;
    if (same_room && data["name"] == name) return reply(json{{"room", room}, {"name", name}});
    leave_current(self, users);
    data["name"] = name;
    data["room"] = room;
    self.join(room_key(room));
    self.emit_values("message", admin("Welcome to " + room + ", " + name + "!"));
    caf::anon_send(users, enter_atom::value, self.id(), name, room);
    reply(json{{"room", room}, {"name", name}});
  });

  s.on("sendMessage", [](socket& self, sio::args& a, const ack_sender& ack) {
    auto& data = self.data();
    if (!data.contains("room")) return ack.values(json{{"error", "join a room first"}});
    if (a.empty() || !a.front().is_string()) return ack.values(json{{"error", "expected text"}});
    auto text = trimmed(a.front());
    if (text.empty()) return ack.values(json{{"error", "empty message"}});
    if (length(text) > max_text) return ack.values(json{{"error", "message too long"}});
    auto time = now_ms();
    self.to(room_key(data["room"].get<std::string>()))
        .emit_values("message", json{{"user", data["name"]}, {"text", text}, {"time", time}});
    ack.values(json{{"ok", true}, {"time", time}});
  });

  s.on_disconnect([users](socket& self, const std::string&) { leave_current(self, users); });
}

}  // namespace

app chat_app() {
  app a;
  a.name = "chat";
  a.description = "a chat with rooms and user lists (the page at /)";
  a.web_dir = "chat/public";
  // A chat user on a flaky network should lose no message.
  a.recovery = true;
  a.configure = [](server& io) {
    auto users = io.system().spawn(users_actor, io.of("/"));
    io.of("/").on_connection([users](socket& s) { on_connection(s, users); });
  };
  return a;
}

}  // namespace sio::examples
