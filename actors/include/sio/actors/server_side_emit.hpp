#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>

#include "sio/actors/socketio_types.hpp"

namespace sio {

/// The answer of a server-side listener to an emit that wants one (the
/// callback of socket.io's serverSideEmit). Only the first call counts.
using server_side_ack = std::function<void(json reply)>;

/// A host listener of server-side emits (`io.on(event, listener)` for
/// events of serverSideEmit): the emit's arguments, and `ack`, which is empty
/// unless the sender waits for answers.
using server_side_listener = std::function<void(const args& arguments, const server_side_ack& ack)>;

/// How a server_side_emit_with_ack ended: `error` is empty when every other
/// node answered, else it says why not (timeout, cluster unreachable);
/// `replies` holds the answers that came, in arrival order.
using server_side_replies = std::function<void(std::optional<std::string> error, args replies)>;

/// One server-side emit on its way (internal: the namespace actor, its
/// listener actor and the cluster adapter pass it along).
struct server_side_emit_request {
  std::string event;
  args arguments;
  /// Came from another node (or is for this node only): not published.
  bool local = false;
  /// Reaches this node's listeners (and watchers) too.
  bool here = false;
  /// Set when the sender wants answers: the listeners get it as their ack.
  server_side_ack ack;
  /// Set on this node's emit with acks: called once with the other nodes' answers.
  server_side_replies on_replies;
  /// How long on_replies waits (zero: the cluster's request timeout).
  std::chrono::milliseconds timeout{0};
  /// With `here`: told how many listeners and watchers of this node it reached.
  std::function<void(std::size_t)> on_reached;
};

using server_side_emit_ptr = std::shared_ptr<const server_side_emit_request>;

}  // namespace sio

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sio::server_side_emit_ptr)

namespace sio::atoms {
/// (server_side_emit, server_side_emit_ptr): to a namespace, its listener
/// actor and its adapter.
using server_side_emit = caf::atom_constant<caf::atom("ssemit")>;
}  // namespace sio::atoms
