#include "server_service.hpp"

#include <algorithm>

#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <chrono>

#include "cluster_queries.hpp"
#include "call_registry.hpp"
#include "emit_dedup.hpp"
#include "sio/actors/metrics.hpp"

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

// What may be waited for from now until `deadline` less a margin to send the
// answer in, at most `cap`.
std::chrono::milliseconds budget_until(std::chrono::system_clock::time_point deadline,
                                       std::chrono::milliseconds cap) {
  using namespace std::chrono;
  if (deadline == system_clock::time_point::max()) return cap;
  auto left = duration_cast<milliseconds>(deadline - system_clock::now()) - milliseconds(100);
  return std::clamp(left, milliseconds(1), cap);
}

// What may be waited for within the caller's deadline, at most `cap`.
std::chrono::milliseconds wait_budget(const grpc::CallbackServerContext* ctx,
                                      std::chrono::milliseconds cap) {
  return budget_until(ctx->deadline(), cap);
}

// The sockets of `nsp` that `t` names.
// Looks up every name, making a dynamic rule's namespace as a connecting
// client would; `done` gets one answer per name, in order (nothing for an
// unknown one), on whichever thread answered last.
using resolved = std::vector<std::optional<namespace_ref>>;
void resolve_each(server& io, const std::vector<std::string>& names,
                  std::function<void(resolved)> done) {
  if (names.empty()) return done({});
  struct lookup {
    resolved found;
    std::atomic<std::size_t> left;
    std::function<void(resolved)> done;
  };
  auto look = std::make_shared<lookup>();
  look->found.resize(names.size());
  look->left = names.size();
  look->done = std::move(done);
  for (std::size_t i = 0; i < names.size(); ++i)
    io.resolve(names[i], [look, i](std::optional<namespace_ref> nsp) {
      look->found[i] = std::move(nsp);
      if (look->left.fetch_sub(1) == 1) look->done(std::move(look->found));
    });
}

broadcast selection(const namespace_ref& nsp, const pb::Target& t) {
  auto b = nsp.all();
  for (const auto& room : t.rooms()) b.to(room);
  for (const auto& room : t.except_rooms()) b.except(room);
  if (t.local()) b.local();
  return b;
}

constexpr std::uint32_t default_page = 100;
constexpr std::uint32_t max_page = 10000;

}  // namespace

server_service::server_service(sio::server& io, rpc_options options)
    : io_(io),
      options_(std::move(options)),
      auth_(options_.tokens),
      dedup_(spawn_emit_dedup(io.system(), options_.idempotency_window)),
      calls_(spawn_call_registry(io.system())),
      limiter_(options_.rate_limit, options_.rate_burst, options_.tokens.size() + 1) {}

void server_service::find_namespace(const token* who, scope needed, const std::string& given,
                                    reply_fn<namespace_ref> then) {
  auto name = namespace_name(given);
  if (auto denied = authorizer::allow(who, needed, name)) return then(*denied);
  // A namespace of a dynamic rule counts as one, as for a connecting client.
  io_.resolve(name, [name, then](std::optional<namespace_ref> nsp) {
    if (!nsp) return then(unknown_namespace(name));
    then(std::move(*nsp));
  });
}

void server_service::select(const token* who, scope needed, const pb::Target& t,
                            reply_fn<broadcast> then) {
  find_namespace(who, needed, t.namespace_(), [t, then](std::variant<namespace_ref, rpc_error> nsp) {
    if (auto* e = std::get_if<rpc_error>(&nsp)) return then(*e);
    then(selection(std::get<namespace_ref>(nsp), t));
  });
}

// A unary RPC that is one operation: the caller identified, then `op` with
// whom and where its outcome goes.
template <class Response, class Op>
grpc::ServerUnaryReactor* server_service::serve(grpc::CallbackServerContext* ctx, Response* resp,
                                                Op op) {
  unary_call call{ctx, ctx->DefaultReactor()};
  auto id = identify(ctx);
  if (id.error) call.fail(*id.error);
  else op(id.who, finishing(call, resp));
  return call.reactor;
}

