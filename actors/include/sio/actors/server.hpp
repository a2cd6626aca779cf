#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "sio/actors/broadcast.hpp"
#include "sio/actors/engine_options.hpp"
#include "sio/actors/server_side_emit.hpp"
#include "sio/actors/observer.hpp"
#include "sio/actors/session_handler.hpp"
#include "sio/actors/socket.hpp"
#include "sio/actors/socketio_types.hpp"

namespace sio {

namespace detail {
struct server_state;
struct namespace_config;
struct server_access;
}  // namespace detail

/// A namespace middleware (`io.of(name).use(fn)`): call next() to admit the
/// socket, next(connect_error{...}) to refuse it.
using middleware = std::function<void(socket&, next_fn)>;
using connection_handler = std::function<void(socket&)>;

/// `io.of(name)`: configures a namespace (before the server starts) and
/// broadcasts to it (any time, from anywhere). use() and on_connection()
/// after the start throw std::logic_error: connection actors read the
/// configuration on their own threads by then.
class namespace_ref {
 public:
  namespace_ref& use(middleware m);
  namespace_ref& on_connection(connection_handler h);

  const std::string& name() const noexcept;
  caf::actor actor() const noexcept { return actor_; }

  broadcast to(std::string room) const { return all().to(std::move(room)); }
  broadcast in(std::string room) const { return to(std::move(room)); }
  broadcast except(std::string room) const { return all().except(std::move(room)); }
  broadcast all() const;
  void emit(std::string_view event, args arguments = {}) const {
    all().emit(event, std::move(arguments));
  }

  /// Lets an actor of the host system take part in `room` without a client:
  /// every broadcast to the room (or to the whole namespace) reaches it as
  /// the typed message (atoms::event, nsp, event name, args). It emits to
  /// rooms with to(room).emit() like anyone. Ends when the actor does.
  void subscribe(const std::string& room, const caf::actor& subscriber) const;
  void unsubscribe(const std::string& room, const caf::actor& subscriber) const;

  /// `socket.data = data` (or, with `merge`, a JSON merge patch of it) for
  /// socket `sid` of this namespace, from anywhere. `done` gets the data
  /// after the change, or nothing when no such socket is connected; it runs
  /// in a short-lived actor.
  void set_data(const std::string& sid, json data, bool merge,
                std::function<void(std::optional<json>)> done) const;

  /// The rooms of this namespace and their sizes, sorted by name; sockets'
  /// own rooms (their ids) are left out. `done` runs in a short-lived actor.
  void list_rooms(std::function<void(std::vector<std::pair<std::string, std::size_t>>)> done) const;

  /// A host listener of the server-side emits `event` of this namespace
  /// that other nodes send (socket.io's `io.on(event, listener)` for
  /// serverSideEmit). Listeners of a namespace run one at a time in an actor
  /// of their own. Before the start only, like on_connection().
  namespace_ref& on_server_side_emit(std::string event, server_side_listener listener);

  /// socket.io's `serverSideEmit(event, ...args)`: every other node of the
  /// cluster gets it (not this one, as in socket.io); none without a
  /// cluster.
  void server_side_emit(std::string_view event, args arguments = {}) const;
  /// `serverSideEmitWithAck`: `done` gets the answer of each other node's
  /// listener (one per node), with no error once every node answered, else
  /// the error after `timeout` (zero: the cluster's request timeout) or at
  /// once when the cluster cannot be reached. Alone, it gets no answers at
  /// once. `done` runs in a short-lived actor.
  void server_side_emit_with_ack(std::string_view event, args arguments, server_side_replies done,
                                 std::chrono::milliseconds timeout = {}) const;
  /// A server-side emit from outside the server (an API call): this node's
  /// listeners and watchers get it as well as every other node's.
  /// `reached` (optional) gets how many listeners and watchers of this node
  /// it reached, once they ran.
  void server_side_emit_everywhere(std::string_view event, args arguments,
                                   std::function<void(std::size_t)> reached = {}) const;

