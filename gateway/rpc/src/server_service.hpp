#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <variant>

#include <caf/actor.hpp>

#include "ack_stream.hpp"
#include "auth.hpp"
#include "convert.hpp"
#include "rate_limit.hpp"
#include "watch_events.hpp"
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
  grpc::ServerWriteReactor<pb::EmitWithAckStreamResponse>* EmitWithAckStream(
      grpc::CallbackServerContext* ctx, const pb::EmitWithAckStreamRequest* req) override;
  grpc::ServerWriteReactor<pb::WatchEventsResponse>* WatchEvents(
      grpc::CallbackServerContext* ctx, const pb::WatchEventsRequest* req) override;
  grpc::ServerUnaryReactor* GetStats(grpc::CallbackServerContext* ctx,
                                     const pb::GetStatsRequest* req,
                                     pb::GetStatsResponse* resp) override;

  /// Refuses new calls and ends those still waiting (acks, streams) with
  /// UNAVAILABLE / SHUTTING_DOWN; returns once each was told.
  void shut_down();

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
  /// The checks of EmitWithAck(Stream), then the emit; a unary one first
  /// counts its recipients (max_ack_recipients).
  void emit_with_ack(const token* who, const pb::EmitWithAckRequest& req,
                     std::chrono::system_clock::time_point deadline, bool unary,
                     socket_ack_progress progress,
                     reply_fn<pb::EmitWithAckResponse> done);
  /// The namespace `given` names (registered, or made by a dynamic rule),
  /// once `who` may use `needed` on it.
  void find_namespace(const token* who, scope needed, const std::string& given,
                      reply_fn<namespace_ref> then);
  void run_batch(std::shared_ptr<batch_run> run);
  template <class Response, class Op>
  grpc::ServerUnaryReactor* serve(grpc::CallbackServerContext* ctx, Response* resp, Op op);

  /// The broadcast `t` selects, once `who` may use `needed` on its namespace.
  void select(const token* who, scope needed, const pb::Target& t, reply_fn<broadcast> then);

  /// The caller, once it may call now (not shutting down, within its rate).
  authorizer::identity identify(const grpc::CallbackServerContext* ctx);
  /// Registers a long call, whose `end` a shutdown runs; untrack() when it ended.
  std::uint64_t track(std::function<void()> end);
  void untrack(std::uint64_t id);

  sio::server& io_;
  rpc_options options_;
  authorizer auth_;
  caf::actor dedup_;
  caf::actor calls_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> next_call_{0};
  /// Shared with the callbacks of EmitWithAck, which may outlive the service.
  std::shared_ptr<std::atomic<std::int64_t>> pending_acks_ =
      std::make_shared<std::atomic<std::int64_t>>(0);
  rate_limiter limiter_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace sio::rpc
