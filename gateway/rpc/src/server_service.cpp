#include "server_service.hpp"

#include <algorithm>

#include <caf/send.hpp>
#include <chrono>

#include "cluster_queries.hpp"
#include "emit_dedup.hpp"

namespace sio::rpc {
namespace {

// Finishes one unary call; any thread may do it, once.
struct unary_call {
  grpc::CallbackServerContext* ctx;
  grpc::ServerUnaryReactor* reactor;

  void ok() const { reactor->Finish(grpc::Status::OK); }
  void fail(const rpc_error& e) const {
    ctx->AddTrailingMetadata("sio-error-reason", e.reason);
    reactor->Finish(grpc::Status(e.code, e.message));
  }
};

// The reply callback of an operation that fills `resp` and ends `call`.
template <class Response>
reply_fn<Response> finishing(unary_call call, Response* resp) {
  return [call, resp](std::variant<Response, rpc_error> outcome) {
    if (auto* e = std::get_if<rpc_error>(&outcome))
      return call.fail(*e);
    *resp = std::move(std::get<Response>(outcome));
    call.ok();
  };
}

std::optional<std::string_view> authorization_of(const grpc::CallbackServerContext* ctx) {
  const auto& md = ctx->client_metadata();
  auto it = md.find("authorization");
  if (it == md.end()) return std::nullopt;
  return std::string_view(it->second.data(), it->second.size());
}

std::string namespace_name(const std::string& given) {
  if (given.empty()) return "/";
  return given.front() == '/' ? given : "/" + given;
}

// What may be waited for within the caller's deadline: `cap`, less the time
// left before the deadline minus a margin to send the answer in.
std::chrono::milliseconds wait_budget(const grpc::CallbackServerContext* ctx,
                                      std::chrono::milliseconds cap) {
  using namespace std::chrono;
  auto deadline = ctx->deadline();
  if (deadline == system_clock::time_point::max()) return cap;
  auto left = duration_cast<milliseconds>(deadline - system_clock::now()) - milliseconds(50);
  return std::clamp(left, milliseconds(1), cap);
}

constexpr std::uint32_t default_page = 100;
constexpr std::uint32_t max_page = 10000;

}  // namespace

server_service::server_service(sio::server& io, rpc_options options)
    : io_(io),
      options_(std::move(options)),
      auth_(options_.tokens),
      dedup_(spawn_emit_dedup(io.system(), options_.idempotency_window)) {}

std::variant<namespace_ref, rpc_error> server_service::find_namespace(const token* who,
                                                                     scope needed,
                                                                     const std::string& given) {
  auto name = namespace_name(given);
  if (auto denied = authorizer::allow(who, needed, name)) return *denied;
  auto nsp = io_.find(name);
  if (!nsp)
    return rpc_error{grpc::StatusCode::NOT_FOUND, "UNKNOWN_NAMESPACE",
                     "no namespace " + name + " on this server"};
  return *nsp;
}

std::variant<broadcast, rpc_error> server_service::select(const token* who, scope needed,
                                                          const pb::Target& t) {
  auto name = namespace_name(t.namespace_());
  if (auto denied = authorizer::allow(who, needed, name)) return *denied;
  auto nsp = io_.find(name);
  if (!nsp)
    return rpc_error{grpc::StatusCode::NOT_FOUND, "UNKNOWN_NAMESPACE",
                     "no namespace " + name + " on this server"};
  auto b = nsp->all();
  for (const auto& room : t.rooms()) b.to(room);
  for (const auto& room : t.except_rooms()) b.except(room);
  if (t.local()) b.local();
  return b;
}

// -- Emit ---------------------------------------------------------------------

void server_service::emit(const token* who, const pb::EmitRequest& req,
                          reply_fn<pb::EmitResponse> done) {
  auto selected = select(who, scope::emit, req.target());
  if (auto* e = std::get_if<rpc_error>(&selected)) return done(*e);
  if (auto e = check_event_name(req.event())) return done(*e);
  auto arguments = to_args(req.payload(), options_.max_payload_bytes);
  if (auto* e = std::get_if<rpc_error>(&arguments)) return done(*e);
  auto b = std::get<broadcast>(std::move(selected));
  if (req.volatile_()) b.volatile_();
  auto start = [b, event = req.event(), values = std::get<args>(std::move(arguments))](
                   count_callback on_sent) mutable {
    b.emit(event, std::move(values), std::move(on_sent));
  };
  if (req.idempotency_key().empty()) {
    start([done](std::size_t n) {
      pb::EmitResponse r;
      r.set_recipients(static_cast<std::uint32_t>(n));
      done(std::move(r));
    });
    return;
  }
  pb::EmitRequest keyless = req;
  keyless.clear_idempotency_key();
  dedup_call call;
  call.key = req.idempotency_key();
  call.fingerprint = std::hash<std::string>{}(keyless.SerializeAsString());
  call.start = std::move(start);
  call.finish = [done](dedup_call::outcome outcome, std::size_t n) {
    if (outcome == dedup_call::outcome::conflict)
      return done(rpc_error{grpc::StatusCode::FAILED_PRECONDITION, "IDEMPOTENCY_KEY_REUSED",
                            "this idempotency key came with another request"});
    pb::EmitResponse r;
    r.set_recipients(static_cast<std::uint32_t>(n));
    r.set_deduplicated(outcome == dedup_call::outcome::repeated);
    done(std::move(r));
  };
  caf::anon_send(dedup_, std::move(call));
}

grpc::ServerUnaryReactor* server_service::Emit(grpc::CallbackServerContext* ctx,
                                               const pb::EmitRequest* req,
                                               pb::EmitResponse* resp) {
  unary_call call{ctx, ctx->DefaultReactor()};
  auto id = auth_.identify(authorization_of(ctx));
  if (id.error) call.fail(*id.error);
  else emit(id.who, *req, finishing(call, resp));
  return call.reactor;
}

// -- EmitWithAck --------------------------------------------------------------

grpc::ServerUnaryReactor* server_service::EmitWithAck(grpc::CallbackServerContext* ctx,
                                                      const pb::EmitWithAckRequest* req,
                                                      pb::EmitWithAckResponse* resp) {
  unary_call call{ctx, ctx->DefaultReactor()};
  auto id = auth_.identify(authorization_of(ctx));
  if (id.error) {
    call.fail(*id.error);
    return call.reactor;
  }
  auto selected = select(id.who, scope::emit, req->target());
  if (auto* e = std::get_if<rpc_error>(&selected)) {
    call.fail(*e);
    return call.reactor;
  }
  if (auto e = check_event_name(req->event())) {
    call.fail(*e);
    return call.reactor;
  }
  std::chrono::milliseconds asked{req->timeout_ms()};
  if (asked.count() == 0 || asked > options_.max_ack_timeout) {
    call.fail(invalid("BAD_TIMEOUT", "timeout_ms must be between 1 and " +
                                         std::to_string(options_.max_ack_timeout.count())));
    return call.reactor;
  }
  auto arguments = to_args(req->payload(), options_.max_payload_bytes);
  if (auto* e = std::get_if<rpc_error>(&arguments)) {
    call.fail(*e);
    return call.reactor;
  }
  auto b = std::get<broadcast>(std::move(selected));
  auto finish = [call, resp](std::vector<socket_ack> acks, bool complete) {
    std::uint32_t acked = 0;
    for (auto& a : acks) {
      auto* out = resp->add_acks();
      out->set_socket_id(a.socket_id);
      switch (a.status) {
        case ack_status::acked:
          out->set_status(pb::ACK_STATUS_ACKED);
          to_payload(a.reply, *out->mutable_payload());
          out->set_latency_ms(static_cast<std::uint32_t>(a.latency.count()));
          ++acked;
          break;
        case ack_status::timed_out: out->set_status(pb::ACK_STATUS_TIMED_OUT); break;
        case ack_status::disconnected: out->set_status(pb::ACK_STATUS_DISCONNECTED); break;
        case ack_status::dropped: out->set_status(pb::ACK_STATUS_DROPPED); break;
      }
    }
    resp->set_expected(static_cast<std::uint32_t>(acks.size()));
    resp->set_acked(acked);
    resp->set_complete(complete);
    call.ok();
  };
  auto budget = wait_budget(ctx, asked);
  b.timeout(budget);
  if (!req->target().local() && io_.options().adapter) {
    // The cluster's sockets, each acked on whichever node it lives.
    socket_acks_across_cluster(b, *io_.find(namespace_name(req->target().namespace_())),
                               req->event(), std::get<args>(std::move(arguments)),
                               req->volatile_(), budget, std::move(finish));
    return call.reactor;
  }
  if (req->volatile_()) b.volatile_();
  b.emit_with_socket_acks(req->event(), std::get<args>(std::move(arguments)), std::move(finish));
  return call.reactor;
}

// -- membership and disconnects -----------------------------------------------

template <class Request, class Response>
void server_service::membership(const token* who, const Request& req, bool join,
                                reply_fn<Response> done) {
  auto selected = select(who, scope::manage, req.target());
  if (auto* e = std::get_if<rpc_error>(&selected)) return done(*e);
  std::vector<std::string> rooms(req.rooms().begin(), req.rooms().end());
  if (std::any_of(rooms.begin(), rooms.end(), [](const auto& r) { return r.empty(); }))
    return done(invalid("EMPTY_ROOM_NAME", "a room name is empty"));
  auto on_done = [done](std::size_t n) {
    Response r;
    r.set_sockets(static_cast<std::uint32_t>(n));
    done(std::move(r));
  };
  auto& b = std::get<broadcast>(selected);
  if (join)
    b.sockets_join(std::move(rooms), on_done);
  else
    b.sockets_leave(std::move(rooms), on_done);
}

void server_service::disconnect(const token* who, const pb::DisconnectSocketsRequest& req,
                                reply_fn<pb::DisconnectSocketsResponse> done) {
  auto selected = select(who, scope::manage, req.target());
  if (auto* e = std::get_if<rpc_error>(&selected)) return done(*e);
  std::get<broadcast>(selected).disconnect_sockets(req.close(), [done](std::size_t n) {
    pb::DisconnectSocketsResponse r;
    r.set_sockets(static_cast<std::uint32_t>(n));
    done(std::move(r));
  });
}

grpc::ServerUnaryReactor* server_service::SocketsJoin(grpc::CallbackServerContext* ctx,
                                                      const pb::SocketsJoinRequest* req,
                                                      pb::SocketsJoinResponse* resp) {
  unary_call call{ctx, ctx->DefaultReactor()};
  auto id = auth_.identify(authorization_of(ctx));
  if (id.error) call.fail(*id.error);
  else membership<pb::SocketsJoinRequest, pb::SocketsJoinResponse>(id.who, *req, true,
                                                                    finishing(call, resp));
  return call.reactor;
}

grpc::ServerUnaryReactor* server_service::SocketsLeave(grpc::CallbackServerContext* ctx,
                                                       const pb::SocketsLeaveRequest* req,
                                                       pb::SocketsLeaveResponse* resp) {
  unary_call call{ctx, ctx->DefaultReactor()};
  auto id = auth_.identify(authorization_of(ctx));
  if (id.error) call.fail(*id.error);
  else membership<pb::SocketsLeaveRequest, pb::SocketsLeaveResponse>(id.who, *req, false,
                                                                     finishing(call, resp));
  return call.reactor;
}

grpc::ServerUnaryReactor* server_service::DisconnectSockets(
    grpc::CallbackServerContext* ctx, const pb::DisconnectSocketsRequest* req,
    pb::DisconnectSocketsResponse* resp) {
  unary_call call{ctx, ctx->DefaultReactor()};
  auto id = auth_.identify(authorization_of(ctx));
  if (id.error) call.fail(*id.error);
  else disconnect(id.who, *req, finishing(call, resp));
  return call.reactor;
}

// -- queries ------------------------------------------------------------------

grpc::ServerUnaryReactor* server_service::FetchSockets(grpc::CallbackServerContext* ctx,
                                                       const pb::FetchSocketsRequest* req,
                                                       pb::FetchSocketsResponse* resp) {
  unary_call call{ctx, ctx->DefaultReactor()};
  auto id = auth_.identify(authorization_of(ctx));
  if (id.error) {
    call.fail(*id.error);
    return call.reactor;
  }
  auto selected = select(id.who, scope::read, req->target());
  if (auto* e = std::get_if<rpc_error>(&selected)) {
    call.fail(*e);
    return call.reactor;
  }
  std::string after;
  if (!req->page_token().empty()) {
    auto last = read_page_token(req->page_token());
    if (!last) {
      call.fail(invalid("BAD_PAGE_TOKEN", "the page token was not made by this server"));
      return call.reactor;
    }
    after = std::move(*last);
  }
  std::uint32_t limit = req->limit() == 0 ? default_page : std::min(req->limit(), max_page);
  auto& b = std::get<broadcast>(selected);
  b.timeout(wait_budget(ctx, options_.fetch_timeout));
  b.fetch_sockets([call, resp, after, limit, with_data = req->include_data(),
                   with_handshake = req->include_handshake(),
                   node = options_.node_id](std::vector<remote_socket> sockets) {
    std::sort(sockets.begin(), sockets.end(),
              [](const auto& x, const auto& y) { return x.id < y.id; });
    auto first = after.empty() ? sockets.begin()
                               : std::upper_bound(sockets.begin(), sockets.end(), after,
                                                  [](const std::string& a, const auto& s) {
                                                    return a < s.id;
                                                  });
    auto n = std::min<std::size_t>(limit, static_cast<std::size_t>(sockets.end() - first));
    for (auto it = first; it != first + static_cast<std::ptrdiff_t>(n); ++it)
      to_socket_info(*it, with_data, with_handshake, node, *resp->add_sockets());
    if (first + static_cast<std::ptrdiff_t>(n) != sockets.end())
      resp->set_next_page_token(make_page_token((first + static_cast<std::ptrdiff_t>(n) - 1)->id));
    call.ok();
  });
  return call.reactor;
}

grpc::ServerUnaryReactor* server_service::CountSockets(grpc::CallbackServerContext* ctx,
                                                       const pb::CountSocketsRequest* req,
                                                       pb::CountSocketsResponse* resp) {
  unary_call call{ctx, ctx->DefaultReactor()};
  auto id = auth_.identify(authorization_of(ctx));
  if (id.error) {
    call.fail(*id.error);
    return call.reactor;
  }
  auto selected = select(id.who, scope::read, req->target());
  if (auto* e = std::get_if<rpc_error>(&selected)) {
    call.fail(*e);
    return call.reactor;
  }
  if (!req->target().local() && io_.options().adapter) {
    count_across_cluster(std::get<broadcast>(selected), [call, resp](std::optional<std::size_t> n) {
      if (!n)
        return call.fail(rpc_error{grpc::StatusCode::UNAVAILABLE, "CLUSTER_UNAVAILABLE",
                                   "some node of the cluster did not answer in time"});
      resp->set_sockets(static_cast<std::uint32_t>(*n));
      call.ok();
    });
    return call.reactor;
  }
  std::get<broadcast>(selected).count_sockets([call, resp](std::size_t n) {
    resp->set_sockets(static_cast<std::uint32_t>(n));
    call.ok();
  });
  return call.reactor;
}

// -- SetSocketData and ListRooms ------------------------------------------------

void server_service::set_data(const token* who, const pb::SetSocketDataRequest& req,
                              reply_fn<pb::SetSocketDataResponse> done) {
  auto nsp = find_namespace(who, scope::manage, req.namespace_());
  if (auto* e = std::get_if<rpc_error>(&nsp)) return done(*e);
  auto data = parse_json(req.data_json());
  if (!data) return done(invalid("INVALID_JSON", "data_json is not one JSON value"));
  std::get<namespace_ref>(nsp).set_data(
      req.socket_id(), std::move(*data), req.merge(),
      [done, sid = req.socket_id()](std::optional<json> after) {
        if (!after)
          return done(rpc_error{grpc::StatusCode::NOT_FOUND, "SOCKET_NOT_FOUND",
                                "no socket " + sid + " in this namespace"});
        pb::SetSocketDataResponse r;
        r.set_data_json(to_json_text(*after));
        done(std::move(r));
      });
}

grpc::ServerUnaryReactor* server_service::SetSocketData(grpc::CallbackServerContext* ctx,
                                                        const pb::SetSocketDataRequest* req,
                                                        pb::SetSocketDataResponse* resp) {
  unary_call call{ctx, ctx->DefaultReactor()};
  auto id = auth_.identify(authorization_of(ctx));
  if (id.error) call.fail(*id.error);
  else set_data(id.who, *req, finishing(call, resp));
  return call.reactor;
}

grpc::ServerUnaryReactor* server_service::ListRooms(grpc::CallbackServerContext* ctx,
                                                    const pb::ListRoomsRequest* req,
                                                    pb::ListRoomsResponse* resp) {
  unary_call call{ctx, ctx->DefaultReactor()};
  auto id = auth_.identify(authorization_of(ctx));
  if (id.error) {
    call.fail(*id.error);
    return call.reactor;
  }
  auto nsp = find_namespace(id.who, scope::read, req->namespace_());
  if (auto* e = std::get_if<rpc_error>(&nsp)) {
    call.fail(*e);
    return call.reactor;
  }
  std::string after;
  if (!req->page_token().empty()) {
    auto last = read_page_token(req->page_token());
    if (!last) {
      call.fail(invalid("BAD_PAGE_TOKEN", "the page token was not made by this server"));
      return call.reactor;
    }
    after = std::move(*last);
  }
  std::uint32_t limit = req->limit() == 0 ? default_page : std::min(req->limit(), max_page);
  std::get<namespace_ref>(nsp).list_rooms(
      [call, resp, after, limit, prefix = req->prefix()](
          std::vector<std::pair<std::string, std::size_t>> rooms) {
        std::uint32_t n = 0;
        for (const auto& [name, size] : rooms) {  // sorted by name
          if (!after.empty() && name <= after) continue;
          if (!std::string_view(name).starts_with(prefix)) continue;
          if (n == limit) {
            resp->set_next_page_token(make_page_token(resp->rooms(resp->rooms_size() - 1).name()));
            break;
          }
          auto* room = resp->add_rooms();
          room->set_name(name);
          room->set_sockets(static_cast<std::uint32_t>(size));
          ++n;
        }
        call.ok();
      });
  return call.reactor;
}

// -- ServerSideEmit -----------------------------------------------------------

// From outside the server: this node's listeners and watchers get it, and
// every other node's; `receivers` counts those of this node.
void server_service::server_side_emit(const token* who, const pb::ServerSideEmitRequest& req,
                                      reply_fn<pb::ServerSideEmitResponse> done) {
  auto nsp = find_namespace(who, scope::emit, "/");
  if (auto* e = std::get_if<rpc_error>(&nsp)) return done(*e);
  if (auto e = check_event_name(req.event())) return done(*e);
  auto arguments = to_args(req.payload(), options_.max_payload_bytes);
  if (auto* e = std::get_if<rpc_error>(&arguments)) return done(*e);
  std::get<namespace_ref>(nsp).server_side_emit_everywhere(
      req.event(), std::get<args>(std::move(arguments)), [done](std::size_t n) {
        pb::ServerSideEmitResponse r;
        r.set_receivers(static_cast<std::uint32_t>(n));
        done(std::move(r));
      });
}

grpc::ServerUnaryReactor* server_service::ServerSideEmit(grpc::CallbackServerContext* ctx,
                                                         const pb::ServerSideEmitRequest* req,
                                                         pb::ServerSideEmitResponse* resp) {
  unary_call call{ctx, ctx->DefaultReactor()};
  auto id = auth_.identify(authorization_of(ctx));
  if (id.error) call.fail(*id.error);
  else server_side_emit(id.who, *req, finishing(call, resp));
  return call.reactor;
}

// -- Batch --------------------------------------------------------------------

struct batch_run {
  unary_call call;
  const token* who = nullptr;
  const pb::BatchRequest* req = nullptr;
  pb::BatchResponse* resp = nullptr;
  int next = 0;
};

namespace {

// Fills `result` from an operation's outcome; `set` stores the response.
template <class Response, class Set>
void record(pb::CommandResult& result, std::variant<Response, rpc_error>& outcome, Set set) {
  if (auto* e = std::get_if<rpc_error>(&outcome)) {
    result.set_code(static_cast<int>(e->code));
    result.set_message(e->message);
    result.set_reason(e->reason);
    return;
  }
  set(std::move(std::get<Response>(outcome)));
}

}  // namespace

void server_service::run_batch(std::shared_ptr<batch_run> run) {
  if (run->next == run->req->commands_size()) return run->call.ok();
  const auto& command = run->req->commands(run->next++);
  auto* result = run->resp->add_results();
  // Each command starts once the previous one took effect: its callback runs
  // the next.
  auto then = [this, run, result](auto outcome, auto set) {
    record(*result, outcome, set);
    run_batch(run);
  };
  switch (command.command_case()) {
    case pb::Command::kEmit:
      return emit(run->who, command.emit(), [then, result](auto o) {
        then(std::move(o), [result](pb::EmitResponse r) { *result->mutable_emit() = std::move(r); });
      });
    case pb::Command::kSocketsJoin:
      return membership<pb::SocketsJoinRequest, pb::SocketsJoinResponse>(
          run->who, command.sockets_join(), true, [then, result](auto o) {
            then(std::move(o), [result](pb::SocketsJoinResponse r) {
              *result->mutable_sockets_join() = std::move(r);
            });
          });
    case pb::Command::kSocketsLeave:
      return membership<pb::SocketsLeaveRequest, pb::SocketsLeaveResponse>(
          run->who, command.sockets_leave(), false, [then, result](auto o) {
            then(std::move(o), [result](pb::SocketsLeaveResponse r) {
              *result->mutable_sockets_leave() = std::move(r);
            });
          });
    case pb::Command::kDisconnectSockets:
      return disconnect(run->who, command.disconnect_sockets(), [then, result](auto o) {
        then(std::move(o), [result](pb::DisconnectSocketsResponse r) {
          *result->mutable_disconnect_sockets() = std::move(r);
        });
      });
    case pb::Command::kSetSocketData:
      return set_data(run->who, command.set_socket_data(), [then, result](auto o) {
        then(std::move(o), [result](pb::SetSocketDataResponse r) {
          *result->mutable_set_socket_data() = std::move(r);
        });
      });
    case pb::Command::kServerSideEmit:
      return server_side_emit(run->who, command.server_side_emit(), [then, result](auto o) {
        then(std::move(o), [result](pb::ServerSideEmitResponse r) {
          *result->mutable_server_side_emit() = std::move(r);
        });
      });
    default:
      result->set_code(static_cast<int>(grpc::StatusCode::UNIMPLEMENTED));
      result->set_message("this command is not available in a batch");
      result->set_reason("UNIMPLEMENTED");
      return run_batch(run);
  }
}

grpc::ServerUnaryReactor* server_service::Batch(grpc::CallbackServerContext* ctx,
                                                const pb::BatchRequest* req,
                                                pb::BatchResponse* resp) {
  unary_call call{ctx, ctx->DefaultReactor()};
  auto id = auth_.identify(authorization_of(ctx));
  if (id.error) {
    call.fail(*id.error);
    return call.reactor;
  }
  run_batch(std::make_shared<batch_run>(batch_run{call, id.who, req, resp, 0}));
  return call.reactor;
}

}  // namespace sio::rpc
