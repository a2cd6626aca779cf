#pragma once

#include <chrono>
#include <functional>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "sio/actors/broadcast.hpp"
#include "sio/actors/remote_socket.hpp"

namespace sio::detail {

// Each collector is spawned by the call that waits for the answers and named
// in its request (broadcast_request, selection_request, socket_command); the
// namespace and the recipients' connections answer it; in a cluster the
// adapter's gatherer stands between. Each ends itself once it handed its
// result over: as (run, std::function<void()>) to `origin` (a connection,
// the host interface) when it is set, else by calling `done` itself. Timeouts
// are (collect_timeout) sent to itself; (collect_timeout) from a gatherer
// ends one early (the cluster request failed).

/// Collects the replies of one broadcast: first (expect, n) from the
/// namespace, then (reply, args) from each recipient, until n arrived or the
/// timeout. Hands the result to `origin` as (run, closure) when it is set,
/// else calls `done` itself; then quits.
caf::actor spawn_ack_collector(caf::actor_system& sys, std::chrono::milliseconds timeout,
                               broadcast_ack_callback done, caf::actor origin);

/// The same for fetch_sockets, with (reply, remote_socket) from each socket
/// or (gone) for a socket that will not answer; `done` learns whether the
/// count was reached (false after the timeout, or when told
/// (collect_timeout) early).
caf::actor spawn_fetch_collector(caf::actor_system& sys, std::chrono::milliseconds timeout,
                                 std::function<void(std::vector<remote_socket>, bool complete)> done,
                                 caf::actor origin);

/// Waits for (count, n) from the namespace or a room actor and hands n on
/// like the others.
caf::actor spawn_count_collector(caf::actor_system& sys, count_callback done, caf::actor origin);

/// Collects per-socket acks: first (expect, vector<string> socket ids) from
/// the namespace, then (reply, socket_ack) from each connection (replies may
/// come before the ids), until all arrived or the timeout, when the
/// missing ones count as timed out.
/// `progress` hears of the recipients and of each ack as they come.
caf::actor spawn_socket_ack_collector(caf::actor_system& sys, std::chrono::milliseconds timeout,
                                      socket_acks_callback done, caf::actor origin,
                                      socket_ack_progress progress = {});

/// Waits for (count, n) from the namespace, then, when n > 0, for the
/// connection's (reply, json data), or (gone) when the socket went away
/// meanwhile (nothing); gives up (nothing) after a few seconds.
caf::actor spawn_set_data_collector(caf::actor_system& sys,
                                    std::function<void(std::optional<json>)> done);

}  // namespace sio::detail
