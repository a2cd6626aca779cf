#pragma once

#include <atomic>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "sio/gateway/gateway_options.hpp"

namespace sio::detail {

/// What every gateway session needs to know; shared, read-only after start.
struct gateway_context {
  caf::actor_system& system;
  caf::actor registry;
  gateway_options options;
  /// The version of the client bundle in options.client_dir (its ETag).
  std::string client_version;
  /// Writes under way on all sessions, so a graceful shutdown can wait for
  /// the last close frames and answers to leave.
  mutable std::atomic<int> writes_in_flight{0};
};

}  // namespace sio::detail
