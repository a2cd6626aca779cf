#include "host_bot/bot.hpp"

#include <algorithm>
#include <iostream>
#include <vector>

#include "chat/chat.hpp"

namespace sio::examples {
namespace {

constexpr const char* bot_name = "bot";

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string joined(std::vector<std::string> words) {
  std::sort(words.begin(), words.end());
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

}  // namespace

caf::behavior chat_bot(caf::event_based_actor* self, host::api io, bot_options options) {
  const host::target room{"/", {chat_room_key(options.room)}, {}};
  auto say = [self, io, room](const std::string& text) {
    // The answer (how many sockets it reached) is not needed here.
    self->request(io, caf::infinite, host::emit_atom::value, room,
                  host::event{"message", {json{{"user", bot_name}, {"text", text}, {"time", now_ms()}}}})
        .then([](std::uint64_t) {});
  };
  self->monitor(io);
  self->set_down_handler([self](caf::down_msg& down) {
    std::cerr << "bot: the server is gone: " << to_string(down.reason) << std::endl;
    self->quit();
  });
  self->request(io, caf::infinite, host::join_atom::value, room.nsp, room.rooms.front(),
                caf::actor_cast<caf::actor>(self))
      .then(
          [options, say](caf::ok_atom) {
            std::cout << "bot joined " << options.room << std::endl;
            say("bot here: try !who, !poll QUESTION or !leave");
          },
          [self](caf::error& err) {
            std::cerr << "bot could not join: " << to_string(err) << std::endl;
            self->quit(err);
          });
  return {
      [self, io, room, options, say](host::event_atom, const std::string&, const host::event& e) {
        // Chat messages from people; the bot hears its own lines too.
        if (e.name != "message" || e.arguments.empty() || !e.arguments[0].is_object()) return;
        const auto& m = e.arguments[0];
        if (m.value("user", "") == bot_name) return;
        auto text = m.value("text", "");
        if (text == "!who") {
          self->request(io, caf::infinite, host::fetch_atom::value, room)
              .then([say](const std::vector<host::socket_info>& sockets) {
                std::vector<std::string> names;
                for (const auto& s : sockets)
                  if (s.data.is_object() && s.data.contains("name") && s.data["name"].is_string())
                    names.push_back(s.data["name"].get<std::string>());
                say("here: " + joined(names));
              });
        } else if (text.rfind("!poll ", 0) == 0) {
          auto question = text.substr(6);
          // The CAF response comes once every socket answered, or at the timeout.
          self->request(io, caf::infinite, host::emit_ack_atom::value, room,
                        host::event{"poll", {question}}, caf::timespan{options.poll_timeout})
              .then([say, question](const std::vector<host::ack>& acks, bool) {
                std::vector<std::string> answers;
                std::size_t silent = 0;
                for (const auto& a : acks) {
                  if (a.status == ack_status::acked && !a.reply.empty() && a.reply[0].is_string())
                    answers.push_back(a.reply[0].get<std::string>());
                  else
                    ++silent;
                }
                say("poll \"" + question + "\": " + std::to_string(answers.size()) +
                    " answered (" + joined(answers) + "), " + std::to_string(silent) + " silent");
              });
        } else if (text == "!leave") {
          say("bye");
          self->request(io, caf::infinite, host::leave_atom::value, room.nsp, room.rooms.front(),
                        caf::actor_cast<caf::actor>(self))
              .then([options](caf::ok_atom) {
                std::cout << "bot left " << options.room << std::endl;
              });
        }
      },
  };
}

}  // namespace sio::examples
