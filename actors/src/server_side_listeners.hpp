#pragma once

#include <atomic>
#include <memory>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "sio/actors/observer.hpp"

namespace sio::detail {

struct namespace_config;

/// Spawns the actor that runs a namespace's server-side listeners, one emit
/// at a time (so they need no locks, like a connection's handlers). Its one
/// message, from its namespace: (server_side_emit, server_side_emit_ptr);
/// with `here`, each listener of the event runs and the watchers hear of
/// it, then `on_reached` gets how many of them it reached; a local one
/// with `on_replies` (this node alone in its cluster) gets its empty answer. Nothing runs before the server
/// started, while the listeners may still change.
caf::actor spawn_server_side_listeners(caf::actor_system& sys,
                                       std::shared_ptr<const namespace_config> config,
                                       std::shared_ptr<const std::atomic<bool>> frozen,
                                       std::shared_ptr<const observation_hook> hook);

}  // namespace sio::detail