authorizer::identity server_service::identify(const grpc::CallbackServerContext* ctx) {
  if (stopping_.load())
    return {nullptr, rpc_error{grpc::StatusCode::UNAVAILABLE, "SHUTTING_DOWN",
                               "the server is shutting down"}};
  auto id = auth_.identify(authorization_of(ctx));
  if (!id.error && !limiter_.admit(auth_.slot_of(id.who)))
    id.error = rpc_error{grpc::StatusCode::RESOURCE_EXHAUSTED, "RATE_LIMITED",
                         "too many calls: at most " + std::to_string(options_.rate_limit) +
                             " per second for this caller"};
  return id;
}

std::uint64_t server_service::track(std::function<void()> end) {
  auto id = next_call_.fetch_add(1) + 1;
  caf::anon_send(calls_, atoms::track::value, id, std::move(end));
  return id;
}

void server_service::untrack(std::uint64_t id) { caf::anon_send(calls_, atoms::untrack::value, id); }

void server_service::shut_down() {
  stopping_.store(true);
  caf::scoped_actor self{io_.system()};
  self->request(calls_, std::chrono::seconds(5), atoms::shut_down::value)
      .receive([](bool) {}, [](caf::error&) {});
}

// -- Emit ---------------------------------------------------------------------

void server_service::emit(const token* who, const pb::EmitRequest& req,
                          reply_fn<pb::EmitResponse> done) {
  // `req` outlives the call, which ends only through `done`.
  select(who, scope::emit, req.target(), [this, &req, done](std::variant<broadcast, rpc_error> selected) {
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
  });
}

grpc::ServerUnaryReactor* server_service::Emit(grpc::CallbackServerContext* ctx,
                                               const pb::EmitRequest* req,
                                               pb::EmitResponse* resp) {
  return serve(ctx, resp, [&](const token* who, reply_fn<pb::EmitResponse> done) {
    emit(who, *req, done);
  });
}

// -- EmitWithAck and EmitWithAckStream -----------------------------------------

namespace {

void to_socket_ack(const socket_ack& a, pb::SocketAck& out) {
  out.set_socket_id(a.socket_id);
  switch (a.status) {
    case ack_status::acked:
      out.set_status(pb::ACK_STATUS_ACKED);
      to_payload(a.reply, *out.mutable_payload());
      out.set_latency_ms(static_cast<std::uint32_t>(a.latency.count()));
      break;
    case ack_status::timed_out: out.set_status(pb::ACK_STATUS_TIMED_OUT); break;
    case ack_status::disconnected: out.set_status(pb::ACK_STATUS_DISCONNECTED); break;
    case ack_status::dropped: out.set_status(pb::ACK_STATUS_DROPPED); break;
  }
}

pb::EmitWithAckResponse summary_of(const std::vector<socket_ack>& acks, bool complete) {
  pb::EmitWithAckResponse r;
  std::uint32_t acked = 0;
  for (const auto& a : acks) {
    to_socket_ack(a, *r.add_acks());
    if (a.status == ack_status::acked) ++acked;
  }
  r.set_expected(static_cast<std::uint32_t>(acks.size()));
  r.set_acked(acked);
  r.set_complete(complete);
  return r;
}

rpc_error shutting_down() {
  return {grpc::StatusCode::UNAVAILABLE, "SHUTTING_DOWN", "the server is shutting down"};
}

// A unary call that a shutdown may end before its operation does: whoever
// comes first finishes it, once.
struct guarded_call {
  unary_call call;
  std::atomic<bool> ended{false};
  bool claim() { return !ended.exchange(true); }
};

}  // namespace

