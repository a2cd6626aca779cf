#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "sio/actors/broadcast.hpp"

namespace sio::rpc {

/// One Emit with an idempotency key, as the dedup actor sees it.
struct dedup_call {
  std::string key;
  /// The request without its key; the same key with another request is refused.
  std::size_t fingerprint = 0;
  /// Sends the event and calls its argument with the recipient count.
  std::function<void(count_callback)> start;
  /// outcome: sent (recipients), a repeat (recipients of the first), or a conflict.
  enum class outcome { sent, repeated, conflict };
  std::function<void(outcome, std::size_t recipients)> finish;
};

/// The actor that remembers idempotency keys for `window`: the first call
/// with a key emits, later ones with the same request get its result (once
/// it is known) without emitting again.
caf::actor spawn_emit_dedup(caf::actor_system& sys, std::chrono::milliseconds window);

}  // namespace sio::rpc

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sio::rpc::dedup_call)
