#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
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
  /// `volatile`: never kept for recovery; the cluster passes it on as such.
  bool is_volatile = false;
  /// With an ack: the id in the packet, and the actor that collects replies.
  std::uint64_t ack_id = 0;
  caf::actor ack_collector;
  /// With an ack: each recipient reports to ack_collector by socket id and
  /// status (see socket_ack), after `ack_timeout` at the latest.
  bool ack_each = false;
  /// With an ack: how long the asker waits (a cluster adapter tells the
  /// other nodes, which relay acks until then).
  std::chrono::milliseconds ack_timeout{0};
  /// Told (atoms::count, n) with the number of recipients, when set.
  caf::actor count_reply;
  /// The connection whose handler started it, if one did: told
  /// (atoms::handed_out) once every recipient here has the event, so that
  /// what that connection writes meanwhile follows it (see
  /// connection_awaiting_handout).
  caf::actor handed_out_to;
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
  /// For fetch_sockets: told (atoms::expect, n), then (atoms::reply,
  /// remote_socket) from each selected socket, or (atoms::gone) for one that
  /// went away meanwhile.
  caf::actor fetch_collector;
  /// Told (atoms::count, n) with the number of selected sockets, once the
  /// command took effect, when set. A selection with neither a command nor a
  /// fetch collector only counts.
  caf::actor count_reply;
  bool count_only = false;
  bool local = false;          // as broadcast_request::local
};

/// How many sockets an operation reached, once it took effect on this node.
using count_callback = std::function<void(std::size_t sockets)>;

/// One recipient's outcome of emit_with_socket_acks.
struct socket_ack {
  std::string socket_id;
  ack_status status = ack_status::timed_out;
  args reply;
  /// From the emit to the answer (acked only).
  std::chrono::milliseconds latency{0};
};

/// Every recipient's outcome, ordered by socket id, and whether all of them
/// answered (or left) before the timeout.
using socket_acks_callback = std::function<void(std::vector<socket_ack> acks, bool complete)>;

/// What emit_with_socket_acks reports while it waits: `dispatched` with the
/// number of recipients once the event went out to them, `each` with every
/// outcome that came before the timeout (acked, disconnected, dropped), as
/// it comes. Either may be empty.
struct socket_ack_progress {
  std::function<void(std::size_t recipients)> dispatched;
  std::function<void(const socket_ack& ack)> each;
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
  /// emit_with_ack and fetch_sockets then run inside it. `default_timeout`:
  /// how long emit_with_ack waits without a timeout() (the server's
  /// socketio_options::default_ack_timeout when made by the server's API).
  broadcast(caf::actor nsp, std::string nsp_name, caf::actor origin = {},
            std::chrono::milliseconds default_timeout = std::chrono::seconds(30))
      : nsp_(std::move(nsp)),
        nsp_name_(std::move(nsp_name)),
        origin_(std::move(origin)),
        default_timeout_(default_timeout) {}

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
  /// Accepted for API parity and ignored: with permessage-deflate on, each
  /// connection compresses every message from the threshold up.
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

  /// emit(), then `on_sent` with the number of sockets it was handed to.
  void emit(std::string_view event, args arguments, count_callback on_sent) const;

  /// Emits and collects every recipient's acknowledgement; `callback` gets
  /// them once all answered, or when the timeout (default: the server's
  /// default_ack_timeout) passed. Called
  /// inside the actor that emitted when that is a connection actor (so it may
  /// touch its socket), else inside a short-lived collector actor.
  void emit_with_ack(std::string_view event, args arguments, broadcast_ack_callback callback) const;

  /// emit_with_ack, but the callback learns each recipient's fate by socket
  /// id: acked (with its reply), timed out, disconnected or dropped.
  void emit_with_socket_acks(std::string_view event, args arguments,
                             socket_acks_callback callback) const;
  /// The same, reporting each outcome as it comes (large rooms); `callback`
  /// still gets them all, last. Each runs where `callback` does.
  void emit_with_socket_acks(std::string_view event, args arguments, socket_ack_progress progress,
                             socket_acks_callback callback) const;

  /// How many sockets are selected, without building a list of them. The
  /// callback runs like emit_with_ack's.
  void count_sockets(count_callback callback) const;

  /// The selected sockets, wherever they live (`fetchSockets()`). The
  /// callback runs like emit_with_ack's. In a cluster, the sockets of a node
  /// that did not answer in time are missing: fetch_sockets_checked tells.
  void fetch_sockets(std::function<void(std::vector<remote_socket>)> callback) const;
  /// fetch_sockets that also tells whether every node answered in time
  /// (`complete`); a cluster request that fails ends early with false.
  /// socket.io's fetchSockets() rejects then: treat false as that error.
  void fetch_sockets_checked(
      std::function<void(std::vector<remote_socket>, bool complete)> callback) const;

  /// Makes the selected sockets join / leave rooms (`socketsJoin`, `socketsLeave`).
  void sockets_join(std::vector<std::string> rooms) const;
  void sockets_leave(std::vector<std::string> rooms) const;
  /// Disconnects the selected sockets (`disconnectSockets(close)`).
  void disconnect_sockets(bool close = false) const;
  /// The same, then `done` with the number of sockets selected, once the
  /// namespace applied the command (joins and leaves have taken effect).
  void sockets_join(std::vector<std::string> rooms, count_callback done) const;
  void sockets_leave(std::vector<std::string> rooms, count_callback done) const;
  void disconnect_sockets(bool close, count_callback done) const;

 private:
  void select(socket_command cmd, count_callback done = {}) const;

  caf::actor nsp_;
  std::string nsp_name_;
  caf::actor origin_;
  std::vector<std::string> rooms_;
  std::vector<std::string> except_;
  bool volatile_flag_ = false;
  bool local_ = false;
  std::optional<std::chrono::milliseconds> timeout_;
  std::chrono::milliseconds default_timeout_;
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
