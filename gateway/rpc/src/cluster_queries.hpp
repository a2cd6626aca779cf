#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "rpc_error.hpp"
#include "sio/actors/server.hpp"

namespace sio::rpc {

/// A query of the whole cluster that some node did not answer in time, or
/// that Redis could not carry: it fails, as socket.io's fetchSockets()
/// rejects, rather than answering with part of the cluster.
inline rpc_error cluster_unavailable() {
  return {grpc::StatusCode::UNAVAILABLE, "CLUSTER_UNAVAILABLE",
          "some node of the cluster did not answer in time"};
}

/// CountSockets of a whole cluster: the classic adapter's wire format has no
/// count request, so the selected sockets of every node are fetched and
/// counted. `done` gets nothing when some node did not answer in time.
void count_across_cluster(const broadcast& selected,
                          std::function<void(std::optional<std::size_t>)> done);

/// EmitWithAck of a whole cluster, one outcome per socket: the cluster's
/// broadcast acks carry no socket ids, so the selected sockets are fetched
/// from every node, then each gets its own emit with ack to the room named
/// by its id (a node that counts no client there means it left). `done`
/// gets the outcomes ordered by socket id; `complete` is false when a node
/// did not answer the fetch or a socket did not answer in time.
void socket_acks_across_cluster(const broadcast& selected, const namespace_ref& nsp,
                                std::string event, args arguments, bool is_volatile,
                                std::chrono::milliseconds timeout, socket_acks_callback done);

}  // namespace sio::rpc
