#pragma once

#include <caf/atom.hpp>

/// Message tags of the server's actors (CAF 0.17 atoms: at most 10
/// characters). Which actor takes which message, with which arguments, from
/// whom and with what answer is one table per actor, next to its spawn
/// function:
///  - connection (Engine.IO session and the Socket.IO layer in it): connection.hpp
///  - session registry: session_registry.hpp; heartbeat: heartbeat.hpp
///  - namespace and room actors: namespace_actor.hpp (actors/src)
///  - collectors of counts, acks, fetches and set_data: collectors.hpp (actors/src)
///  - server-side listeners: server_side_listeners.hpp (actors/src)
///  - namespace directory: server_state.hpp (actors/src)
///  - cluster adapter: adapter.hpp; observation hub and watchers: observer.hpp
///  - the host interface: host.hpp (its own typed atoms)
///
/// A few tags reach several receivers, some with different arguments; each
/// receiver's table gives its form:
///  - poll_get, poll_post, poll_begin, poll_abort, poll_gone, ws_open: to the
///    registry with the session id first, to a connection without it
///  - poll_post: (body, reply) for a whole POST, (body, reply, token) for one
///    announced by poll_begin
///  - ws_closed: (link, bool error) when the socket ended, (link, close_reason)
///    when the gateway ends it for a reason of its own (a slow consumer)
///  - send: (send, frame) or (send, vector<frame>)
///  - shutdown: to the registry a request answered with bool once every
///    session ended; to a connection a plain message
///  - count: to the registry a request answered with size_t; to whoever a
///    broadcast or selection names as count_reply, the message (count, n)
///  - expect, reply: (expect, n) and (reply, T) to a collector, T after its
///    kind (args, remote_socket, json); a per-socket ack collector takes
///    (expect, vector<string> ids) and (reply, socket_ack)
///  - broadcast, select, server_side_emit: the same arguments to a
///    namespace and to its adapter (the namespace passes them on)
namespace sio::atoms {

// gateway -> registry / connection
using create = caf::atom_constant<caf::atom("create")>;
using poll_get = caf::atom_constant<caf::atom("pollget")>;
using poll_post = caf::atom_constant<caf::atom("pollpost")>;
using ws_open = caf::atom_constant<caf::atom("wsopen")>;
using ws_text = caf::atom_constant<caf::atom("wstext")>;
using ws_binary = caf::atom_constant<caf::atom("wsbinary")>;
using ws_closed = caf::atom_constant<caf::atom("wsclosed")>;
using poll_gone = caf::atom_constant<caf::atom("pollgone")>;
/// A polling POST whose body is still on its way: (poll_begin, sid, token)
/// when its head arrived, then (poll_post, sid, body, reply, token) or
/// (poll_abort, sid, token) when its connection dropped mid-body.
using poll_begin = caf::atom_constant<caf::atom("pollbegin")>;
using poll_abort = caf::atom_constant<caf::atom("pollabort")>;

// connection timers
using ping = caf::atom_constant<caf::atom("ping")>;
using ping_timeout = caf::atom_constant<caf::atom("pingtmo")>;
using upgrade_timeout = caf::atom_constant<caf::atom("upgtmo")>;
using upgrade_check = caf::atom_constant<caf::atom("upgcheck")>;
using close_timeout = caf::atom_constant<caf::atom("closetmo")>;
// connection -> heartbeat, and the heartbeat's own timer
using wake = caf::atom_constant<caf::atom("wake")>;
using tick = caf::atom_constant<caf::atom("tick")>;

// anyone -> connection
using send = caf::atom_constant<caf::atom("send")>;
using close = caf::atom_constant<caf::atom("close")>;

// registry queries
using count = caf::atom_constant<caf::atom("count")>;
/// To the registry: end every session with "server shutting down"; the
/// answer comes once they all ended. To a connection: end this session so.
using shutdown = caf::atom_constant<caf::atom("shutdown")>;
/// The registry's own timer while it closes sessions spread over a window.
using drain_step = caf::atom_constant<caf::atom("drainstep")>;

}  // namespace sio::atoms

