#pragma once

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

namespace sio {

/// Spawns the timer of every connection's heartbeat. Each connection always
/// waits for a ping to become due, and after a ping for its pong: with a CAF
/// timer each, a connection would hold about 0.2 KiB per timer until it
/// fires (CAF 0.17 cannot cancel one). Here a wait is one small entry.
///
/// It takes (wake, timespan delay, atom_value what, uint64 generation) from
/// a connection and, after `delay`, sends (what, generation) back to the
/// sender (what is ping or ping_timeout), unless the sender has terminated
/// meanwhile; it holds no reference that keeps one alive. Its own timer is
/// (tick, time_point rep).
caf::actor spawn_heartbeat(caf::actor_system& sys);

}  // namespace sio
