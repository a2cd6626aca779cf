#pragma once

#include <cstddef>

#include <caf/actor_system_config.hpp>

namespace sio {

/// Applies the scheduler settings this server is measured with to a host's
/// CAF configuration; call it before the `caf::actor_system` is made.
/// `threads` sets CAF's worker count (0: leave CAF's default, one per core).
/// CAF's work-stealing workers spin while idle by default: on a machine of
/// a few cores that doubles the CPU a delivery costs, so idle workers sleep
/// here instead of polling.
inline void apply_scheduler_defaults(caf::actor_system_config& cfg, unsigned threads = 0) {
  if (threads > 0) cfg.set("scheduler.max-threads", static_cast<std::size_t>(threads));
  cfg.set("work-stealing.aggressive-poll-attempts", std::size_t{0});
  cfg.set("work-stealing.moderate-poll-attempts", std::size_t{0});
}

}  // namespace sio
