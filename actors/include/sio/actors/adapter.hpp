#pragma once

#include <functional>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

namespace sio {

/// Makes the cluster adapter of one namespace (socket.io's Adapter), given
/// the namespace's name and actor. The namespace actor calls it once when it
/// starts and links to the adapter. It then sends the adapter, after doing
/// the local part itself:
///  - (broadcast, shared_ptr<const broadcast_request>) for each broadcast
///    without acks not marked local;
///  - the request (cluster_acks, shared_ptr<const broadcast_request>) for
///    each broadcast with acks not marked local, before its local delivery:
///    the adapter publishes it and answers with the copy to deliver here
///    (whose collector gathers every node's counts and acks), so that it
///    goes out on every node before what the namespace handles next;
///  - (select, shared_ptr<const selection_request>) for each command not
///    marked local; fetch_sockets is the adapter's to run entirely;
///  - (server_side_emit, server_side_emit_ptr) for each one not marked local.
/// The adapter hands what comes from other nodes back to the namespace as
/// the same messages, marked local, and may ask it (all_rooms) ->
/// vector<string>. As a collector of the namespace's own part it takes what
/// a collector takes (see the namespace's message list). Without a factory
/// nothing of this happens.
using adapter_factory = std::function<caf::actor(caf::actor_system& sys, const std::string& nsp,
                                                 const caf::actor& nsp_actor)>;

}  // namespace sio
