#pragma once

#include <optional>
#include <string>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>

#include "sio/actors/socketio_types.hpp"
#include "sio/actors/adapter.hpp"
#include "sio/actors/observer.hpp"

namespace sio::detail {

/// Spawns the actor of one namespace: the authority on which sockets are in
/// which rooms (as socket.io-adapter's `rooms` and `sids` maps). A broadcast
/// to one room without exceptions is fanned out by that room's actor;
/// anything needing set arithmetic (several rooms, exceptions) is resolved
/// here, where the membership is consistent, so each recipient gets exactly
/// one copy. Empty rooms' actors stop.
///
/// Its messages, one entry each: the message, who sends it, then the
/// answer or what it sends on (->) whom.
///  - (add_socket, sid, uint64 key, connection), client layer on a CONNECT:
///    monitors the connection; the socket is in its own room.
///  - (remove_socket, sid), client layer on a disconnect: it leaves every room.
///  - (join, sid, room) | (leave, sid, room), socket::join / leave:
///    -> room actor (add_member) | (remove_member).
///  - (broadcast, shared_ptr<const broadcast_request>), broadcast builder or
///    adapter (marked local): -> each recipient's connection (deliver, key,
///    frame_batch, event_ptr), for one room through its actor's (fanout);
///    with ack_collector: (deliver_ack, key, frame_batch, uint64 ack id,
///    collector) to each, then -> collector (expect, n); with ack_each:
///    (deliver_acks, key, request, sid) to each, then -> collector (expect,
///    vector<string> ids); -> count_reply (count, n) and -> handed_out_to
///    (handed_out) after the deliveries; -> subscribers (event, nsp, name,
///    args). Not local, with an adapter: also -> adapter (broadcast,
///    request), which runs one with acks alone. Before anything it sends
///    otherwise than through the room actor that last had a fanout, that
///    room's request (settle) is answered (in_order).
///  - (select, shared_ptr<const selection_request>), broadcast builder,
///    namespace_ref::set_data, remote_socket or adapter: count_only:
///    -> count_reply (count, n); fetch_collector: -> collector (expect, n),
///    then the request (fetch, key, collector) to each connection, whose
///    error (an ended connection) -> collector (gone); else (socket_command,
///    key, socket_command) to each connection (a request when reply_to is
///    set, whose error -> reply_to (gone)), then -> count_reply (count, n).
///    Not local, with an adapter: also -> adapter (select, request), which
///    runs a fetch alone.
///  - (server_side_emit, server_side_emit_ptr), namespace_ref or adapter:
///    -> listeners what reaches this node, -> adapter what is not local.
///  - (list_rooms), namespace_ref::list_rooms: answers
///    vector<pair<string, size_t>>, the rooms (no own rooms) and sizes.
///  - (all_rooms), adapter: answers vector<string>, own rooms included.
///  - (subscribe, room, actor) | (unsubscribe, room, actor), namespace_ref
///    (host actors): the actor hears (event, nsp, name, args) of the room;
///    subscribe answers nothing (an empty response to a request).
///  - down_msg, CAF: a connection ended (its sockets go) or a subscriber did.
///
/// With `recovery`, it also keeps the recovery state of its sockets (see
/// recovery_store) and stamps offsets on broadcasts; without, these change
/// nothing and a claim finds nothing:
///  - (record, sid, uint64 offset, frame_batch), socket: its own stamped emit.
///  - (persist, pid, sid, vector<string> rooms, json data, uint64 first
///    offset), client layer before remove_socket: keeps the session;
///    -> itself (expire, pid) later.
///  - (claim, pid, json offset), client layer: answers claimed_ptr (null:
///    start fresh).
///  - (restore, pid, sid, uint64 key, connection), client layer: -> connection
///    (replay, key, vector<frame> missed) before anything else, then the
///    socket is back in its rooms.
///  - (forget, pid), client layer: a middleware refused the session.
///  - (expire, pid), itself: drops the session if it is still unclaimed.
///
/// A room actor takes, from its namespace only:
///  - (add_member, uint64 key, connection) | (remove_member, key): pending
///    broadcasts go out first; it quits when its last member left.
///  - (fanout, frame_batch, event_ptr, actor count_reply, size_t n, actor
///    handed_out_to): queued; at the next (flush), from itself behind what
///    its mailbox held, -> each member (deliver_run, key, delivery_run),
///    then -> count_reply (count, n) and -> handed_out_to (handed_out).
///  - (settle), as a request: flushes, then answers (settle).
///
/// With `adapter`, the namespace makes its cluster adapter at start and
/// hands it what is not local (see adapter_factory). It ends `listeners`
/// (see spawn_server_side_listeners) when it ends. With `hook`, it reports
/// joins and leaves (not a socket's own room, nor the leaves of a socket
/// that goes away) while someone watches.
caf::actor spawn_namespace(caf::actor_system& sys, std::string name,
                           std::optional<recovery_options> recovery = std::nullopt,
                           adapter_factory adapter = {}, caf::actor listeners = {},
                           std::shared_ptr<const observation_hook> hook = nullptr);

}  // namespace sio::detail
