#pragma once

#include <functional>
#include <variant>

#include <caf/actor.hpp>

#include "auth.hpp"
#include "convert.hpp"
#include "sio/actors/server.hpp"
#include "sio/rpc/rpc_options.hpp"
#include "socketio/v1/socketio.grpc.pb.h"

namespace sio::rpc {

/// What an operation hands back: its response, or why it failed.
struct batch_run;

template <class Response>
using reply_fn = std::function<void(std::variant<Response, rpc_error>)>;

/// socketio.v1.ServerService on gRPC's callback API. Each call is checked
/// and authorized on the gRPC thread that received it, then turned into
/// calls of the C++ API (`io.find(ns)->to(...).emit(...)` ...), which only
/// send actor messages; the collector actor that gathers the outcome
/// finishes the call. No gRPC thread ever waits for an actor.
class server_service final : public pb::ServerService::CallbackService {
 public:
  server_service(sio::server& io, rpc_options options);

  grpc::ServerUnaryReactor* Emit(grpc::CallbackServerContext* ctx, const pb::EmitRequest* req,
                                 pb::EmitResponse* resp) override;
  grpc::ServerUnaryReactor* EmitWithAck(grpc::CallbackServerContext* ctx,
                                        const pb::EmitWithAckRequest* req,
                                        pb::EmitWithAckResponse* resp) override;
  grpc::ServerUnaryReactor* SocketsJoin(grpc::CallbackServerContext* ctx,
                                        const pb::SocketsJoinRequest* req,
                                        pb::SocketsJoinResponse* resp) override;
  grpc::ServerUnaryReactor* SocketsLeave(grpc::CallbackServerContext* ctx,
                                         const pb::SocketsLeaveRequest* req,
                                         pb::SocketsLeaveResponse* resp) override;
  grpc::ServerUnaryReactor* DisconnectSockets(grpc::CallbackServerContext* ctx,
                                              const pb::DisconnectSocketsRequest* req,
                                              pb::DisconnectSocketsResponse* resp) override;
  grpc::ServerUnaryReactor* FetchSockets(grpc::CallbackServerContext* ctx,
                                         const pb::FetchSocketsRequest* req,
                                         pb::FetchSocketsResponse* resp) override;
  grpc::ServerUnaryReactor* CountSockets(grpc::CallbackServerContext* ctx,
                                         const pb::CountSocketsRequest* req,
                                         pb::CountSocketsResponse* resp) override;
  grpc::ServerUnaryReactor* SetSocketData(grpc::CallbackServerContext* ctx,
                                          const pb::SetSocketDataRequest* req,
                                          pb::SetSocketDataResponse* resp) override;
  grpc::ServerUnaryReactor* ListRooms(grpc::CallbackServerContext* ctx,
                                      const pb::ListRoomsRequest* req,
                                      pb::ListRoomsResponse* resp) override;
  grpc::ServerUnaryReactor* ServerSideEmit(grpc::CallbackServerContext* ctx,
                                           const pb::ServerSideEmitRequest* req,
                                           pb::ServerSideEmitResponse* resp) override;
  grpc::ServerUnaryReactor* Batch(grpc::CallbackServerContext* ctx, const pb::BatchRequest* req,
                                  pb::BatchResponse* resp) override;

 private:
  // The operations, shared by the unary RPCs and Batch.
  void emit(const token* who, const pb::EmitRequest& req, reply_fn<pb::EmitResponse> done);
  template <class Request, class Response>
  void membership(const token* who, const Request& req, bool join, reply_fn<Response> done);
  void disconnect(const token* who, const pb::DisconnectSocketsRequest& req,
                  reply_fn<pb::DisconnectSocketsResponse> done);
  void set_data(const token* who, const pb::SetSocketDataRequest& req,
                reply_fn<pb::SetSocketDataResponse> done);
  void server_side_emit(const token* who, const pb::ServerSideEmitRequest& req,
                        reply_fn<pb::ServerSideEmitResponse> done);
  /// The namespace `given` names, once `who` may use `needed` on it.
  std::variant<namespace_ref, rpc_error> find_namespace(const token* who, scope needed,
                                                        const std::string& given);
  void run_batch(std::shared_ptr<batch_run> run);

  /// The broadcast `t` selects, once `who` may use `needed` on its namespace.
  std::variant<broadcast, rpc_error> select(const token* who, scope needed, const pb::Target& t);

  sio::server& io_;
  rpc_options options_;
  authorizer auth_;
  caf::actor dedup_;
};

}  // namespace sio::rpc
