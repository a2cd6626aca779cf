#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
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
/// A handler of events the client emits without a callback (or whose
/// acknowledgement it does not answer).
using plain_event_handler = std::function<void(socket&, args&)>;
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
/// so handlers need no locks. A socket_ref may be kept past the disconnect
/// (and past the connection): from then on connected() is false, emits,
/// joins and leaves do nothing, emit_with_ack calls back with nothing at
/// once, and handshake_info() is empty unless it was asked for before.
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
  /// Bytes queued for this socket's client and not yet sent (all its
  /// namespaces share one connection); volatile packets are dropped past
  /// the server's soft bound.
  std::size_t buffered_amount() const noexcept;
  /// Stops reading this socket's connection (every namespace of its
  /// client) until as many resume_reading() calls: backpressure for a
  /// handler whose work queues up. The client's pongs wait too, so a pause
  /// longer than its ping timeout ends the connection.
  void pause_reading();
  void resume_reading();
  /// `socket.conn.transport.name`: "websocket" or "polling" ("" once the
  /// socket left).
  std::string_view transport() const noexcept;
  /// `socket.recovered`: this socket came back after a dropped connection
  /// with its id, rooms and data, and got the events it missed (only with
  /// connection state recovery on).
  bool recovered() const noexcept { return recovered_; }
  /// A plain WebSocket client of the gateway's plain path: events reach it
  /// as text frames, and its text frames arrive as the event "message".
  bool plain() const noexcept;
  /// The rooms this socket is in (its own id included).
  std::set<std::string> rooms() const;

  void on(std::string event, event_handler handler);
  void on(std::string event, plain_event_handler handler) {
    on(std::move(event), [h = std::move(handler)](socket& s, args& a, const ack_sender&) { h(s, a); });
  }
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
  /// The same, telling a timeout from a disconnect.
  void emit_with_ack(std::string_view event, args arguments, ack_status_callback callback,
                     std::optional<std::chrono::milliseconds> timeout = std::nullopt);

  /// `socket.timeout(ms).emitWithAck(...)`: an emit_with_ack that waits at most `t`.
  class timed {
   public:
    template <class Callback>
    void emit_with_ack(std::string_view event, args arguments, Callback&& callback) const {
      socket_.emit_with_ack(event, std::move(arguments), std::forward<Callback>(callback), t_);
    }

   private:
    friend class socket;
    timed(socket& s, std::chrono::milliseconds t) : socket_(s), t_(t) {}
    socket& socket_;
    std::chrono::milliseconds t_;
  };
  timed timeout(std::chrono::milliseconds t) { return timed{*this, t}; }

  void join(const std::string& room);
  void join(const std::vector<std::string>& rooms);
  void leave(const std::string& room);

  /// Every socket of the namespace in `room` but this one.
  sio::broadcast to(std::string room) const { return except_self().to(std::move(room)); }
  sio::broadcast in(std::string room) const { return to(std::move(room)); }
  sio::broadcast except(std::string room) const { return except_self().except(std::move(room)); }
  /// `socket.broadcast`: every socket of the namespace but this one
  /// (`s.broadcast().to("room").emit(...)`).
  sio::broadcast broadcast() const { return except_self(); }
  /// The same as broadcast().
  sio::broadcast broadcast_others() const { return except_self(); }

  /// `socket.volatile.emit(...)`: an emit to this client that is dropped,
  /// not queued, when its connection cannot take it right now, and never
  /// kept for connection state recovery. (`volatile` is a C++ keyword.)
  class volatile_emitter {
   public:
    void emit(std::string_view event, args arguments = {}) const;
    template <class... Ts>
    void emit_values(std::string_view event, Ts&&... xs) const {
      emit(event, args{json(std::forward<Ts>(xs))...});
    }

   private:
    friend class socket;
    explicit volatile_emitter(socket& s) : socket_(s) {}
    socket& socket_;
  };
  volatile_emitter volatile_() { return volatile_emitter{*this}; }
  /// The whole namespace, this socket included (`io.of(nsp)`).
  sio::broadcast nsp_broadcast() const;

  /// Leaves the namespace; with `close`, ends the whole connection.
  void disconnect(bool close = false);

 private:
  friend class detail::client_layer;
  sio::broadcast except_self() const { return nsp_broadcast().except(id_); }
  void emit_recoverable(std::string_view event, args arguments);

  // Null once the socket left its namespace: the layer may be gone by then.
  detail::client_layer* client_;
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
  bool recovered_ = false;
  // The private id a client recovers this socket with; empty while
  // recovery is off.
  std::string pid_;
  // With recovery: the offset its events start at (upcoming when it
  // connected), for a client that comes back having read none of them.
  std::uint64_t first_offset_ = 0;
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
  ack_status_callback take_ack(std::uint64_t id);
  std::map<std::uint64_t, ack_status_callback> pending_acks_;
};

using socket_ref = std::shared_ptr<socket>;

}  // namespace sio
