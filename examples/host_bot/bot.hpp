#pragma once

#include <chrono>
#include <string>

#include <caf/event_based_actor.hpp>

#include "sio/actors/host.hpp"

namespace sio::examples {

struct bot_options {
  /// The chat room it sits in (as the chat page names it).
  std::string room = "lobby";
  /// How long a poll waits for answers.
  std::chrono::milliseconds poll_timeout{5000};
};

/// A bot in the chat app's room, written against sio::host::api alone, so
/// it runs in the server's process or in another one (over CAF's
/// middleman) unchanged. In the room it answers
///   !who          with the names of the sockets in the room (fetch)
///   !poll TEXT    by asking every socket in the room "poll"(TEXT) and
///                 telling the room what they answered (emit with acks)
///   !leave        with "bye", then it leaves the room
/// Its lines are chat messages from user "bot". It ends with the server.
caf::behavior chat_bot(caf::event_based_actor* self, host::api io, bot_options options);

}  // namespace sio::examples