void server_service::emit_with_ack(const token* who, const pb::EmitWithAckRequest& req,
                                   std::chrono::system_clock::time_point deadline, bool unary,
                                   socket_ack_progress progress,
                                   reply_fn<pb::EmitWithAckResponse> done) {
  std::chrono::milliseconds asked{req.timeout_ms()};
  if (asked.count() == 0 || asked > options_.max_ack_timeout)
    return done(invalid("BAD_TIMEOUT", "timeout_ms must be between 1 and " +
                                           std::to_string(options_.max_ack_timeout.count())));
  if (pending_acks_->load() >= static_cast<std::int64_t>(options_.max_pending_acks))
    return done(rpc_error{grpc::StatusCode::RESOURCE_EXHAUSTED, "TOO_MANY_PENDING_ACKS",
                          "this server already awaits " + std::to_string(options_.max_pending_acks) +
                              " acks"});
  find_namespace(who, scope::emit, req.target().namespace_(), [this, &req, deadline, asked, unary,
                                                               progress = std::move(progress),
                                                               done](std::variant<namespace_ref, rpc_error> found) {
    if (auto* e = std::get_if<rpc_error>(&found)) return done(*e);
    if (auto e = check_event_name(req.event())) return done(*e);
    auto arguments = to_args(req.payload(), options_.max_payload_bytes);
    if (auto* e = std::get_if<rpc_error>(&arguments)) return done(*e);
    auto nsp = std::get<namespace_ref>(std::move(found));
    auto b = selection(nsp, req.target());
    if (req.volatile_()) b.volatile_();
    // Every ack awaited counts towards max_pending_acks until it came or
    // timed out. Until the recipients are known the call holds one place:
    // a recipient may see the event (and its client call again) before
    // the number of recipients reaches us.
    auto pending = pending_acks_;
    auto holding = std::make_shared<std::atomic<bool>>(false);
    auto release_hold = [pending, holding] {
      if (holding->exchange(false)) pending->fetch_sub(1);
    };
    socket_ack_progress counted;
    counted.dispatched = [pending, release_hold, f = progress.dispatched](std::size_t n) {
      pending->fetch_add(static_cast<std::int64_t>(n));
      release_hold();
      if (f) f(n);
    };
    counted.each = [pending, f = progress.each](const socket_ack& a) {
      pending->fetch_sub(1);
      if (f) f(a);
    };
    auto finish = [pending, release_hold, done](std::vector<socket_ack> acks, bool complete) {
      release_hold();
      pending->fetch_sub(std::count_if(acks.begin(), acks.end(), [](const socket_ack& a) {
        return a.status == ack_status::timed_out;
      }));
      done(summary_of(acks, complete));
    };
    bool cluster = !req.target().local() && io_.options().adapter;
    auto send = [b, nsp, cluster, is_volatile = req.volatile_(), event = req.event(),
                 values = std::get<args>(std::move(arguments)), counted = std::move(counted),
                 finish, deadline, asked, pending, holding]() mutable {
      holding->store(true);
      pending->fetch_add(1);
      // The wait ends before the caller's deadline, counted from the emit.
      auto budget = budget_until(deadline, asked);
      if (!cluster) {
        b.timeout(budget);
        b.emit_with_socket_acks(event, std::move(values), std::move(counted), std::move(finish));
        return;
      }
      // The cluster's sockets, each acked on whichever node it lives; the
      // progress is told once the outcomes are in.
      socket_acks_across_cluster(
          b, nsp, event, std::move(values), is_volatile, budget,
          [counted, finish](std::vector<socket_ack> acks, bool complete) {
            counted.dispatched(acks.size());
            for (const auto& a : acks)
              if (a.status != ack_status::timed_out) counted.each(a);
            finish(std::move(acks), complete);
          });
    };
    if (!unary) return send();
    // A unary answer holds every ack at once: first see that it stays small.
    b.count_sockets([send = std::move(send), done, max = options_.max_ack_recipients](
                        std::size_t n) mutable {
      if (n > max)
        return done(rpc_error{grpc::StatusCode::FAILED_PRECONDITION, "TOO_MANY_RECIPIENTS",
                              std::to_string(n) + " recipients, more than " + std::to_string(max) +
                                  " for one EmitWithAck: use EmitWithAckStream"});
      send();
    });
  });
}

grpc::ServerUnaryReactor* server_service::EmitWithAck(grpc::CallbackServerContext* ctx,
                                                      const pb::EmitWithAckRequest* req,
                                                      pb::EmitWithAckResponse* resp) {
  unary_call call{ctx, ctx->DefaultReactor()};
  auto id = identify(ctx);
  if (id.error) {
    call.fail(*id.error);
    return call.reactor;
  }
  auto guard = std::make_shared<guarded_call>();
  guard->call = call;
  auto tracked = track([guard] {
    if (guard->claim()) guard->call.fail(shutting_down());
  });
  emit_with_ack(id.who, *req, ctx->deadline(), true, {},
                [guard, resp, tracked, calls = calls_](
                    std::variant<pb::EmitWithAckResponse, rpc_error> outcome) {
                  caf::anon_send(calls, atoms::untrack::value, tracked);
                  if (!guard->claim()) return;
                  if (auto* e = std::get_if<rpc_error>(&outcome)) return guard->call.fail(*e);
                  *resp = std::move(std::get<pb::EmitWithAckResponse>(outcome));
                  guard->call.ok();
                });
  return call.reactor;
}

