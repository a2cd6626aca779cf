#pragma once

#include <caf/atom.hpp>

/// Message tags between the gateway, the session registry and connection
/// actors (CAF 0.17 atoms: at most 10 characters).
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
using join = caf::atom_constant<caf::atom("join")>;
using leave = caf::atom_constant<caf::atom("leave")>;
using broadcast = caf::atom_constant<caf::atom("bcast")>;
using fanout = caf::atom_constant<caf::atom("fanout")>;
using deliver = caf::atom_constant<caf::atom("deliver")>;
using deliver_run = caf::atom_constant<caf::atom("dlvrun")>;
using flush = caf::atom_constant<caf::atom("flush")>;
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
