#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>

#include "sio/actors/remote_socket.hpp"
#include "sio/actors/socketio_types.hpp"

namespace sio {

/// What an observer of the server can see happen.
enum class observed_kind : std::uint8_t {
  connect,
  disconnect,
  join,
  leave,
  client_event,
  server_side_emit,
};

/// One thing that happened in a namespace, as watchers receive it.
struct observed_event {
  observed_kind kind = observed_kind::connect;
  std::string nsp;
  /// Empty for server_side_emit.
  std::string socket_id;
  /// join / leave: the room; disconnect: the reason; client_event and
  /// server_side_emit: the event name.
  std::string name;
  /// connect: the socket as it connected (rooms, data, handshake);
  /// disconnect: its rooms, without its own.
  remote_socket socket;
  /// client_event and server_side_emit: the arguments.
  args payload;
  /// client_event: the client asked for an ack.
  bool wants_ack = false;
  std::chrono::system_clock::time_point time = std::chrono::system_clock::now();
};

using observed_ptr = std::shared_ptr<const observed_event>;

/// The server's observation hook: where connections, namespaces and
/// server-side emits report what happens, for watchers (the gRPC API's
/// WatchEvents, or any actor of the host system). While nobody watches a
/// report costs one relaxed atomic load (watched()), and its caller builds
/// no event at all; so every reporting site reads
/// `if (hook.watched()) hook.notify(...)`.
///
/// Watchers are actors; each receives (atoms::observed, observed_ptr) for
/// every report made after its watch() returned, in the order the hook got
/// them, and filters them itself.
class observation_hook {
 public:
  explicit observation_hook(caf::actor_system& sys);
  ~observation_hook();
  observation_hook(const observation_hook&) = delete;
  observation_hook& operator=(const observation_hook&) = delete;

  /// Whether any watcher is attached.
  bool watched() const noexcept { return watchers_->load(std::memory_order_relaxed) != 0; }
  /// Watchers attached now.
  std::size_t watchers() const noexcept { return watchers_->load(std::memory_order_relaxed); }

  /// Hands `e` to every watcher; nothing when nobody watches.
  void notify(observed_event e) const;
  /// Reports `io.of(nsp).serverSideEmit(event, ...payload)`, which this
  /// server received (from its host, the gRPC API or another node). Returns
  /// the watchers it is handed to (each may still filter it out).
  std::size_t notify_server_side_emit(const std::string& nsp, const std::string& event,
                                      const args& payload) const;

  /// Attaches `watcher` until unwatch() or until it ends.
  void watch(const caf::actor& watcher);
  void unwatch(const caf::actor& watcher);

  /// Ends the reports (the server's end): watchers get nothing more, even
  /// while connections that outlive the server still hold the hook.
  void close();

 private:
  // Shared with the hub actor, which counts watchers down when they end.
  std::shared_ptr<std::atomic<std::size_t>> watchers_;
  caf::actor hub_;
};

}  // namespace sio

/// The hook's hub actor takes (watch, actor) and (unwatch, actor) from
/// observation_hook::watch / unwatch, (observed, observed_ptr) from notify,
/// which it passes on as the same message to every watcher, and the
/// down_msg of a watcher that ended.
namespace sio::atoms {
/// To a watcher: (observed, observed_ptr).
using observed = caf::atom_constant<caf::atom("observed")>;
using watch = caf::atom_constant<caf::atom("watch")>;
using unwatch = caf::atom_constant<caf::atom("unwatch")>;
}  // namespace sio::atoms

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sio::observed_ptr)
