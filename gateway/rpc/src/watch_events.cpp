#include "watch_events.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "ack_stream.hpp"
#include "auth.hpp"

namespace sio::rpc {
namespace {

constexpr std::uint32_t bit(observed_kind k) { return 1u << static_cast<unsigned>(k); }

std::optional<observed_kind> kind_of(pb::WatchKind k) {
  switch (k) {
    case pb::WATCH_KIND_CONNECT: return observed_kind::connect;
    case pb::WATCH_KIND_DISCONNECT: return observed_kind::disconnect;
    case pb::WATCH_KIND_JOIN: return observed_kind::join;
    case pb::WATCH_KIND_LEAVE: return observed_kind::leave;
    case pb::WATCH_KIND_CLIENT_EVENT: return observed_kind::client_event;
    case pb::WATCH_KIND_SERVER_SIDE_EMIT: return observed_kind::server_side_emit;
    default: return std::nullopt;
  }
}

std::int64_t unix_ms(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

struct watcher_state {
  watch_settings settings;
  observation_hook* hook = nullptr;
  grpc::CallbackServerContext* ctx = nullptr;
  stream_out<pb::WatchEventsResponse> out;
  std::function<void()> ended;
  std::uint64_t seq = 0;
  // Messages dropped since the last one that went out; their numbers are taken.
  std::uint64_t dropped = 0;
};

using watcher_actor = caf::stateful_actor<watcher_state>;

bool wanted(const watcher_state& st, const observed_event& e) {
  const auto& s = st.settings;
  if (!(s.kinds & bit(e.kind))) return false;
  if (!s.namespaces.empty() &&
      std::find(s.namespaces.begin(), s.namespaces.end(), e.nsp) == s.namespaces.end())
    return false;
  if (!s.event_names.empty() &&
      (e.kind == observed_kind::client_event || e.kind == observed_kind::server_side_emit) &&
      !s.event_names.count(e.name))
    return false;
  return !authorizer::allow(s.who, scope::watch, e.nsp);
}

pb::WatchEventsResponse message_of(const watcher_state& st, const observed_event& e) {
  pb::WatchEventsResponse m;
  m.set_time_unix_ms(unix_ms(e.time));
  m.set_namespace_(e.nsp);
  m.set_socket_id(e.socket_id);
  switch (e.kind) {
    case observed_kind::connect:
      to_socket_info(e.socket, true, true, st.settings.node_id, *m.mutable_connected());
      break;
    case observed_kind::disconnect: {
      auto* d = m.mutable_disconnected();
      d->set_reason(e.name);
      for (const auto& room : e.socket.rooms) d->add_rooms(room);
      break;
    }
    case observed_kind::join: m.set_joined(e.name); break;
    case observed_kind::leave: m.set_left(e.name); break;
    case observed_kind::client_event: {
      auto* c = m.mutable_client_event();
      c->set_event(e.name);
      c->set_wants_ack(e.wants_ack);
      if (st.settings.include_payload) to_payload(e.payload, *c->mutable_payload());
      break;
    }
    case observed_kind::server_side_emit: {
      auto* c = m.mutable_server_side_emit();
      c->set_event(e.name);
      if (st.settings.include_payload) to_payload(e.payload, *c->mutable_payload());
      break;
    }
  }
  return m;
}

bool has_room(const watcher_state& st) { return st.out.queued() < st.settings.buffer; }

// The gap that tells how many were dropped, once there is room for it.
void send_gap(watcher_state& st) {
  if (st.dropped == 0 || !has_room(st)) return;
  pb::WatchEventsResponse m;
  m.set_seq(++st.seq);
  m.set_time_unix_ms(unix_ms(std::chrono::system_clock::now()));
  m.mutable_gap()->set_dropped(st.dropped);
  st.dropped = 0;
  st.out.push(std::move(m));
}

void offer(watcher_state& st, pb::WatchEventsResponse m) {
  send_gap(st);
  if (!has_room(st)) {
    if (st.settings.close_on_overflow) {
      st.ctx->AddTrailingMetadata("sio-error-reason", "WATCHER_TOO_SLOW");
      st.out.abort(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                "the watcher did not read fast enough for its buffer"));
      return;
    }
    ++st.seq;  // the dropped message's number is taken
    ++st.dropped;
    return;
  }
  m.set_seq(++st.seq);
  st.out.push(std::move(m));
}

caf::behavior watcher(watcher_actor* self, observation_hook* hook, watch_settings settings,
                      grpc::CallbackServerContext* ctx, watch_reactor* reactor,
                      std::function<void()> ended) {
  auto& init = self->state;
  init.settings = std::move(settings);
  init.hook = hook;
  init.ctx = ctx;
  init.out = stream_out<pb::WatchEventsResponse>(reactor);
  init.ended = std::move(ended);
  // Once Finish was called the actor has nothing left to do.
  auto check_end = [self] {
    auto& st = self->state;
    if (!st.out.finished()) return;
    st.hook->unwatch(caf::actor_cast<caf::actor>(self));
    if (st.ended) st.ended();
    st.ended = nullptr;
    self->quit();
  };
  return {
      [self, reactor](atoms::begin) {
        auto& st = self->state;
        st.hook->watch(caf::actor_cast<caf::actor>(self));
        // Headers tell the caller that everything from now on reaches it.
        reactor->StartSendInitialMetadata();
        self->delayed_send(self, st.settings.heartbeat, atoms::beat::value);
      },
      [self, check_end](sio::atoms::observed, const observed_ptr& e) {
        auto& st = self->state;
        if (!st.out.open() || !wanted(st, *e)) return;
        offer(st, message_of(st, *e));
        check_end();
      },
      [self, check_end](atoms::written, bool ok) {
        auto& st = self->state;
        st.out.on_written(ok);
        if (ok && st.out.open()) send_gap(st);
        check_end();
      },
      [self, check_end](atoms::beat) {
        auto& st = self->state;
        if (!st.out.open()) return;
        // Only a quiet stream needs one.
        if (st.out.idle() && st.dropped == 0) {
          pb::WatchEventsResponse m;
          m.set_seq(++st.seq);
          m.set_time_unix_ms(unix_ms(std::chrono::system_clock::now()));
          m.mutable_heartbeat();
          st.out.push(std::move(m));
        }
        self->delayed_send(self, st.settings.heartbeat, atoms::beat::value);
        check_end();
      },
      [self, check_end](atoms::cancelled) {
        self->state.out.abort(grpc::Status::CANCELLED);
        check_end();
      },
      // Instead of begin: the request named what does not exist.
      [self, check_end](atoms::fail, const rpc_error& e) {
        auto& st = self->state;
        if (st.out.open()) {
          st.ctx->AddTrailingMetadata("sio-error-reason", e.reason);
          st.out.abort(grpc::Status(e.code, e.message));
        }
        check_end();
      },
      [self, check_end](atoms::shut_down) {
        auto& st = self->state;
        if (st.out.open()) {
          st.ctx->AddTrailingMetadata("sio-error-reason", "SHUTTING_DOWN");
          st.out.abort(grpc::Status(grpc::StatusCode::UNAVAILABLE, "the server is shutting down"));
        }
        check_end();
      },
  };
}

}  // namespace

std::variant<watch_settings, rpc_error> read_watch_request(const pb::WatchEventsRequest& req,
                                                           const token* who,
                                                           const rpc_options& options) {
  watch_settings s;
  s.who = who;
  s.node_id = options.node_id;
  for (const auto& given : req.namespaces()) {
    auto name = given.empty() || given.front() != '/' ? "/" + given : given;
    if (auto denied = authorizer::allow(who, scope::watch, name)) return *denied;
    s.namespaces.push_back(std::move(name));
  }
  if (req.namespaces().empty())
    if (auto denied = authorizer::allow(who, scope::watch, "")) return *denied;
  for (int k : req.kinds()) {
    auto kind = kind_of(static_cast<pb::WatchKind>(k));
    if (!kind) return invalid("BAD_WATCH_KIND", "kinds holds an unknown WatchKind");
    s.kinds |= bit(*kind);
  }
  if (s.kinds == 0)
    s.kinds = bit(observed_kind::connect) | bit(observed_kind::disconnect) |
              bit(observed_kind::join) | bit(observed_kind::leave) |
              bit(observed_kind::server_side_emit);
  s.event_names.insert(req.event_names().begin(), req.event_names().end());
  s.include_payload = req.include_payload();
  s.buffer = req.buffer() == 0 ? options.default_watch_buffer : req.buffer();
  if (s.buffer > options.max_watch_buffer)
    return invalid("BAD_BUFFER",
                   "buffer may be at most " + std::to_string(options.max_watch_buffer));
  s.close_on_overflow = req.overflow() == pb::WATCH_OVERFLOW_CLOSE;
  s.heartbeat = std::chrono::milliseconds(req.heartbeat_ms() == 0 ? 15000 : req.heartbeat_ms());
  return s;
}

caf::actor spawn_watcher(caf::actor_system& sys, observation_hook& hook, watch_settings settings,
                         grpc::CallbackServerContext* ctx, watch_reactor* reactor,
                         std::function<void()> ended) {
  return sys.spawn(watcher, &hook, std::move(settings), ctx, reactor, std::move(ended));
}

}  // namespace sio::rpc
