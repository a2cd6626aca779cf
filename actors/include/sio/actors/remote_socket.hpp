#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <caf/actor.hpp>

#include "sio/actors/socketio_types.hpp"

namespace sio {

/// What a server-side command does to each socket it selects
/// (`io.in(room).socketsJoin(...)` and friends).
struct socket_command {
  enum class kind : std::uint8_t { join, leave, disconnect, emit, set_data };
  kind what = kind::join;
  std::vector<std::string> rooms;  // join / leave
  bool close = false;              // disconnect: end the whole connection
  frame_batch frames;              // emit
  /// join / leave already done by the namespace actor (it owns membership);
  /// the socket only updates its own view.
  bool membership_done = false;
  /// set_data: the new socket.data, or a JSON merge patch (RFC 7386) of it;
  /// the socket answers (atoms::reply, data after the change) to `reply_to`,
  /// or (atoms::gone) when it went away before the command reached it.
  json data{};
  bool merge = false;
  caf::actor reply_to{};
};

/// A socket as `fetch_sockets` reports it: a snapshot of its state, plus a
/// handle to act on it from anywhere (`RemoteSocket` of the reference).
class remote_socket {
 public:
  std::string id;
  std::string nsp;
  handshake handshake_info;
  std::set<std::string> rooms;
  json data;
  /// `socket.conn.transport.name` when it was taken: "websocket" or
  /// "polling"; empty for a socket of another node of the cluster.
  std::string transport;

  void emit(std::string_view event, args arguments = {}) const;
  void join(std::vector<std::string> rooms_to_join) const;
  void leave(std::vector<std::string> rooms_to_leave) const;
  void disconnect(bool close = false) const;

  /// Where the socket lives; set by the connection that answered.
  caf::actor connection;
  std::uint64_t key = 0;
  /// For a socket of another node of the cluster (no connection here): the
  /// namespace whose adapter relays actions on it, as socket.io's
  /// RemoteSocket does (a broadcast or command to the room named by its id).
  caf::actor nsp_actor;

 private:
  void command(socket_command cmd) const;
};

}  // namespace sio
