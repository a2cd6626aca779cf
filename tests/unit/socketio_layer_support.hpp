// The fixture of the Socket.IO layer tests: a real connection actor carries
// the layer over a fake WebSocket, on virtual time.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <caf/send.hpp>

#include <gtest/gtest.h>

#include "actor_test_support.hpp"
#include "sio/actors/atoms.hpp"
#include "sio/actors/connection.hpp"
#include "sio/actors/heartbeat.hpp"
#include "sio/actors/server.hpp"

namespace sio::test {

using std::chrono::milliseconds;
using strings = std::vector<std::string>;

inline socketio_options test_socketio_options() {
  socketio_options o;
  o.default_ack_timeout = milliseconds(2000);
  return o;
}

class SocketIoLayer : public actor_test {
 protected:
  /// One client: its connection actor and the WebSocket it speaks over.
  struct client {
    caf::actor conn;
    std::shared_ptr<fake_link> link;
  };

  /// A new Engine.IO session over WebSocket; the first one freezes the
  /// server's configuration, as the start does.
  client open() {
    if (!handlers_) handlers_ = io.session_handlers();
    connection_args args;
    args.sid = "S" + std::to_string(next_sid_++);
    args.options = std::make_shared<const engine_options>();
    args.transport = transport_kind::websocket;
    if (!heartbeat_) {
      heartbeat_ = spawn_heartbeat(sys);
      track(heartbeat_);
    }
    args.heartbeat = heartbeat_;
    args.handler = handlers_();
    client c{spawn_connection(sys, std::move(args)), make_link()};
    track(c.conn);
    caf::anon_send(c.conn, atoms::ws_open::value, ws_link_ptr(c.link));
    run();
    c.link->sent.clear();  // the open packet
    return c;
  }

  /// The client sends one Socket.IO packet (as an Engine.IO message).
  void say(const client& c, const std::string& packet) {
    caf::anon_send(c.conn, atoms::ws_text::value, c.link->id(), "4" + packet);
    run();
  }

  /// A client connected to `nsp`; its CONNECT answer is taken off.
  client connected(const std::string& nsp = "/") {
    auto c = open();
    say(c, nsp == "/" ? "0" : "0" + nsp + ",");
    taken(c);
    return c;
  }

  /// What the server sent to `c` since the last call, without the leading "4".
  static strings taken(const client& c) {
    strings out;
    for (const auto& f : c.link->sent)
      out.push_back(f.data->size() > 0 && f.data->front() == '4' ? f.data->substr(1) : *f.data);
    c.link->sent.clear();
    return out;
  }

  server io{sys, test_socketio_options()};

 private:
  handler_factory handlers_;
  caf::actor heartbeat_;
  int next_sid_ = 1;
};

}  // namespace sio::test
