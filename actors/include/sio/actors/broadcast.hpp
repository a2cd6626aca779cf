#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <caf/actor.hpp>

#include "sio/actors/remote_socket.hpp"
#include "sio/actors/socketio_types.hpp"

namespace sio {

/// The event of a broadcast, for actors that subscribed to a room and take
/// it as a typed message (atoms::event, nsp, name, args) rather than bytes.
struct event_copy {
  std::string name;
  args arguments;
  /// `volatile`: recipients that cannot take it right now drop it.
  bool is_volatile = false;
};

/// The event a delivery carries besides its bytes, for the recipient's
/// on_any_outgoing handlers; null when nobody needs it.
using event_ptr = std::shared_ptr<const event_copy>;

/// One broadcast on its way to a recipient.
struct delivery {
  frame_batch frames;
  event_ptr event;
};

/// Broadcasts that reached a room one after another, delivered to each member
/// in one message (and so in one write).
using delivery_run = std::shared_ptr<const std::vector<delivery>>;

/// What a broadcast asks the namespace actor for.
struct broadcast_request {
  std::vector<std::string> rooms;   // none: every socket of the namespace
  std::vector<std::string> except;  // rooms (socket ids count as rooms) left out
  frame_batch frames;
  event_ptr event;
  bool is_volatile = false;
  /// With an ack: the id in the packet, and the actor that collects replies.
  std::uint64_t ack_id = 0;
  caf::actor ack_collector;
  /// This node only: not published to the cluster (`local`, or it came from
  /// another node).
  bool local = false;
  /// The event of a broadcast with ack, for a cluster adapter to publish.
  event_ptr ack_event;
};

/// What a server-side command or query asks the namespace actor for.
struct selection_request {
  std::vector<std::string> rooms;
  std::vector<std::string> except;
  socket_command command;      // for commands
  caf::actor fetch_collector;  // for fetch_sockets
  bool local = false;          // as broadcast_request::local
};

/// The replies of a broadcast with ack: one per recipient that answered, and
/// whether some recipient did not answer in time.
using broadcast_ack_callback = std::function<void(std::vector<args> replies, bool timed_out)>;

/// `io.to(room).except(other).emit(...)`: a description of recipients, then
/// one emit. The packet is encoded once, here, and the namespace and room
/// actors pass the same bytes to every recipient. Usable from any thread or
/// actor: it only sends a message.
class broadcast {
 public:
  /// `origin`: the connection actor emitting, if any; callbacks of
  /// emit_with_ack and fetch_sockets then run inside it.
  broadcast(caf::actor nsp, std::string nsp_name, caf::actor origin = {})
      : nsp_(std::move(nsp)), nsp_name_(std::move(nsp_name)), origin_(std::move(origin)) {}

  broadcast& to(std::string room) & {
    rooms_.push_back(std::move(room));
    return *this;
  }
  broadcast&& to(std::string room) && { return std::move(to(std::move(room))); }
  broadcast& in(std::string room) & { return to(std::move(room)); }
  broadcast&& in(std::string room) && { return std::move(to(std::move(room))); }
  broadcast& except(std::string room) & {
    except_.push_back(std::move(room));
    return *this;
  }
  broadcast&& except(std::string room) && { return std::move(except(std::move(room))); }
  /// Dropped for clients that cannot take it right now.
  broadcast& volatile_() & {
    volatile_flag_ = true;
    return *this;
  }
  broadcast&& volatile_() && { return std::move(volatile_()); }
  /// Accepted for API parity; this server sends uncompressed frames.
  broadcast& compress(bool) & { return *this; }
  broadcast&& compress(bool) && { return std::move(*this); }
  /// This node only, even in a cluster.
  broadcast& local() & {
    local_ = true;
    return *this;
  }
  broadcast&& local() && { return std::move(local()); }
  /// How long emit_with_ack waits for the recipients' replies.
  broadcast& timeout(std::chrono::milliseconds t) & {
    timeout_ = t;
    return *this;
  }
  broadcast&& timeout(std::chrono::milliseconds t) && { return std::move(timeout(t)); }

  /// Emits `event` with `arguments` to every selected socket.
  void emit(std::string_view event, args arguments = {}) const;

  template <class... Ts>
  void emit_values(std::string_view event, Ts&&... xs) const {
    emit(event, args{json(std::forward<Ts>(xs))...});
  }

  /// Emits and collects every recipient's acknowledgement; `callback` gets
  /// them once all answered, or when the timeout (default 30 s) passed. Called
  /// inside the actor that emitted when that is a connection actor (so it may
  /// touch its socket), else inside a short-lived collector actor.
  void emit_with_ack(std::string_view event, args arguments, broadcast_ack_callback callback) const;

  /// The selected sockets, wherever they live (`fetchSockets()`). The
  /// callback runs like emit_with_ack's.
  void fetch_sockets(std::function<void(std::vector<remote_socket>)> callback) const;
  /// fetch_sockets that also tells whether every node answered in time
  /// (`complete`); a cluster request that fails ends early with false.
  void fetch_sockets_checked(
      std::function<void(std::vector<remote_socket>, bool complete)> callback) const;

  /// Makes the selected sockets join / leave rooms (`socketsJoin`, `socketsLeave`).
  void sockets_join(std::vector<std::string> rooms) const;
  void sockets_leave(std::vector<std::string> rooms) const;
  /// Disconnects the selected sockets (`disconnectSockets(close)`).
  void disconnect_sockets(bool close = false) const;

 private:
  void select(socket_command cmd) const;

  caf::actor nsp_;
  std::string nsp_name_;
  caf::actor origin_;
  std::vector<std::string> rooms_;
  std::vector<std::string> except_;
  bool volatile_flag_ = false;
  bool local_ = false;
  std::optional<std::chrono::milliseconds> timeout_;
};

/// Encodes EVENT `event` with `arguments` for namespace `nsp` into the frames
/// a client receives ("4" + packet text, then the attachments).
/// With `ack_id`, the packet asks for an acknowledgement.
frame_batch encode_event(std::string_view nsp, std::string_view event, args arguments,
                         std::optional<std::uint64_t> ack_id = std::nullopt);

/// A fresh acknowledgement id. One counter for the whole process, so ids of a
/// socket's own emits and of broadcasts never meet on one socket.
std::uint64_t next_ack_id();

}  // namespace sio