 private:
  friend class server;
  friend struct detail::server_access;
  namespace_ref(std::shared_ptr<detail::namespace_config> config, caf::actor actor,
                std::shared_ptr<const std::atomic<bool>> frozen)
      : config_(std::move(config)), actor_(std::move(actor)), frozen_(std::move(frozen)) {}
  void check_not_started(const char* what) const;
  std::shared_ptr<detail::namespace_config> config_;
  caf::actor actor_;
  std::shared_ptr<const std::atomic<bool>> frozen_;
};

/// The Socket.IO server: namespaces, their middlewares and handlers. Build it,
/// configure it with of(), then hand session_handlers() to the session
/// registry. Handlers run inside connection actors, one at a time per
/// connection.
class server {
 public:
  /// `max_payload` is the engine's (`engine_options::max_payload`,
  /// maxHttpBufferSize): one packet with all its attachments may not be
  /// larger. `sio::start` builds the server from `server_options`.
  explicit server(caf::actor_system& sys, socketio_options options = {},
                  std::size_t max_payload = engine_options{}.max_payload);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// The namespace `name` ("/" is the main one), created on first use.
  /// Namespaces are created before the start (session_handlers(), which
  /// sio::start calls): afterwards a name not created yet throws
  /// std::logic_error, and an existing one is looked up (to broadcast).
  namespace_ref of(const std::string& name);
  /// Dynamic namespaces: each name that matches becomes a namespace of its
  /// own on first connection, with the middlewares and handlers set here.
  /// Before the start only, like new names.
  namespace_ref of(const std::regex& pattern);
  namespace_ref of(std::function<bool(const std::string& name, const json& auth)> predicate);

  /// The namespace `name` when of(name) registered it, without creating
  /// one. Safe from any thread once session_handlers() froze the
  /// configuration. Namespaces of dynamic rules are not found here.
  std::optional<namespace_ref> find(const std::string& name) const;

  caf::actor_system& system() const noexcept;

  /// The factory the session registry calls for each new Engine.IO session.
  /// Configuration is frozen from here on.
  handler_factory session_handlers();

  broadcast to(std::string room) { return of("/").to(std::move(room)); }
  void emit(std::string_view event, args arguments = {}) {
    of("/").emit(event, std::move(arguments));
  }
  /// The main namespace's server-side emits (see namespace_ref).
  server& on_server_side_emit(std::string event, server_side_listener listener) {
    of("/").on_server_side_emit(std::move(event), std::move(listener));
    return *this;
  }
  void server_side_emit(std::string_view event, args arguments = {}) {
    of("/").server_side_emit(event, std::move(arguments));
  }
  void server_side_emit_with_ack(std::string_view event, args arguments, server_side_replies done,
                                 std::chrono::milliseconds timeout = {}) {
    of("/").server_side_emit_with_ack(event, std::move(arguments), std::move(done), timeout);
  }

  const socketio_options& options() const noexcept;

  /// The observation hook: attach watchers to see connects, disconnects,
  /// joins, leaves, client events and server-side emits; report a
  /// server-side emit with notify_server_side_emit(). Free while unwatched.
  observation_hook& observer() const noexcept;

  /// Looks up namespace `name` as a connecting client would: a registered
  /// one, else one that a dynamic rule makes (created now if it matches and
  /// did not exist yet, as on a client's first connection, with empty
  /// auth). `done` gets nothing when no rule matches; it runs in a
  /// short-lived actor, or at once for a registered namespace.
  void resolve(const std::string& name, std::function<void(std::optional<namespace_ref>)> done) const;

  /// The names of every namespace of this server, sorted: the registered
  /// ones and those dynamic rules made so far (admin-ui's list). `done`
  /// runs in a short-lived actor. After the start only.
  void list_namespaces(std::function<void(std::vector<std::string>)> done) const;

 private:
  friend struct detail::server_access;
  std::shared_ptr<detail::server_state> state_;
};

}  // namespace sio
