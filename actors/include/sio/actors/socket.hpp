#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <caf/actor.hpp>

#include "sio/actors/broadcast.hpp"
#include "sio/actors/socketio_types.hpp"

namespace sio {

namespace detail {
class client_layer;
}

class socket;

/// The acknowledgement a handler owes when the client emitted with a
/// callback. Calling it sends the ACK; only the first call counts. Copies
/// share that first call.
class ack_sender {
 public:
  ack_sender() = default;
  explicit operator bool() const noexcept { return static_cast<bool>(owed_); }
  void operator()(args reply = {}) const;
  template <class... Ts>
  void values(Ts&&... xs) const {
    (*this)(args{json(std::forward<Ts>(xs))...});
  }

 private:
  friend class detail::client_layer;
  // What the ACK needs, made only for an event that asked for one.
  struct owed {
    detail::client_layer* layer;
    std::weak_ptr<socket> target;
    std::uint64_t id;
    bool sent = false;
  };
  std::shared_ptr<owed> owed_;
};

using event_handler = std::function<void(socket&, args&, const ack_sender&)>;
using any_handler = std::function<void(socket&, const std::string& event, const args&)>;
using disconnect_handler = std::function<void(socket&, const std::string& reason)>;
/// Per-packet middleware (`socket.use`): sees the event name and arguments
/// (which it may change); call next() to let the event through, next(error)
/// to drop it (the socket's on_error handlers get the error).
using packet_middleware = std::function<void(socket&, const std::string& event, args&, next_fn)>;
using error_handler = std::function<void(socket&, const connect_error&)>;
/// Sees each event that no handler of on() took, with its ack (a proxy to
/// another service, or a catch-all that answers).
using unhandled_handler =
    std::function<void(socket&, const std::string& event, args&, const ack_sender&)>;

/// One Socket.IO socket: a client's membership of one namespace. It lives
/// inside its connection actor, and every handler runs there, one at a time,
/// so handlers need no locks. Valid until its disconnect handlers returned;
/// keep a socket_ref to use it later.
class socket : public std::enable_shared_from_this<socket> {
 public:
  socket(detail::client_layer& client, std::string id, std::string nsp, caf::actor nsp_actor,
         std::uint64_t key, json auth);

  const std::string& id() const noexcept { return id_; }
  const std::string& nsp() const noexcept { return nsp_; }
  /// `socket.handshake`, made on first use: most sockets never need the
  /// request's headers and query copied.
  const handshake& handshake_info() const;
  /// `socket.handshake.auth`, without making the rest of the handshake.
  const json& auth() const noexcept { return auth_; }
  /// `socket.data`: free for the application.
  json& data() noexcept { return data_; }
  bool connected() const noexcept { return connected_; }
  /// The rooms this socket is in (its own id included).
  std::set<std::string> rooms() const;

  void on(std::string event, event_handler handler);
  void on_any(any_handler handler) { extras().any.push_back(std::move(handler)); }
  void on_any_outgoing(any_handler handler) { extras().any_outgoing.push_back(std::move(handler)); }
  void on_disconnecting(disconnect_handler handler) {
    extras().disconnecting.push_back(std::move(handler));
  }
  void on_disconnect(disconnect_handler handler) {
    extras().disconnect.push_back(std::move(handler));
  }
  void on_error(error_handler handler) { extras().error.push_back(std::move(handler)); }
  void use(packet_middleware middleware) { extras().middlewares.push_back(std::move(middleware)); }
  /// Runs for the events no on() handler takes, after the per-packet middlewares.
  void on_unhandled(unhandled_handler handler) { extras().unhandled.push_back(std::move(handler)); }

  /// The connection actor this socket lives in: an `(atoms::run,
  /// std::function<void()>)` sent to it runs where the socket's handlers
  /// run, so answers from other threads come back through it.
  caf::actor connection() const;

  /// Emits to this client.
  void emit(std::string_view event, args arguments = {});
  template <class... Ts>
  void emit_values(std::string_view event, Ts&&... xs) {
    emit(event, args{json(std::forward<Ts>(xs))...});
  }
  /// Emits and waits for the client's acknowledgement, at most `timeout`
  /// (default: the server's default_ack_timeout).
  void emit_with_ack(std::string_view event, args arguments, ack_callback callback,
                     std::optional<std::chrono::milliseconds> timeout = std::nullopt);

  void join(const std::string& room);
  void join(const std::vector<std::string>& rooms);
  void leave(const std::string& room);

  /// Every socket of the namespace in `room` but this one.
  broadcast to(std::string room) const { return except_self().to(std::move(room)); }
  broadcast in(std::string room) const { return to(std::move(room)); }
  broadcast except(std::string room) const { return except_self().except(std::move(room)); }
  /// Every socket of the namespace but this one.
  broadcast broadcast_others() const { return except_self(); }
  /// The whole namespace, this socket included (`io.of(nsp)`).
  broadcast nsp_broadcast() const;

  /// Leaves the namespace; with `close`, ends the whole connection.
  void disconnect(bool close = false);

 private:
  friend class detail::client_layer;
  broadcast except_self() const { return nsp_broadcast().except(id_); }

  detail::client_layer& client_;
  std::string id_;
  std::string nsp_;
  caf::actor nsp_actor_;
  std::uint64_t key_;
  json auth_;
  mutable std::unique_ptr<const handshake> handshake_;
  json data_;
  // Membership as this socket knows it; the namespace keeps the rooms' side.
  // Whether it is in its own room (named by its id) is a flag: a set entry
  // would cost every socket about 0.1 KiB.
  bool note_joined(const std::string& room);
  bool note_left(const std::string& room);

  bool connected_ = false;
  bool in_own_room_ = false;
  std::set<std::string> rooms_;  // the others
  // In registration order; a flat list costs less memory per socket than a
  // map, and sockets have few events.
  std::vector<std::pair<std::string, event_handler>> handlers_;
  // Listeners most sockets never get, held from the first one on: six empty
  // lists would cost every socket 0.14 KiB.
  struct extra_listeners {
    std::vector<any_handler> any;
    std::vector<any_handler> any_outgoing;
    std::vector<disconnect_handler> disconnecting;
    std::vector<disconnect_handler> disconnect;
    std::vector<error_handler> error;
    std::vector<packet_middleware> middlewares;
    std::vector<unhandled_handler> unhandled;
  };
  extra_listeners& extras();
  const extra_listeners& listeners() const;
  std::unique_ptr<extra_listeners> extras_;
  // The callback waiting for ACK `id`, removed from the waiting ones; none
  // when it was answered or timed out already.
  ack_callback take_ack(std::uint64_t id);
  std::map<std::uint64_t, ack_callback> pending_acks_;
};

using socket_ref = std::shared_ptr<socket>;

}  // namespace sio
