// The proxy: a namespace's connects, events and disconnects played by a
// BackendService over gRPC, through the same C++ API as local handlers (a
// namespace middleware, on_unhandled / on, on_disconnect). Each call's answer
// comes back on a gRPC thread and is handed to the socket's connection actor
// as a closure, so everything below that touches a socket runs there.
#include "sio/rpc/backend_proxy.hpp"

#include <algorithm>
#include <deque>

#include <caf/send.hpp>

#include "backend.hpp"
#include "convert.hpp"
#include "sio/actors/atoms.hpp"
#include "sio/actors/messages.hpp"
#include "sio/actors/metrics.hpp"

namespace sio::rpc {
namespace {

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

/// Runs `fn` inside the connection actor `conn` (dropped if it is gone).
void post(const caf::actor& conn, std::function<void()> fn) {
  caf::anon_send(conn, atoms::run::value, std::move(fn));
}

std::string normalized(const std::string& nsp) {
  return nsp.empty() || nsp.front() != '/' ? "/" + nsp : nsp;
}

struct route_state {
  server* io;
  std::shared_ptr<backend> b;
  route_options route;
};

struct queued_event {
  std::string name;
  args arguments;
  ack_sender ack;
  std::uint64_t seq = 0;
};

/// What the proxy keeps per socket; only its connection actor touches it.
struct socket_proxy {
  std::shared_ptr<const route_state> rs;
  std::weak_ptr<socket> sock;
  caf::actor conn;
  std::int64_t connected_ms = 0;
  std::uint64_t seq = 0;
  std::size_t inflight = 0;
  std::deque<queued_event> queue;
  // Whether this socket paused its connection's reading (a full queue).
  bool paused = false;
  // Calls at the backend, cancelled when the socket goes away.
  std::vector<std::shared_ptr<backend::event_call>> calls;
  bool gone = false;
};

void fail_ack(const route_options& r, const ack_sender& ack, const std::string& code,
              const std::string& message) {
  if (!ack || r.ack_error == ack_on_error::none) return;
  ack(args{json{{"error", json{{"code", code}, {"message", message}}}}});
}

// -- connect ------------------------------------------------------------------

void to_handshake(const handshake& h, const route_options& r, pb::Handshake& out) {
  auto text_of = [](const json& v) {
    return v.is_string() ? v.get<std::string>() : to_json_text(v);
  };
  if (h.headers.is_object())
    for (const auto& name : r.headers)
      if (auto it = h.headers.find(name); it != h.headers.end())
        (*out.mutable_headers())[name] = text_of(*it);
  if (h.query.is_object())
    for (const auto& [name, value] : h.query.items()) (*out.mutable_query())[name] = text_of(value);
  out.set_auth_json(h.auth.is_object() ? to_json_text(h.auth) : "{}");
  out.set_address(h.address);
  out.set_secure(h.secure);
  out.set_xdomain(h.xdomain);
  out.set_url(h.url);
  out.set_issued_unix_ms(h.issued);
}

connect_error unavailable(const std::string& code, bool retryable) {
  return connect_error{"backend unavailable", json{{"code", code}, {"retryable", retryable}}};
}

// Inside the connection actor: the backend's decision, or its failure.
void decide(const route_state& rs, socket& s, const backend::connect_call& call,
            const grpc::Status& status, const next_fn& next) {
  const auto& r = rs.route;
  auto failed = [&](const std::string& code, bool retryable) {
    if (r.on_error == connect_on_error::accept)
      next(std::nullopt);
    else
      next(unavailable(code, retryable));
  };
  if (!status.ok()) {
    rs.b->log_failure(backend::failure::connect_failed, status);
    failed(status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ? "DEADLINE_EXCEEDED"
                                                                      : "UNAVAILABLE",
           true);
    return;
  }
  const auto& answer = call.response;
  switch (answer.decision_case()) {
    case pb::ConnectResponse::kAccept: {
      const auto& accept = answer.accept();
      if (!accept.data_json().empty()) {
        auto data = parse_json(accept.data_json());
        if (!data) {
          rs.b->log_failure(backend::failure::connect_invalid,
                            grpc::Status(grpc::StatusCode::INTERNAL, "data_json is not JSON"));
          failed("UNAVAILABLE", true);
          return;
        }
        s.data() = std::move(*data);
      }
      std::vector<std::string> rooms(accept.rooms().begin(), accept.rooms().end());
      next(std::nullopt);
      // The last middleware's next() connects the socket at once; its rooms
      // are joined before anything else it does reaches the namespace.
      if (s.connected()) s.join(rooms);
      return;
    }
    case pb::ConnectResponse::kReject: {
      const auto& reject = answer.reject();
      connect_error e{reject.message(), std::nullopt};
      if (!reject.data_json().empty()) {
        auto data = parse_json(reject.data_json());
        e.data = data ? std::move(*data) : json(reject.data_json());
      }
      next(std::move(e));
      return;
    }
    default:
      next(unavailable("NO_DECISION", false));
      return;
  }
}

void ask_connect(const std::shared_ptr<const route_state>& rs, socket& s, next_fn next) {
  auto call = std::make_shared<backend::connect_call>();
  auto& req = call->request;
  req.set_socket_id(s.id());
  req.set_namespace_(s.nsp());
  to_handshake(s.handshake_info(), rs->route, *req.mutable_handshake());
  req.set_node_id(rs->route.node_id);
  req.set_transport(s.transport() == "websocket" ? pb::TRANSPORT_WEBSOCKET
                                                 : pb::TRANSPORT_POLLING);
  auto conn = s.connection();
  std::weak_ptr<socket> weak = s.weak_from_this();
  rs->b->connect(call, rs->route.connect_timeout,
                 [rs, call, conn, weak, next = std::move(next)](grpc::Status status) {
                   post(conn, [rs, call, weak, next, status] {
                     if (auto target = weak.lock()) decide(*rs, *target, *call, status, next);
                   });
                 });
}

// -- events -------------------------------------------------------------------

void start(const std::shared_ptr<socket_proxy>& p, socket& s, queued_event ev);

void pump(const std::shared_ptr<socket_proxy>& p) {
  const auto& r = p->rs->route;
  while (!p->gone && p->inflight < r.max_inflight && !p->queue.empty()) {
    auto s = p->sock.lock();
    if (!s || !s->connected()) return;
    auto ev = std::move(p->queue.front());
    p->queue.pop_front();
    metrics::add(metrics::counter::backend_queued, -1);
    // Half empty: the client may send again.
    if (p->paused && p->queue.size() <= r.max_queue / 2) {
      p->paused = false;
      s->resume_reading();
    }
    start(p, *s, std::move(ev));
  }
}

/// What an EventResponse does, checked whole before any of it happens: an
/// answer with one bad part changes nothing.
struct reply_plan {
  std::optional<json> data;
  std::optional<args> ack;
  std::vector<std::pair<broadcast, std::pair<std::string, args>>> emits;
};

std::variant<reply_plan, std::string> plan(const route_state& rs, socket& s,
                                           const pb::EventResponse& r) {
  reply_plan out;
  auto max = rs.route.max_payload_bytes;
  if (!r.set_data_json().empty()) {
    auto data = parse_json(r.set_data_json());
    if (!data) return std::string("set_data_json is not one JSON value");
    out.data = std::move(*data);
  }
  if (r.has_ack()) {
    auto values = to_args(r.ack(), max);
    if (auto* e = std::get_if<rpc_error>(&values)) return "ack: " + e->message;
    out.ack = std::move(std::get<args>(values));
  }
  for (const auto& e : r.emits()) {
    if (auto bad = check_event_name(e.event())) return "emit: " + bad->message;
    auto values = to_args(e.payload(), max);
    if (auto* err = std::get_if<rpc_error>(&values)) return "emit: " + err->message;
    auto nsp = e.target().namespace_();
    std::optional<broadcast> b;
    if (nsp.empty() || normalized(nsp) == s.nsp())
      b = s.nsp_broadcast();
    else if (auto ref = rs.io->find(nsp))
      b = ref->all();
    else
      return "emit: unknown namespace " + nsp;
    for (const auto& room : e.target().rooms()) b->to(room);
    for (const auto& room : e.target().except_rooms()) b->except(room);
    if (e.volatile_()) b->volatile_();
    out.emits.push_back({std::move(*b), {e.event(), std::move(std::get<args>(values))}});
  }
  return out;
}

// In the order of the contract: leave, join, set data, emits, ack, disconnect.
// The ack and the disconnect wait until every emit was handed to its
// recipients: an emit that reaches this socket itself then arrives before
// the ack, as the order promises.
void apply(const std::shared_ptr<socket_proxy>& p, socket& s, const pb::EventResponse& r,
           const ack_sender& ack, std::function<void()> done) {
  const auto& rs = *p->rs;
  auto planned = plan(rs, s, r);
  if (auto* why = std::get_if<std::string>(&planned)) {
    rs.b->log_failure(backend::failure::event_invalid,
                      grpc::Status(grpc::StatusCode::INTERNAL, *why));
    fail_ack(rs.route, ack, "INTERNAL", "invalid backend answer: " + *why);
    done();
    return;
  }
  auto& todo = std::get<reply_plan>(planned);
  for (const auto& room : r.leave()) s.leave(room);
  for (const auto& room : r.join()) s.join(room);
  if (todo.data) s.data() = std::move(*todo.data);
  struct rest {
    std::size_t emits_left;
    ack_sender ack;
    args reply;
    bool disconnect;
    std::weak_ptr<socket> target;
    std::function<void()> done;
    void run() {
      if (ack) ack(std::move(reply));
      if (auto t = target.lock(); t && disconnect) t->disconnect(false);
      done();
    }
  };
  auto after =
      std::make_shared<rest>(rest{todo.emits.size(), ack, todo.ack ? std::move(*todo.ack) : args{},
                                  r.disconnect(), s.weak_from_this(), std::move(done)});
  if (todo.emits.empty()) {
    after->run();
    return;
  }
  for (auto& [b, e] : todo.emits)
    b.emit(e.first, std::move(e.second), [conn = p->conn, after](std::size_t) {
      // Runs in the socket's actor or in a collector: back to the socket.
      post(conn, [after] {
        if (--after->emits_left == 0) after->run();
      });
    });
}

void finish(const std::shared_ptr<socket_proxy>& p,
            const std::shared_ptr<backend::event_call>& call, const ack_sender& ack,
            const grpc::Status& status) {
  const auto& rs = *p->rs;
  rs.b->release_slot();
  std::erase(p->calls, call);
  // The socket's slot frees once the answer acted whole (its emits may
  // take a moment), so that the next event's effects come after these.
  auto next = [p] {
    --p->inflight;
    pump(p);
  };
  auto s = p->sock.lock();
  if (p->gone || !s || !s->connected()) {
    --p->inflight;
    return;
  }
  if (status.ok()) {
    apply(p, *s, call->response, ack, std::move(next));
    return;
  }
  rs.b->log_failure(backend::failure::event_failed, status);
  fail_ack(rs.route, ack, code_name(status.error_code()), status.error_message());
  next();
}

void start(const std::shared_ptr<socket_proxy>& p, socket& s, queued_event ev) {
  const auto& rs = *p->rs;
  if (!rs.b->take_slot()) {
    fail_ack(rs.route, ev.ack, "RESOURCE_EXHAUSTED", "the backend has too many calls in flight");
    return;
  }
  auto call = std::make_shared<backend::event_call>();
  auto& req = call->request;
  req.set_socket_id(s.id());
  req.set_namespace_(s.nsp());
  req.set_event(ev.name);
  to_payload(ev.arguments, *req.mutable_payload());
  req.set_wants_ack(static_cast<bool>(ev.ack));
  req.set_seq(ev.seq);
  if (rs.route.with_data) req.set_data_json(s.data().is_null() ? "null" : to_json_text(s.data()));
  if (rs.route.with_rooms)
    for (const auto& room : s.rooms())
      if (room != s.id()) req.add_rooms(room);
  ++p->inflight;
  p->calls.push_back(call);
  rs.b->event(call, rs.route.event_timeout, [p, call, ack = ev.ack](grpc::Status status) {
    post(p->conn, [p, call, ack, status] { finish(p, call, ack, status); });
  });
}

void on_event(const std::shared_ptr<socket_proxy>& p, socket& s, const std::string& name,
              args& arguments, const ack_sender& ack) {
  queued_event ev{name, std::move(arguments), ack, ++p->seq};
  const auto& r = p->rs->route;
  auto room = r.max_queue + (r.pause_reading ? r.read_slack : 0);
  if (p->inflight < r.max_inflight) {
    start(p, s, std::move(ev));
  } else if (p->queue.size() < room) {
    p->queue.push_back(std::move(ev));
    metrics::add(metrics::counter::backend_queued);
    if (r.pause_reading && !p->paused && p->queue.size() >= r.max_queue) {
      p->paused = true;
      s.pause_reading();
    }
  } else {
    fail_ack(r, ev.ack, "RESOURCE_EXHAUSTED", "too many events waiting for the backend");
  }
}

// -- disconnect ---------------------------------------------------------------

void on_disconnect(const std::shared_ptr<socket_proxy>& p, socket& s, const std::string& reason) {
  p->gone = true;
  metrics::add(metrics::counter::backend_queued, -static_cast<std::int64_t>(p->queue.size()));
  p->queue.clear();
  if (p->paused) {
    p->paused = false;
    s.resume_reading();
  }
  for (const auto& call : p->calls) call->context.TryCancel();
  const auto& rs = *p->rs;
  if (!rs.route.disconnect) return;
  auto call = std::make_shared<backend::disconnect_call>();
  auto& req = call->request;
  req.set_socket_id(s.id());
  req.set_namespace_(s.nsp());
  req.set_reason(reason);
  for (const auto& room : s.rooms())
    if (room != s.id()) req.add_rooms(room);
  req.set_data_json(s.data().is_null() ? "null" : to_json_text(s.data()));
  req.set_connected_unix_ms(p->connected_ms);
  req.set_disconnected_unix_ms(now_ms());
  rs.b->disconnect(call, rs.route.disconnect_timeout);
}

}  // namespace

void proxy_namespace(server& io, namespace_ref nsp, std::shared_ptr<backend> b,
                     route_options route) {
  auto rs = std::make_shared<const route_state>(route_state{&io, std::move(b), std::move(route)});
  if (rs->route.connect)
    nsp.use([rs](socket& s, next_fn next) { ask_connect(rs, s, std::move(next)); });
  nsp.on_connection([rs](socket& s) {
    auto p = std::make_shared<socket_proxy>();
    p->rs = rs;
    p->sock = s.weak_from_this();
    p->conn = s.connection();
    p->connected_ms = now_ms();
    for (const auto& name : rs->route.events) {
      if (name == "*")
        s.on_unhandled([p](socket& self, const std::string& event, args& a, const ack_sender& ack) {
          on_event(p, self, event, a, ack);
        });
      else
        s.on(name, [p, name](socket& self, args& a, const ack_sender& ack) {
          on_event(p, self, name, a, ack);
        });
    }
    s.on_disconnect(
        [p](socket& self, const std::string& reason) { on_disconnect(p, self, reason); });
  });
}

}  // namespace sio::rpc
