#pragma once

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "sio/gateway/gateway_options.hpp"

namespace sio::detail {

/// What every gateway session needs to know; shared, read-only after start.
struct gateway_context {
  caf::actor_system& system;
  caf::actor registry;
  gateway_options options;
};

}  // namespace sio::detail
