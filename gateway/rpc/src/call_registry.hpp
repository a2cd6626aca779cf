#pragma once

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "sio/actors/messages.hpp"  // std::function<void()> in messages

namespace sio::rpc {

/// The calls that may run for long (acks awaited, streams), so that a
/// shutdown ends each of them with UNAVAILABLE rather than letting them
/// hang until gRPC's grace runs out. It takes
///  - (track, id, std::function<void()> end): a call started
///  - (untrack, id): it ended by itself
///  - (shut_down) -> bool: runs every `end` still registered, and the ends
///    of calls tracked later at once.
caf::actor spawn_call_registry(caf::actor_system& sys);

}  // namespace sio::rpc
