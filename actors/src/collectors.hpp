#pragma once

#include <chrono>
#include <functional>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "sio/actors/broadcast.hpp"
#include "sio/actors/remote_socket.hpp"

namespace sio::detail {

/// Collects the replies of one broadcast: first (expect, n) from the
/// namespace, then (reply, T) from each recipient, until n arrived or the
/// timeout. Hands the result to `origin` as (run, closure) when it is set,
/// else calls `done` itself; then quits.
caf::actor spawn_ack_collector(caf::actor_system& sys, std::chrono::milliseconds timeout,
                               broadcast_ack_callback done, caf::actor origin);

/// The same for fetch_sockets; `done` learns whether the count was reached
/// (false after the timeout, or when told (collect_timeout) early).
caf::actor spawn_fetch_collector(caf::actor_system& sys, std::chrono::milliseconds timeout,
                                 std::function<void(std::vector<remote_socket>, bool complete)> done,
                                 caf::actor origin);

}  // namespace sio::detail
