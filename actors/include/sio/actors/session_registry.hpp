#pragma once

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "sio/actors/connection.hpp"

namespace sio {

/// Spawns the actor that maps Engine.IO session ids to connection actors.
///
/// It takes:
///  - (create, request_info, http_reply_ptr): a polling handshake
///  - (create, request_info, ws_link_ptr): a WebSocket handshake
///  - (poll_get, sid, http_reply_ptr), (poll_post, sid, body, http_reply_ptr),
///    (ws_open, sid, ws_link_ptr): forwarded to the session, or answered
///    "Session ID unknown" (the WebSocket is closed) when there is none
///  - (poll_begin, sid, token), (poll_post, sid, body, http_reply_ptr, token),
///    (poll_abort, sid, token): a POST announced before its body arrived
///  - (count) -> size_t: open sessions
///  - (shutdown) -> bool: ends every session with "server shutting down" and
///    answers once all of them ended
/// Each new session gets a fresh id of 120 random bits from the kernel's
/// CSPRNG, URL-safe base64 (20 characters, like the reference's).
caf::actor spawn_session_registry(caf::actor_system& sys, engine_options options,
                                  handler_factory make_handler);

/// 20 URL-safe characters from 15 random bytes.
std::string make_session_id();

}  // namespace sio