// Socket.IO layer
namespace sio::atoms {

using add_socket = caf::atom_constant<caf::atom("addsock")>;
using remove_socket = caf::atom_constant<caf::atom("rmsock")>;
/// To a namespace: (join | leave, sid, room).
using join = caf::atom_constant<caf::atom("join")>;
using leave = caf::atom_constant<caf::atom("leave")>;
/// To a room actor, from its namespace: (add_member, key, connection),
/// (remove_member, key).
using add_member = caf::atom_constant<caf::atom("addmember")>;
using remove_member = caf::atom_constant<caf::atom("rmmember")>;
using broadcast = caf::atom_constant<caf::atom("bcast")>;
using fanout = caf::atom_constant<caf::atom("fanout")>;
using deliver = caf::atom_constant<caf::atom("deliver")>;
using deliver_run = caf::atom_constant<caf::atom("dlvrun")>;
using flush = caf::atom_constant<caf::atom("flush")>;
using settle = caf::atom_constant<caf::atom("settle")>;
using handed_out = caf::atom_constant<caf::atom("handedout")>;
using ack_timeout = caf::atom_constant<caf::atom("acktmo")>;
using connect_timeout = caf::atom_constant<caf::atom("conntmo")>;
using get_namespace = caf::atom_constant<caf::atom("getnsp")>;
using deliver_ack = caf::atom_constant<caf::atom("dlvack")>;
using select = caf::atom_constant<caf::atom("select")>;
using socket_command = caf::atom_constant<caf::atom("sockcmd")>;
using fetch = caf::atom_constant<caf::atom("fetch")>;
using expect = caf::atom_constant<caf::atom("expect")>;
using reply = caf::atom_constant<caf::atom("reply")>;
/// To a fetch collector, or the reply_to of a socket_command: one of the
/// sockets it expects will not answer (it left, or its connection ended,
/// before the fetch or command reached it).
using gone = caf::atom_constant<caf::atom("gone")>;
using collect_timeout = caf::atom_constant<caf::atom("colltmo")>;
using run = caf::atom_constant<caf::atom("run")>;
using subscribe = caf::atom_constant<caf::atom("subscribe")>;
using unsubscribe = caf::atom_constant<caf::atom("unsubscr")>;
/// To a connection: deliver a broadcast whose ack each recipient reports
/// by socket id (broadcast_request::ack_each).
using deliver_acks = caf::atom_constant<caf::atom("dlvacks")>;
/// To a namespace: the sizes of its rooms.
using list_rooms = caf::atom_constant<caf::atom("listrooms")>;
/// To the directory of dynamic namespaces: the names of those it made.
using list_namespaces = caf::atom_constant<caf::atom("listnsps")>;
/// What a subscribed actor receives: (event, nsp, name, args).
using event = caf::atom_constant<caf::atom("event")>;

// connection state recovery: connection <-> namespace
/// (record, sid, offset, frames): a socket's own stamped emit, to keep.
using record = caf::atom_constant<caf::atom("rcrecord")>;
/// (persist, pid, sid, rooms, data, first offset): a socket went away uncleanly.
using persist = caf::atom_constant<caf::atom("rcpersist")>;
/// (claim, pid, offset) -> claimed_ptr (null: start fresh).
using claim = caf::atom_constant<caf::atom("rcclaim")>;
/// (restore, pid, sid, key, connection): the claimed socket joins again;
/// answered with (replay, key, missed frames) before anything else reaches it.
using restore = caf::atom_constant<caf::atom("rcrestore")>;
using replay = caf::atom_constant<caf::atom("rcreplay")>;
/// (forget, pid): a middleware refused the recovering socket.
using forget = caf::atom_constant<caf::atom("rcforget")>;
using expire = caf::atom_constant<caf::atom("rcexpire")>;

}  // namespace sio::atoms
