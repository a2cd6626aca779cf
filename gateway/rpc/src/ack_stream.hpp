#pragma once

#include <functional>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <grpcpp/server_context.h>

#include "convert.hpp"
#include "streams.hpp"

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sio::rpc::pb::EmitWithAckStreamResponse)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sio::rpc::rpc_error)

namespace sio::rpc {

namespace atoms {
/// To an ack stream's writer: (push, message), then (finish) or (fail, rpc_error).
using push = caf::atom_constant<caf::atom("push")>;
using finish = caf::atom_constant<caf::atom("finish")>;
using fail = caf::atom_constant<caf::atom("fail")>;
}  // namespace atoms

using ack_stream_reactor = stream_reactor<pb::EmitWithAckStreamResponse>;

/// Spawns the actor that writes one EmitWithAckStream: what it is pushed, in
/// order, then the end it is told; a cancel or shutdown ends it early.
/// `ended` runs once the stream was finished.
caf::actor spawn_ack_stream_writer(caf::actor_system& sys, grpc::CallbackServerContext* ctx,
                                   ack_stream_reactor* reactor, std::function<void()> ended);

}  // namespace sio::rpc
