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
/// It quits when the session ends. Its messages, one entry each: the
/// message, who sends it, then what it does.
///
/// Engine.IO, from the gateway (through the registry, which drops the sid):
///  - (poll_get, http_reply_ptr), (poll_post, string body, http_reply_ptr):
///    a GET held until there is something to send; a whole POST.
///  - (poll_begin, uint64 token), then (poll_post, body, http_reply_ptr,
///    token) or (poll_abort, token): a POST whose body was still arriving.
///  - (poll_gone, http_reply_ptr): the client dropped a held GET.
///  - (ws_open, ws_link_ptr): a WebSocket for this sid (an upgrade).
///  - (ws_text | ws_binary, uint64 link id, string), (ws_closed, uint64 link
///    id, bool error): from the WebSocket itself.
///  - (ws_closed, uint64 link id, close_reason): the gateway ends the
///    WebSocket for a reason of its own (a slow consumer).
/// From anyone: (send, frame), (send, vector<frame>), (close). From the
/// registry: (shutdown), the session ends with "server shutting down".
/// Its own timers, each ignored once its generation moved on: (ping,
/// generation) and (ping_timeout, generation) from the heartbeat actor,
/// (upgrade_check, generation), (upgrade_timeout, generation), (close_timeout).
///
/// The Socket.IO layer (the session_handler, when it is the server's client
/// layer) adds:
///  - (deliver, uint64 key, frame_batch, event_ptr), namespace: a broadcast.
///  - (deliver_run, key, delivery_run), room actor: several broadcasts.
///  - (deliver_ack, key, frame_batch, uint64 ack id, collector), namespace:
///    a broadcast with acks; -> collector (reply, args) when the client acks.
///  - (deliver_acks, key, shared_ptr<const broadcast_request>, sid),
///    namespace: per-socket acks; -> request's collector (reply, socket_ack),
///    also when the socket is gone (disconnected) or drops it (dropped).
///  - (fetch, key, collector), namespace, as a request: -> collector (reply,
///    remote_socket), or (gone) when the socket left; answers nothing.
///  - (socket_command, key, socket_command), namespace (a request when
///    reply_to is set; it answers nothing) or remote_socket: join, leave,
///    disconnect, emit or set_data, which answers -> reply_to (reply, json
///    data), or (gone) when the socket left.
///  - (replay, key, vector<frame>), namespace: the events a recovered socket
///    missed.
///  - (handed_out), namespace or room actor: a broadcast this connection
///    started reached its recipients here; its own frames written since
///    then go out once none is left on its way.
///  - (run, std::function<void()>), collectors and host code: runs it here
///    (see socket::connection()).
///  - Its own timers: (connect_timeout), (ack_timeout, key, uint64 ack id).
///
caf::actor spawn_connection(caf::actor_system& sys, connection_args args);
/// The same, spawned by `parent`: the new actor starts on the thread that
/// runs `parent` (see the gateway's actor runner), not on a worker woken for it.
caf::actor spawn_connection(caf::local_actor& parent, connection_args args);

}  // namespace sio
