#pragma once

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "sio/actors/connection.hpp"

namespace sio {

/// Spawns the actor that maps Engine.IO session ids to connection actors.
///
/// It takes, from the gateway unless said otherwise:
///  - (create, request_info, http_reply_ptr): a polling handshake; the new
///    session gets (poll_get, reply)
///  - (create, request_info, ws_link_ptr): a WebSocket handshake; the new
///    session gets (ws_open, link)
///  - (poll_get, sid, http_reply_ptr), (poll_post, sid, body, http_reply_ptr),
///    (ws_open, sid, ws_link_ptr): forwarded to the session without the sid,
///    or answered "Session ID unknown" (the WebSocket is refused) when there
///    is none
///  - (poll_begin, sid, token), (poll_post, sid, body, http_reply_ptr, token),
///    (poll_abort, sid, token): a POST announced before its body arrived,
///    forwarded likewise
///  - (poll_gone, sid, http_reply_ptr): the client dropped a held GET,
///    forwarded likewise (nothing when the session is gone)
///  - (count) -> size_t: open sessions (the gateway's start and status pages)
///  - (shutdown) -> bool: ends every session with "server shutting down"
///    (each gets (shutdown), spread over shutdown_spread when set) and
///    answers once all of them ended
///  - (drain_step), from itself: the next sessions of a spread shutdown
///  - down_msg of a session: it is forgotten
/// Each new session gets a fresh id of 120 random bits from the kernel's
/// CSPRNG, URL-safe base64 (20 characters, like the reference's).
caf::actor spawn_session_registry(caf::actor_system& sys, engine_options options,
                                  handler_factory make_handler);

/// 20 URL-safe characters from 15 random bytes.
std::string make_session_id();

}  // namespace sio