grpc::ServerWriteReactor<pb::EmitWithAckStreamResponse>* server_service::EmitWithAckStream(
    grpc::CallbackServerContext* ctx, const pb::EmitWithAckStreamRequest* req) {
  auto* reactor = new ack_stream_reactor;
  auto id = identify(ctx);
  if (id.error) {
    ctx->AddTrailingMetadata("sio-error-reason", id.error->reason);
    reactor->Finish(grpc::Status(id.error->code, id.error->message));
    return reactor;
  }
  auto tracked = next_call_.fetch_add(1) + 1;
  auto writer = spawn_ack_stream_writer(io_.system(), ctx, reactor,
                                        [calls = calls_, tracked] {
                                          caf::anon_send(calls, atoms::untrack::value, tracked);
                                        });
  reactor->writer = writer;
  caf::anon_send(calls_, atoms::track::value, tracked, std::function<void()>([writer] {
                   caf::anon_send(writer, atoms::shut_down::value);
                 }));
  socket_ack_progress progress;
  progress.dispatched = [writer](std::size_t n) {
    pb::EmitWithAckStreamResponse m;
    m.set_dispatched(static_cast<std::uint32_t>(n));
    caf::anon_send(writer, atoms::push::value, std::move(m));
  };
  progress.each = [writer](const socket_ack& a) {
    pb::EmitWithAckStreamResponse m;
    to_socket_ack(a, *m.mutable_ack());
    caf::anon_send(writer, atoms::push::value, std::move(m));
  };
  emit_with_ack(id.who, req->request(), ctx->deadline(), false,
                std::move(progress),
                [writer](std::variant<pb::EmitWithAckResponse, rpc_error> outcome) {
                  if (auto* e = std::get_if<rpc_error>(&outcome))
                    return caf::anon_send(writer, atoms::fail::value, std::move(*e));
                  pb::EmitWithAckStreamResponse m;
                  *m.mutable_summary() = std::move(std::get<pb::EmitWithAckResponse>(outcome));
                  caf::anon_send(writer, atoms::push::value, std::move(m));
                  caf::anon_send(writer, atoms::finish::value);
                });
  return reactor;
}

// -- WatchEvents and GetStats -----------------------------------------------------

grpc::ServerWriteReactor<pb::WatchEventsResponse>* server_service::WatchEvents(
    grpc::CallbackServerContext* ctx, const pb::WatchEventsRequest* req) {
  auto* reactor = new watch_reactor;
  auto fail = [ctx, reactor](const rpc_error& e) {
    ctx->AddTrailingMetadata("sio-error-reason", e.reason);
    reactor->Finish(grpc::Status(e.code, e.message));
    return reactor;
  };
  auto id = identify(ctx);
  if (id.error) return fail(*id.error);
  auto settings = read_watch_request(*req, id.who, options_);
  if (auto* e = std::get_if<rpc_error>(&settings)) return fail(*e);
  if (options_.max_watchers == 0)
    return fail(rpc_error{grpc::StatusCode::FAILED_PRECONDITION, "DISABLED",
                          "WatchEvents is off on this server (--grpc-max-watchers 0)"});
  if (io_.observer().watchers() >= options_.max_watchers)
    return fail(rpc_error{grpc::StatusCode::RESOURCE_EXHAUSTED, "TOO_MANY_WATCHERS",
                          "this server has " + std::to_string(options_.max_watchers) +
                              " watchers already"});
  auto names = std::get<watch_settings>(settings).namespaces;
  auto tracked = next_call_.fetch_add(1) + 1;
  auto watcher = spawn_watcher(io_.system(), io_.observer(),
                               std::get<watch_settings>(std::move(settings)), ctx, reactor,
                               [calls = calls_, tracked] {
                                 caf::anon_send(calls, atoms::untrack::value, tracked);
                               });
  // Set before gRPC gets the reactor: a cancel from now on reaches the watcher.
  reactor->writer = watcher;
  caf::anon_send(calls_, atoms::track::value, tracked, std::function<void()>([watcher] {
                   caf::anon_send(watcher, atoms::shut_down::value);
                 }));
  // The namespaces named must exist, as for every other call (one of a
  // dynamic rule is made now if need be); the watcher begins once they do.
  resolve_each(io_, names, [names, watcher](resolved found) {
    for (std::size_t i = 0; i < found.size(); ++i)
      if (!found[i]) return caf::anon_send(watcher, atoms::fail::value, unknown_namespace(names[i]));
    caf::anon_send(watcher, atoms::begin::value);
  });
  return reactor;
}

