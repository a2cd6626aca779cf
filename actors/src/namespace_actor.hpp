#pragma once

#include <string>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "sio/actors/adapter.hpp"

namespace sio::detail {

/// Spawns the actor of one namespace: the authority on which sockets are in
/// which rooms (as socket.io-adapter's `rooms` and `sids` maps). It takes
///  - (add_socket, sid, key, connection): a socket joined the namespace
///  - (remove_socket, sid): it left (it leaves every room)
///  - (join | leave, sid, room)
///  - (broadcast, shared_ptr<const broadcast_request>)
/// and sends (deliver, key, frame_batch) to the connection of each recipient.
/// A broadcast to one room without exceptions is fanned out by that room's
/// actor; anything needing set arithmetic (several rooms, exceptions) is
/// resolved here, where the membership is consistent, so each recipient gets
/// exactly one copy. Empty rooms' actors stop. With `adapter`, the namespace
/// makes its cluster adapter at start and hands it what is not local (see
/// adapter_factory).
caf::actor spawn_namespace(caf::actor_system& sys, std::string name,
                           adapter_factory adapter = {});

}  // namespace sio::detail
