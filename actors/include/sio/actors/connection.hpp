#pragma once

#include <memory>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/fwd.hpp>

#include "sio/actors/engine_options.hpp"
#include "sio/actors/links.hpp"
#include "sio/actors/messages.hpp"
#include "sio/actors/request_info.hpp"
#include "sio/actors/session_handler.hpp"

namespace sio {

/// The transport a session starts on.
enum class transport_kind : std::uint8_t { polling, websocket };

/// Everything a connection actor starts with.
struct connection_args {
  std::string sid;
  /// Shared by every session of a server: each would hold a copy otherwise.
  std::shared_ptr<const engine_options> options = std::make_shared<const engine_options>();
  request_info request;
  transport_kind transport = transport_kind::polling;
  /// Times the pings and the waits for pongs (see spawn_heartbeat).
  caf::actor heartbeat;
  std::unique_ptr<session_handler> handler;
};

/// Spawns the actor of one Engine.IO session. It expects, first, the
/// request that opened it: (poll_get, http_reply_ptr) for polling or
/// (ws_open, ws_link_ptr) for WebSocket, and answers it with the open packet.
///
/// Then it takes:
///  - (poll_get, http_reply_ptr), (poll_post, std::string body, http_reply_ptr)
///  - (poll_begin, uint64 token), then (poll_post, body, http_reply_ptr, token)
///    or (poll_abort, token): a POST whose body was still arriving
///  - (ws_open, ws_link_ptr): a WebSocket for this sid (an upgrade)
///  - (ws_text | ws_binary, uint64 link id, std::string), (ws_closed, uint64 link id, bool error)
///  - (poll_gone, http_reply_ptr): the client dropped a held GET
///  - (send, frame), (send, std::vector<frame>), (close)
/// It quits when the session ends.
caf::actor spawn_connection(caf::actor_system& sys, connection_args args);
/// The same, spawned by `parent`: the new actor starts on the thread that
/// runs `parent` (see the gateway's actor runner), not on a worker woken for it.
caf::actor spawn_connection(caf::local_actor& parent, connection_args args);

}  // namespace sio
