#pragma once

#include <caf/actor.hpp>

namespace sio {

/// Inside a message of a connection actor whose handler keeps its own
/// writes behind the broadcasts it starts (session_handler::await_handout):
/// that connection, which from now on awaits one atoms::handed_out more.
/// Null anywhere else. In socket.io a broadcast reaches every recipient
/// before anything its emitter writes next; the broadcast takes a detour
/// through the namespace here, so the emitter's next writes wait for it.
caf::actor connection_awaiting_handout();

}  // namespace sio
