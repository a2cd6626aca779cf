#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <unordered_map>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "sio/actors/observer.hpp"
#include "sio/actors/server.hpp"
#include "sio/actors/server_side_emit.hpp"

namespace sio::detail {

/// A namespace's middlewares and handlers. Written while the server is
/// configured, read-only (and shared by every connection actor) afterwards.
struct namespace_config {
  std::string name;
  std::vector<middleware> middlewares;
  std::vector<connection_handler> on_connection;
  /// socketio_options::default_ack_timeout, for its broadcasts.
  std::chrono::milliseconds default_ack_timeout{30000};
  /// Host listeners of server-side emits, by event name.
  std::unordered_map<std::string, std::vector<server_side_listener>> server_side_listeners;
};

/// A rule that makes namespaces on demand (`io.of(/regex/)`).
struct dynamic_namespace {
  std::function<bool(const std::string& name, const json& auth)> matches;
  std::shared_ptr<namespace_config> config;
};

/// A namespace as a connection sees it.
struct namespace_entry {
  std::shared_ptr<const namespace_config> config;
  caf::actor actor;
};

struct server_state {
  caf::actor_system& system;
  socketio_options options;
  /// Bytes of one packet with its attachments: the engine's max_payload
  /// (maxHttpBufferSize), as a packet's attachments count towards it too.
  std::size_t max_packet_bytes;
  std::unordered_map<std::string, namespace_entry> namespaces;  // the static ones
  std::vector<dynamic_namespace> dynamic;
  /// Creates the namespaces of dynamic rules on first use; answers
  /// (get_namespace, name, auth) with the actor and config index, or nothing.
  caf::actor directory;
  /// Set by session_handlers(): from then on connection actors read the
  /// configuration on their threads, so it may no longer change.
  std::shared_ptr<std::atomic<bool>> frozen = std::make_shared<std::atomic<bool>>(false);
  /// Where connections and namespaces report what happens (server::observer()).
  std::shared_ptr<observation_hook> hook = nullptr;
};

/// What the library's own parts reach of a server beyond its public API.
struct server_access {
  static std::shared_ptr<const server_state> state(const server& io) { return io.state_; }
  /// server::find on a state that may outlive its server object.
  static std::optional<namespace_ref> find(const std::shared_ptr<const server_state>& state,
                                           const std::string& name);
};

/// Spawns the directory of dynamic namespaces of `state`. Its one message,
/// a request from the client layer (a CONNECT to an unknown name) or
/// server::resolve: (get_namespace, name, json auth) -> (namespace actor,
/// uint64 rule index), made on first use by the first matching rule; the
/// error caf::sec::invalid_argument when no rule matches.
caf::actor spawn_namespace_directory(caf::actor_system& sys, std::shared_ptr<server_state> state);

}  // namespace sio::detail
