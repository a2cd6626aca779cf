// A bot for chat-with-bot in a process of its own: it reaches the server's
// host interface over CAF's middleman and sits in one chat room.
//
//   chat-bot --caf-port N [--room ROOM] [--poll-timeout-ms MS]
//
// Prints "bot joined ROOM" once it is in the room; ends when the server does.
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>

#include "host_bot/bot.hpp"
#include "sio/actors/host.hpp"

int main(int argc, char** argv) {
  std::uint16_t caf_port = 0;
  sio::examples::bot_options bot;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--caf-port") {
      caf_port = static_cast<std::uint16_t>(std::atoi(argv[i + 1]));
    } else if (flag == "--room") {
      bot.room = argv[i + 1];
    } else if (flag == "--poll-timeout-ms") {
      bot.poll_timeout = std::chrono::milliseconds(std::atoi(argv[i + 1]));
    } else {
      std::cerr << "usage: chat-bot --caf-port N [--room ROOM] [--poll-timeout-ms MS]\n";
      return 2;
    }
  }
  if (caf_port == 0) {
    std::cerr << "chat-bot: --caf-port is required\n";
    return 2;
  }

  caf::actor_system_config cfg;
  sio::host::add_message_types(cfg);
  cfg.load<caf::io::middleman>();
  caf::actor_system sys{cfg};
  // The typed handle: CAF checks that the published actor has this interface.
  auto io = sys.middleman().remote_actor<sio::host::api>("127.0.0.1", caf_port);
  if (!io) {
    std::cerr << "chat-bot: cannot reach the host api: " << sys.render(io.error()) << std::endl;
    return 1;
  }
  sys.spawn(sio::examples::chat_bot, *io, bot);
  // The actor system waits for the bot, which ends with the server.
  return 0;
}
