#pragma once

#include <optional>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "sio/actors/socketio_types.hpp"
#include "sio/actors/adapter.hpp"
#include "sio/actors/observer.hpp"

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
/// exactly one copy. Empty rooms' actors stop.
///
/// With `recovery`, it also keeps the recovery state of its sockets (see
/// recovery_store): it stamps offsets on broadcasts and takes
///  - (record, sid, offset, frames): a socket's own stamped emit
///  - (persist, pid, sid, rooms, data, first offset): before the socket's remove_socket
///  - (claim, pid, offset) -> claimed_ptr
///  - (restore, pid, sid, key, connection): adds the socket back to its
///    rooms, first sending (replay, key, missed frames) to the connection
///  - (forget, pid)
/// With `adapter`, the namespace makes its cluster adapter at start and
/// hands it what is not local (see adapter_factory).
/// It passes (server_side_emit, server_side_emit_ptr) on: to `listeners`
/// (see spawn_server_side_listeners) what reaches this node, to the adapter
/// what is not local; it ends `listeners` when it ends.
/// With `hook`, it reports joins and leaves (not a socket's own room, nor
/// the leaves of a socket that goes away) while someone watches.
caf::actor spawn_namespace(caf::actor_system& sys, std::string name,
                           std::optional<recovery_options> recovery = std::nullopt,
                           adapter_factory adapter = {}, caf::actor listeners = {},
                           std::shared_ptr<const observation_hook> hook = nullptr);

}  // namespace sio::detail