grpc::ServerUnaryReactor* server_service::GetStats(grpc::CallbackServerContext* ctx,
                                                   const pb::GetStatsRequest*,
                                                   pb::GetStatsResponse* resp) {
  unary_call call{ctx, ctx->DefaultReactor()};
  auto id = identify(ctx);
  if (id.error) {
    call.fail(*id.error);
    return call.reactor;
  }
  if (auto denied = authorizer::allow(id.who, scope::read, "")) {
    call.fail(*denied);
    return call.reactor;
  }
  using metrics::counter;
  auto totals = metrics::sum();
  auto sessions_opened = totals.get(counter::polling_opened) + totals.get(counter::websocket_opened);
  auto sessions_closed = totals.get(counter::polling_closed) + totals.get(counter::websocket_closed);
  resp->set_node_id(options_.node_id);
  resp->set_version(options_.version);
  resp->set_uptime_ms(static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started_)
          .count()));
  resp->set_clients(static_cast<std::uint32_t>(std::max<std::int64_t>(0, sessions_opened - sessions_closed)));
  resp->set_polling_clients(static_cast<std::uint32_t>(std::max<std::int64_t>(
      0, totals.get(counter::polling_opened) - totals.get(counter::upgraded) -
             totals.get(counter::polling_closed))));
  resp->set_events_received(static_cast<std::uint64_t>(totals.get(counter::events_in)));
  resp->set_events_sent(static_cast<std::uint64_t>(totals.get(counter::events_out) +
                                                   totals.get(counter::deliveries)));
  resp->set_pending_acks(static_cast<std::uint32_t>(std::max<std::int64_t>(0, pending_acks_->load())));
  resp->set_watchers(static_cast<std::uint32_t>(io_.observer().watchers()));
  // The namespaces of this server the caller may read, each with its
  // sockets and rooms, which its actor counts: the last answer ends the call.
  io_.list_namespaces([&io = io_, call, resp, who = id.who](std::vector<std::string> names) {
    std::erase_if(names, [who](const std::string& n) {
      return authorizer::allow(who, scope::read, n).has_value();
    });
    resolve_each(io, names, [call, resp](resolved found) {
      std::erase_if(found, [](const auto& nsp) { return !nsp; });
      if (found.empty()) return call.ok();
      // Two answers per namespace (its sockets, its rooms), each into its
      // own place; the last one writes the reply and ends the call.
      struct tally {
        resolved namespaces;
        std::vector<std::uint32_t> sockets, rooms;
        std::atomic<std::size_t> left;
      };
      auto t = std::make_shared<tally>();
      t->sockets.resize(found.size());
      t->rooms.resize(found.size());
      t->left = 2 * found.size();
      t->namespaces = std::move(found);
      auto one_done = [call, resp, t] {
        if (t->left.fetch_sub(1) != 1) return;
        for (std::size_t i = 0; i < t->namespaces.size(); ++i) {
          auto* n = resp->add_namespaces();
          n->set_name(t->namespaces[i]->name());
          n->set_sockets(t->sockets[i]);
          n->set_rooms(t->rooms[i]);
        }
        call.ok();
      };
      for (std::size_t i = 0; i < t->namespaces.size(); ++i) {
        auto& nsp = *t->namespaces[i];
        nsp.all().local().count_sockets([t, i, one_done](std::size_t n) {
          t->sockets[i] = static_cast<std::uint32_t>(n);
          one_done();
        });
        nsp.list_rooms([t, i, one_done](std::vector<std::pair<std::string, std::size_t>> rooms) {
          t->rooms[i] = static_cast<std::uint32_t>(rooms.size());
          one_done();
        });
      }
    });
  });
  return call.reactor;
}

// -- membership and disconnects -----------------------------------------------

