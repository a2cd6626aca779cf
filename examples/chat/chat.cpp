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
// Plain WebSocket clients (sio-server --ws-path /ws) chat in the same rooms
// with lines of text, each one frame:
//   /name Ana      pick a name (until then: guest-XXXX)
//   /join lobby    enter a room (leaving the current one)
//   anything else  a message to the room
// They receive each "message" as one text frame of its JSON object
// ({"user":"Ana","text":"hi","time":...}), and "roomData" as the JSON text
// ["roomData",{"room":...,"users":[...]}].
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

std::string room_key(const std::string& room) { return chat_room_key(room); }

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

std::string name_error(const std::string& name) {
  if (name.empty() || length(name) > max_name) return "a name is 1 to 24 characters";
  std::string lowered = name;
  std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; });
  if (lowered == "admin") return "that name is taken";
  return {};
}

// Enters `room` as `name` (both checked); "" or what is wrong.
std::string enter(socket& self, const caf::actor& users, const std::string& name,
                  const std::string& room) {
  if (auto error = name_error(name); !error.empty()) return error;
  if (room.empty() || length(room) > max_room) return "a room is 1 to 32 characters";
  auto& data = self.data();
  bool same_room = data.contains("room") && data["room"] == room;
  if (same_room && data["name"] == name) return {};
  leave_current(self, users);
  data["name"] = name;
  data["room"] = room;
  self.join(room_key(room));
  self.emit_values("message", admin("Welcome to " + room + ", " + name + "!"));
  caf::anon_send(users, enter_atom::value, self.id(), name, room);
  return {};
}

// Sends `text` to the sender's room; "" or what is wrong. `time`: when.
std::string say(socket& self, const json& message, std::int64_t& time) {
  auto& data = self.data();
  if (!data.contains("room")) return "join a room first";
  if (!message.is_string()) return "expected text";
  auto text = trimmed(message);
  if (text.empty()) return "empty message";
  if (length(text) > max_text) return "message too long";
  time = now_ms();
  self.to(room_key(data["room"].get<std::string>()))
      .emit_values("message", json{{"user", data["name"]}, {"text", text}, {"time", time}});
  return {};
}

// A line of a plain WebSocket client: "/name NAME", "/join ROOM" or a message.
void on_line(socket& self, const caf::actor& users, const std::string& line) {
  auto& data = self.data();
  auto tell = [&self](const std::string& text) { self.emit_values("message", admin(text)); };
  auto command = [&line](std::string_view verb) {
    return line.size() > verb.size() && line.compare(0, verb.size(), verb) == 0 &&
           line[verb.size()] == ' ';
  };
  if (command("/name")) {
    auto name = trimmed(json(line.substr(5)));
    if (data.contains("room")) {
      auto error = enter(self, users, name, data["room"].get<std::string>());
      return tell(error.empty() ? "You are " + name : error);
    }
    auto error = name_error(name);
    if (!error.empty()) return tell(error);
    data["name"] = name;
    return tell("You are " + name + "; /join a room to chat");
  }
  if (command("/join")) {
    auto name = data.contains("name") ? data["name"].get<std::string>()
                                      : "guest-" + self.id().substr(0, 4);
    auto error = enter(self, users, name, trimmed(json(line.substr(5))));
    if (!error.empty()) tell(error);
    return;
  }
  std::int64_t time = 0;
  if (auto error = say(self, json(line), time); !error.empty())
    tell(error == "join a room first" ? "join a room first: /join ROOM" : error);
}

void on_connection(socket& s, const caf::actor& users) {
  s.data() = json::object();

  s.on("join", [users](socket& self, sio::args& a, const ack_sender& ack) {
    auto reply = [&ack](json value) { ack.values(std::move(value)); };
    const json request = a.empty() ? json() : a.front();
    if (!request.is_object()) return reply(json{{"error", "expected {name, room}"}});
    auto name = trimmed(request.value("name", json()));
    auto room = trimmed(request.value("room", json()));
    if (auto error = enter(self, users, name, room); !error.empty())
      return reply(json{{"error", error}});
    reply(json{{"room", room}, {"name", name}});
  });

  s.on("sendMessage", [](socket& self, sio::args& a, const ack_sender& ack) {
    std::int64_t time = 0;
    auto error = say(self, a.empty() ? json() : a.front(), time);
    if (!error.empty()) return ack.values(json{{"error", error}});
    ack.values(json{{"ok", true}, {"time", time}});
  });

  // What a plain WebSocket client types (and the page never sends).
  s.on("message", [users](socket& self, sio::args& a, const ack_sender&) {
    if (!a.empty() && a.front().is_string()) on_line(self, users, a.front().get<std::string>());
  });

  s.on_disconnect([users](socket& self, const std::string&) { leave_current(self, users); });
}

}  // namespace

std::string chat_room_key(const std::string& room) { return "chat:" + room; }

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
