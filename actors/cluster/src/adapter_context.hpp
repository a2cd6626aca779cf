#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>

#include "sio/actors/remote_socket.hpp"
#include "sio/actors/server_side_emit.hpp"
#include "sio/cluster/redis_adapter.hpp"
#include "sio/cluster/redis_link.hpp"

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<sio::remote_socket>)

namespace sio::atoms {
/// To a request's gatherer: how many nodes there are (-1: unknown, failed).
using server_count = caf::atom_constant<caf::atom("srvcount")>;
/// To a gatherer: what another node answered.
using remote_reply = caf::atom_constant<caf::atom("rmreply")>;
/// To an ack gatherer: how many clients another node sent the broadcast to.
using client_count = caf::atom_constant<caf::atom("clcount")>;
/// To the adapter: a request ended, forget its id.
using request_done = caf::atom_constant<caf::atom("reqdone")>;
}  // namespace sio::atoms

namespace sio::cluster::detail {

/// What the adapter of one namespace and the short-lived actors that run its
/// requests share; fixed once the adapter started.
struct adapter_context {
  std::string nsp;
  std::string key;
  std::string uid;
  std::string request_channel;
  std::string response_channel;
  std::shared_ptr<redis_link> link;
  std::shared_ptr<redis_adapter_stats> stats;
  std::chrono::milliseconds requests_timeout{5000};
  std::function<void(std::string_view, std::string_view)> log;
};
using context_ptr = std::shared_ptr<const adapter_context>;

/// Asks Redis how many nodes listen on the request channel (PUBSUB NUMSUB,
/// this one included) and tells `gatherer` (server_count, n), n = -1 when
/// Redis did not answer; with `then`, runs it first when the count is known.
void count_servers(const context_ptr& ctx, const caf::actor& gatherer,
                   std::function<void()> then = {});

/// Runs this node's fetch_sockets across the cluster: the local sockets come
/// as (expect, n) and (reply, remote_socket) or (gone), the other nodes' as
/// (remote_reply, sockets); `origin` (a fetch collector) gets them all, then
/// the total. On failure `origin` is ended early (collect_timeout).
caf::actor spawn_fetch_gatherer(caf::actor_system& sys, context_ptr ctx, std::string request_id,
                                caf::actor origin, caf::actor adapter);

/// Runs this node's broadcast with acks across the cluster: counts of
/// clients come as (expect, n) locally and (client_count, n) from each other
/// node, replies as (reply, args) and (remote_reply, args); `origin` (an ack
/// collector) gets every reply and, once every node counted, the total.
caf::actor spawn_ack_gatherer(caf::actor_system& sys, context_ptr ctx, std::string request_id,
                              caf::actor origin, caf::actor adapter,
                              std::chrono::milliseconds timeout);

/// Answers another node's REMOTE_FETCH: collects the local sockets ((expect,
/// n), then (reply, remote_socket) or (gone) from each), then
/// publishes them on the response channel (only their ids for SOCKETS).
caf::actor spawn_fetch_answerer(caf::actor_system& sys, context_ptr ctx, std::string request_id,
                                bool ids_only = false);

/// Answers another node's BROADCAST with acks: publishes the local client
/// count at once, then each client's ack.
caf::actor spawn_ack_answerer(caf::actor_system& sys, context_ptr ctx, std::string request_id,
                              std::chrono::milliseconds timeout);

/// Runs this node's server-side emit with acks: publishes `request` once
/// the server count is known and more nodes than this one listen, then
/// hands `done` every other node's (remote_reply, args) until each answered
/// or `timeout` passed.
caf::actor spawn_server_side_gatherer(caf::actor_system& sys, context_ptr ctx,
                                      std::string request_id, std::string request,
                                      server_side_replies done, caf::actor adapter,
                                      std::chrono::milliseconds timeout);

/// The ack another node's SERVER_SIDE_EMIT with `request_id` hands to this
/// node's listeners: its first call publishes the reply on the response
/// channel.
server_side_ack server_side_responder(context_ptr ctx, std::string request_id);

/// A socket as REMOTE_FETCH responses carry it, and back.
json to_wire(const remote_socket& s);
std::optional<remote_socket> from_wire(const json& s, const std::string& nsp);

/// Reports a message dropped from the channels (logged at the first and
/// then every thousandth, with the running count).
void count_malformed(const adapter_context& ctx, std::string_view why);

/// Counts a cluster request that ended before every node answered.
void count_failed_request(const adapter_context& ctx);

}  // namespace sio::cluster::detail