template <class Request, class Response>
void server_service::membership(const token* who, const Request& req, bool join,
                                reply_fn<Response> done) {
  std::vector<std::string> rooms(req.rooms().begin(), req.rooms().end());
  select(who, scope::manage, req.target(),
         [rooms = std::move(rooms), join, done](std::variant<broadcast, rpc_error> selected) mutable {
           if (auto* e = std::get_if<rpc_error>(&selected)) return done(*e);
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
         });
}

void server_service::disconnect(const token* who, const pb::DisconnectSocketsRequest& req,
                                reply_fn<pb::DisconnectSocketsResponse> done) {
  select(who, scope::manage, req.target(),
         [close = req.close(), done](std::variant<broadcast, rpc_error> selected) {
           if (auto* e = std::get_if<rpc_error>(&selected)) return done(*e);
           std::get<broadcast>(selected).disconnect_sockets(close, [done](std::size_t n) {
             pb::DisconnectSocketsResponse r;
             r.set_sockets(static_cast<std::uint32_t>(n));
             done(std::move(r));
           });
         });
}

grpc::ServerUnaryReactor* server_service::SocketsJoin(grpc::CallbackServerContext* ctx,
                                                      const pb::SocketsJoinRequest* req,
                                                      pb::SocketsJoinResponse* resp) {
  return serve(ctx, resp, [&](const token* who, reply_fn<pb::SocketsJoinResponse> done) {
    membership<pb::SocketsJoinRequest, pb::SocketsJoinResponse>(who, *req, true, done);
  });
}

grpc::ServerUnaryReactor* server_service::SocketsLeave(grpc::CallbackServerContext* ctx,
                                                       const pb::SocketsLeaveRequest* req,
                                                       pb::SocketsLeaveResponse* resp) {
  return serve(ctx, resp, [&](const token* who, reply_fn<pb::SocketsLeaveResponse> done) {
    membership<pb::SocketsLeaveRequest, pb::SocketsLeaveResponse>(who, *req, false, done);
  });
}

grpc::ServerUnaryReactor* server_service::DisconnectSockets(
    grpc::CallbackServerContext* ctx, const pb::DisconnectSocketsRequest* req,
    pb::DisconnectSocketsResponse* resp) {
  return serve(ctx, resp, [&](const token* who, reply_fn<pb::DisconnectSocketsResponse> done) {
    disconnect(who, *req, done);
  });
}

// -- queries ------------------------------------------------------------------

