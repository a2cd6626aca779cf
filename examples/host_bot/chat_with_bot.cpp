// The chat app with its host interface published over CAF's middleman, so
// that actors of other processes (chat-bot) take part in its rooms.
//
//   chat-with-bot [--port N] [--caf-port N] [--local-bot ROOM]
//
// --port: the Socket.IO port (0: any free one); --caf-port: where the host
// interface is published, on 127.0.0.1 only (0: any free one); --local-bot:
// a bot in ROOM inside this process, through the same interface. Prints
// "listening on port N" and "host api on port N"; stops on SIGINT / SIGTERM.
#include <cstdlib>
#include <iostream>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <caf/io/publish.hpp>

#include "chat/chat.hpp"
#include "host_bot/bot.hpp"
#include "sio/sio.hpp"

int main(int argc, char** argv) {
  std::uint16_t port = 3000;
  std::uint16_t caf_port = 0;
  std::string local_bot_room;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--port") {
      port = static_cast<std::uint16_t>(std::atoi(argv[i + 1]));
    } else if (flag == "--caf-port") {
      caf_port = static_cast<std::uint16_t>(std::atoi(argv[i + 1]));
    } else if (flag == "--local-bot") {
      local_bot_room = argv[i + 1];
    } else {
      std::cerr << "usage: chat-with-bot [--port N] [--caf-port N] [--local-bot ROOM]\n";
      return 2;
    }
  }

  caf::actor_system_config cfg;
  sio::apply_scheduler_defaults(cfg);
  // Both sides announce the interface's types: they cross the network.
  sio::host::add_message_types(cfg);
  cfg.load<caf::io::middleman>();
  caf::actor_system sys{cfg};

  sio::server_options options;
  options.gateway.port = port;
  auto server = sio::start(sys, options, sio::examples::chat_app().configure);
  auto api = sio::host::spawn_api(server.io());
  auto published = caf::io::publish(api, caf_port, "127.0.0.1");
  if (!published) {
    std::cerr << "cannot publish the host api: " << sys.render(published.error()) << std::endl;
    return 1;
  }
  std::cout << "listening on port " << server.port() << "\nhost api on port " << *published
            << std::endl;
  if (!local_bot_room.empty())
    sys.spawn(sio::examples::chat_bot, api, sio::examples::bot_options{local_bot_room, {}});
  server.stop_on_signals();
  server.wait();
  return 0;
}