grpc::ServerUnaryReactor* server_service::FetchSockets(grpc::CallbackServerContext* ctx,
                                                       const pb::FetchSocketsRequest* req,
                                                       pb::FetchSocketsResponse* resp) {
  unary_call call{ctx, ctx->DefaultReactor()};
  auto id = identify(ctx);
  if (id.error) {
    call.fail(*id.error);
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
  select(id.who, scope::read, req->target(),
         [this, ctx, call, req, resp, after, limit](std::variant<broadcast, rpc_error> selected) {
           if (auto* e = std::get_if<rpc_error>(&selected)) return call.fail(*e);
           auto& b = std::get<broadcast>(selected);
           b.timeout(wait_budget(ctx, options_.fetch_timeout));
           bool cluster = !req->target().local() && io_.options().adapter;
           b.fetch_sockets_checked([call, resp, after, limit, with_data = req->include_data(),
                                    with_handshake = req->include_handshake(),
                                    node = options_.node_id,
                                    cluster](std::vector<remote_socket> sockets, bool complete) {
             // As socket.io's fetchSockets(): all of the cluster or an error.
             if (cluster && !complete) return call.fail(cluster_unavailable());
             std::sort(sockets.begin(), sockets.end(),
                       [](const auto& x, const auto& y) { return x.id < y.id; });
             auto first = after.empty()
                              ? sockets.begin()
                              : std::upper_bound(sockets.begin(), sockets.end(), after,
                                                 [](const std::string& a, const auto& s) {
                                                   return a < s.id;
                                                 });
             auto n = std::min<std::size_t>(limit, static_cast<std::size_t>(sockets.end() - first));
             for (auto it = first; it != first + static_cast<std::ptrdiff_t>(n); ++it)
               to_socket_info(*it, with_data, with_handshake, node, *resp->add_sockets());
             if (first + static_cast<std::ptrdiff_t>(n) != sockets.end())
               resp->set_next_page_token(
                   make_page_token((first + static_cast<std::ptrdiff_t>(n) - 1)->id));
             call.ok();
           });
         });
  return call.reactor;
}

grpc::ServerUnaryReactor* server_service::CountSockets(grpc::CallbackServerContext* ctx,
                                                       const pb::CountSocketsRequest* req,
                                                       pb::CountSocketsResponse* resp) {
  unary_call call{ctx, ctx->DefaultReactor()};
  auto id = identify(ctx);
  if (id.error) {
    call.fail(*id.error);
    return call.reactor;
  }
  select(id.who, scope::read, req->target(), [this, ctx, call, resp, local = req->target().local()](
                                                 std::variant<broadcast, rpc_error> selected) {
    if (auto* e = std::get_if<rpc_error>(&selected)) return call.fail(*e);
    if (!local && io_.options().adapter) {
      // A node that does not answer fails the count before the caller's deadline.
      auto& b = std::get<broadcast>(selected);
      b.timeout(wait_budget(ctx, options_.fetch_timeout));
      count_across_cluster(b, [call, resp](std::optional<std::size_t> n) {
        if (!n) return call.fail(cluster_unavailable());
        resp->set_sockets(static_cast<std::uint32_t>(*n));
        call.ok();
      });
      return;
    }
    std::get<broadcast>(selected).count_sockets([call, resp](std::size_t n) {
      resp->set_sockets(static_cast<std::uint32_t>(n));
      call.ok();
    });
  });
  return call.reactor;
}

// -- SetSocketData and ListRooms ------------------------------------------------

void server_service::set_data(const token* who, const pb::SetSocketDataRequest& req,
                              reply_fn<pb::SetSocketDataResponse> done) {
  find_namespace(who, scope::manage, req.namespace_(),
                 [&req, done](std::variant<namespace_ref, rpc_error> nsp) {
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
                 });
}

grpc::ServerUnaryReactor* server_service::SetSocketData(grpc::CallbackServerContext* ctx,
                                                        const pb::SetSocketDataRequest* req,
                                                        pb::SetSocketDataResponse* resp) {
  return serve(ctx, resp, [&](const token* who, reply_fn<pb::SetSocketDataResponse> done) {
    set_data(who, *req, done);
  });
}

grpc::ServerUnaryReactor* server_service::ListRooms(grpc::CallbackServerContext* ctx,
                                                    const pb::ListRoomsRequest* req,
                                                    pb::ListRoomsResponse* resp) {
  unary_call call{ctx, ctx->DefaultReactor()};
  auto id = identify(ctx);
  if (id.error) {
    call.fail(*id.error);
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
  find_namespace(id.who, scope::read, req->namespace_(), [call, resp, after, limit, prefix = req->prefix()](
                                                             std::variant<namespace_ref, rpc_error> nsp) {
    if (auto* e = std::get_if<rpc_error>(&nsp)) return call.fail(*e);
    std::get<namespace_ref>(nsp).list_rooms(
        [call, resp, after, limit, prefix](std::vector<std::pair<std::string, std::size_t>> rooms) {
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
  });
  return call.reactor;
}

// -- ServerSideEmit -----------------------------------------------------------

// From outside the server: this node's listeners and watchers get it, and
// every other node's; `receivers` counts those of this node.
void server_service::server_side_emit(const token* who, const pb::ServerSideEmitRequest& req,
                                      reply_fn<pb::ServerSideEmitResponse> done) {
  find_namespace(who, scope::emit, "/", [this, &req, done](std::variant<namespace_ref, rpc_error> nsp) {
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
  });
}

grpc::ServerUnaryReactor* server_service::ServerSideEmit(grpc::CallbackServerContext* ctx,
                                                         const pb::ServerSideEmitRequest* req,
                                                         pb::ServerSideEmitResponse* resp) {
  return serve(ctx, resp, [&](const token* who, reply_fn<pb::ServerSideEmitResponse> done) {
    server_side_emit(who, *req, done);
  });
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
  auto id = identify(ctx);
  if (id.error) {
    call.fail(*id.error);
    return call.reactor;
  }
  run_batch(std::make_shared<batch_run>(batch_run{call, id.who, req, resp, 0}));
  return call.reactor;
}

}  // namespace sio::rpc
