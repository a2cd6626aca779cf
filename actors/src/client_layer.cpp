// The Socket.IO side of one connection, after the reference's lib/client.ts
// (routing, connect timeout) and lib/namespace.ts (middlewares, connect).
#include "client_layer.hpp"

#include <atomic>
#include <cstdio>
#include <ctime>
#include <exception>

#include "sio/actors/atoms.hpp"
#include "sio/actors/messages.hpp"
#include "sio/actors/metrics.hpp"
#include "sio/actors/session_registry.hpp"

namespace sio::detail {
namespace {

namespace sp = socketio;

// The most a thread keeps of its last packet's encoding (see send_packet).
constexpr std::size_t kept_encoding_capacity = 64 * 1024;

std::atomic<std::uint64_t> next_socket_key{1};

// JavaScript's `new Date() + ""`, in UTC.
std::string js_date_string(std::chrono::system_clock::time_point t) {
  auto seconds = std::chrono::system_clock::to_time_t(t);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buf[96];
  std::strftime(buf, sizeof buf, "%a %b %d %Y %H:%M:%S GMT+0000 (Coordinated Universal Time)",
                &utc);
  return buf;
}

sp::limits decoder_limits(const server_state& s) {
  return {s.options.max_attachments, s.options.max_json_depth, s.max_packet_bytes};
}

// The reference's RECOVERABLE_DISCONNECT_REASONS.
bool recoverable(const std::string& reason) {
  return reason == "transport error" || reason == "transport close" || reason == "forced close" ||
         reason == "ping timeout" || reason == "server shutting down" ||
         reason == "forced server close";
}

}  // namespace

client_layer::client_layer(std::shared_ptr<const server_state> server)
    : server_(std::move(server)), decoder_(decoder_limits(*server_)) {}

client_layer::~client_layer() {
  // Normally on_close disconnected every socket already; an actor that was
  // killed never got there.
  for (auto& s : sockets_) {
    s->connected_ = false;
    s->client_ = nullptr;
  }
  for (auto& [nsp, s] : connecting_)
    if (s) s->client_ = nullptr;
}

const caf::message_handler* client_layer::shared_behavior() const {
  static const caf::message_handler cases{
      [](atoms::connect_timeout) { running().on_connect_timeout(); },
      [](atoms::deliver, std::uint64_t key, const frame_batch& frames, const event_ptr& event) {
        running().on_deliver(key, frames, event);
      },
      // A counted volatile broadcast: answers whether the socket took it.
      [](atoms::deliver, atoms::count, std::uint64_t key, const frame_batch& frames,
         const event_ptr& event) { return running().on_deliver(key, frames, event); },
      [](atoms::deliver_run, std::uint64_t key, const delivery_run& run) {
        running().on_deliver_run(key, run);
      },
      [](atoms::deliver_ack, std::uint64_t key, const frame_batch& frames, std::uint64_t id,
         const caf::actor& collector) { running().on_deliver_ack(key, frames, id, collector); },
      [](atoms::deliver_acks, std::uint64_t key, const std::shared_ptr<const broadcast_request>& req,
         const std::string& sid) { running().on_deliver_acks(key, req, sid); },
      [](atoms::fetch, std::uint64_t key, const caf::actor& collector) {
        running().on_fetch(key, collector);
      },
      [](atoms::socket_command, std::uint64_t key, const socket_command& cmd) {
        running().on_socket_command(key, cmd);
      },
      [](atoms::run, std::function<void()>& closure) { closure(); },
      [](atoms::ack_timeout, std::uint64_t key, std::uint64_t id) {
        running().on_ack_timeout(key, id);
      },
      [](atoms::replay, std::uint64_t key, std::vector<frame>& missed) {
        running().on_replay(key, std::move(missed));
      },
      [](atoms::handed_out) { running().on_handed_out(); },
  };
  return &cases;
}

client_layer& client_layer::running() noexcept {
  return static_cast<client_layer&>(running_handler());
}

void client_layer::on_connect_timeout() {
  if (!ever_connected_ && connecting_.empty()) fail("connect timeout");
}

bool client_layer::on_deliver(std::uint64_t key, const frame_batch& frames,
                              const event_ptr& event) {
  auto* target = by_key(key);
  if (!target) return false;
  auto s = *target;
  if (!accepts_delivery(*s, event)) return false;
  metrics::add(metrics::counter::deliveries);
  if (event && unstamped_only()) {
    deliver_frames(*encode_event(s->nsp(), event->name, event->arguments));
    return true;
  }
  deliver_frames(*frames);
  return true;
}

// With recovery on, broadcasts are shared with an offset stamped on: a plain
// WebSocket client, which has no session to come back for, gets each event
// as it was emitted.
bool client_layer::unstamped_only() const {
  return options().connection_state_recovery && plain();
}

void client_layer::on_deliver_run(std::uint64_t key, const delivery_run& run) {
  auto* target = by_key(key);
  if (!target) return;
  auto s = *target;  // an outgoing listener may disconnect it
  std::vector<frame> frames;
  frames.reserve(run->size());
  std::int64_t delivered = 0;
  bool unstamped = unstamped_only();
  for (const auto& d : *run) {
    if (accepts_delivery(*s, d.event)) {
      const auto& batch = unstamped && d.event
                              ? encode_event(s->nsp(), d.event->name, d.event->arguments)
                              : d.frames;
      frames.insert(frames.end(), batch->begin(), batch->end());
      ++delivered;
    }
  }
  if (frames.empty()) return;
  metrics::add(metrics::counter::deliveries, delivered);
  deliver_frames(std::move(frames));
}

void client_layer::on_deliver_ack(std::uint64_t key, const frame_batch& frames, std::uint64_t id,
                                  const caf::actor& collector) {
  auto* it = by_key(key);
  if (!it) return;
  (*it)->pending_acks_.emplace(id, [collector](ack_status status, args reply) {
    if (status == ack_status::acked)
      caf::anon_send(collector, atoms::reply::value, std::move(reply));
  });
  deliver_frames(*frames);
}

void client_layer::on_deliver_acks(std::uint64_t key,
                                   const std::shared_ptr<const broadcast_request>& req,
                                   const std::string& sid) {
  const auto& collector = req->ack_collector;
  auto* it = by_key(key);
  if (!it) {
    caf::anon_send(collector, atoms::reply::value,
                   socket_ack{sid, ack_status::disconnected, {}, {}});
    return;
  }
  auto s = *it;
  if (!accepts_delivery(*s, req->event)) {
    caf::anon_send(collector, atoms::reply::value, socket_ack{sid, ack_status::dropped, {}, {}});
    return;
  }
  auto sent = std::chrono::steady_clock::now();
  s->pending_acks_.emplace(req->ack_id, [collector, sid, sent](ack_status status, args reply) {
    socket_ack ack{sid, status, std::move(reply), {}};
    if (status == ack_status::acked)
      ack.latency = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - sent);
    caf::anon_send(collector, atoms::reply::value, std::move(ack));
  });
  // The socket's own timer frees the entry if the client never answers; it
  // fires after the collector gave up, so the collector's timeout decides.
  start_ack_timer(*s, req->ack_id, req->ack_timeout + std::chrono::seconds(1));
  deliver_frames(*req->frames);
}

void client_layer::on_fetch(std::uint64_t key, const caf::actor& collector) {
  auto* it = by_key(key);
  if (!it) {
    // It left after the namespace selected it: the collector stops waiting for it.
    self()->send(collector, atoms::gone::value);
    return;
  }
  const socket& s = **it;
  remote_socket snapshot;
  snapshot.id = s.id();
  snapshot.nsp = s.nsp();
  snapshot.handshake_info = s.handshake_info();
  snapshot.rooms = s.rooms();
  snapshot.data = s.data_;
  snapshot.transport = s.transport();
  snapshot.connection = caf::actor_cast<caf::actor>(self());
  snapshot.key = key;
  self()->send(collector, atoms::reply::value, std::move(snapshot));
}

void client_layer::on_socket_command(std::uint64_t key, const socket_command& cmd) {
  auto* it = by_key(key);
  if (!it) {
    if (cmd.reply_to) self()->send(cmd.reply_to, atoms::gone::value);
    return;
  }
  auto s = *it;
  switch (cmd.what) {
    case socket_command::kind::join:
      if (cmd.membership_done)
        for (const auto& room : cmd.rooms) s->note_joined(room);
      else
        s->join(cmd.rooms);
      break;
    case socket_command::kind::leave:
      for (const auto& room : cmd.rooms) {
        if (cmd.membership_done)
          s->note_left(room);
        else
          s->leave(room);
      }
      break;
    case socket_command::kind::disconnect:
      s->disconnect(cmd.close);
      break;
    case socket_command::kind::emit:
      if (cmd.frames) deliver_frames(*cmd.frames);
      break;
    case socket_command::kind::set_data:
      if (cmd.merge)
        s->data_.merge_patch(cmd.data);
      else
        s->data_ = cmd.data;
      if (cmd.reply_to) self()->send(cmd.reply_to, atoms::reply::value, s->data_);
      break;
  }
}

void client_layer::on_ack_timeout(std::uint64_t key, std::uint64_t id) {
  auto* it = by_key(key);
  if (!it) return;
  if (auto callback = (*it)->take_ack(id)) callback(ack_status::timed_out, {});
}

void client_layer::on_open(engine_session& s) {
  session_ = &s;
  connect_deadline_ = self()->clock().now() + options().connect_timeout;
  arm_connect_timeout_if_due(s.ping_interval());  // when the first ping leaves
}

// After a ping, the next one leaves at the latest a ping timeout (for the
// pong) and a ping interval later, or the session has ended.
void client_layer::on_ping(engine_session& s) {
  arm_connect_timeout_if_due(s.ping_interval() + s.ping_timeout());
  // A binary packet whose attachments never came holds its parts: the
  // pings time it, so no packet needs a timer of its own.
  auto limit = options().binary_completion_timeout;
  if (!closed_ && decoder_.pending() && limit.count() > 0 &&
      self()->clock().now() - binary_since_ > limit) {
    closed_ = true;
    decoder_.reset();
    release_held();
    session_->close();
  }
}

// The reference's connect timeout without a timer per connection (a CAF timer
// holds about 0.2 KiB until it fires): the pings are the clock, and the timer
// is armed only once the deadline may come before the next ping. A client
// that connects a namespace at once, as nearly all do, never needs it.
void client_layer::arm_connect_timeout_if_due(std::chrono::milliseconds next_ping_within) {
  if (ever_connected_ || connect_timer_armed_ || closed_) return;
  auto left = connect_deadline_ - self()->clock().now();
  if (left > next_ping_within) return;
  connect_timer_armed_ = true;
  auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(left);
  self()->delayed_send(self(), std::max(delay, std::chrono::milliseconds{0}),
                       atoms::connect_timeout::value);
}

void client_layer::on_message(engine_session&, std::string data, bool binary) {
  if (closed_) return;
  auto decoded = binary ? decoder_.feed_binary(std::move(data)) : decoder_.feed_text(data);
  if (!decoded) {
    // As the reference: a packet that does not decode ends the connection,
    // and its sockets, for a reason that keeps nothing for recovery.
    auto sockets = sockets_;
    for (auto& s : sockets) close_socket(*s, "parse error");
    closed_ = true;
    release_held();
    session_->close();
    return;
  }
  if (decoded->has_value()) {
    on_packet(std::move(**decoded));
  } else if (!binary) {
    binary_since_ = self()->clock().now();  // a binary packet waits for its attachments
  }
}

void client_layer::on_packet(sp::packet p) {
  auto* it = by_nsp(p.nsp);
  if (!it && p.type == sp::packet_type::connect && !connecting(p.nsp)) {
    connect(p.nsp, p.data ? std::move(*p.data) : json::object());
    return;
  }
  if (it && p.type != sp::packet_type::connect && p.type != sp::packet_type::connect_error) {
    auto s = *it;
    switch (p.type) {
      case sp::packet_type::event:
      case sp::packet_type::binary_event:
        if (auto rate = options().max_events_per_second; rate > 0) {
          auto burst = options().event_burst;
          if (burst == 0) burst = static_cast<std::size_t>(std::max(1.0, rate));
          if (!event_rate_.admit(self()->clock().now(), rate, burst)) {
            metrics::add(metrics::counter::events_rate_limited);
            break;
          }
        }
        on_event(*s, p);
        break;
      case sp::packet_type::ack:
      case sp::packet_type::binary_ack:
        on_ack(*s, p);
        break;
      case sp::packet_type::disconnect:
        close_socket(*s, "client namespace disconnect");
        break;
      default:
        break;
    }
    return;
  }
  fail("invalid state");
}

void client_layer::connect(const std::string& nsp, json auth) {
  auto most = options().max_namespaces_per_connection;
  if (most > 0 && sockets_.size() + connecting_.size() >= most) {
    sp::packet p;
    p.type = sp::packet_type::connect_error;
    p.nsp = nsp;
    p.data = json{{"message", "Too many namespaces"}};
    send_packet(p);
    return;
  }
  if (auto it = server_->namespaces.find(nsp); it != server_->namespaces.end()) {
    admit(it->second, nsp, std::move(auth));
    return;
  }
  auto refuse = [this, nsp] {
    sp::packet p;
    p.type = sp::packet_type::connect_error;
    p.nsp = nsp;
    p.data = json{{"message", "Invalid namespace"}};
    send_packet(p);
  };
  if (server_->dynamic.empty()) {
    refuse();
    return;
  }
  // Packets for it wait for the answer, as they do during middlewares.
  connecting_.emplace_back(nsp, nullptr);
  self()
      ->request(server_->directory, caf::infinite, atoms::get_namespace::value, nsp, auth)
      .then(
          [this, nsp, auth](caf::actor& actor, std::uint64_t index) mutable {
            stop_connecting(nsp);
            if (closed_) return;
            namespace_entry entry{server_->dynamic.at(index).config, std::move(actor)};
            admit(std::move(entry), nsp, std::move(auth));
          },
          [this, nsp, refuse](caf::error&) {
            stop_connecting(nsp);
            if (!closed_) refuse();
          });
}

void client_layer::admit(namespace_entry entry, const std::string& nsp, json auth) {
  if (!auth.is_object()) auth = json::object();
  auto pid = auth.find("pid");
  if (!options().connection_state_recovery || pid == auth.end() || !pid->is_string()) {
    start_socket(std::move(entry), nsp, std::move(auth), nullptr);
    return;
  }
  // The client asks to recover: its namespace holds the session, if any.
  // Packets for the namespace wait meanwhile, as during middlewares.
  auto offset = auth.find("offset");
  json at = offset != auth.end() ? *offset : json();
  connecting_.emplace_back(nsp, nullptr);
  self()
      ->request(entry.actor, caf::infinite, atoms::claim::value, pid->get<std::string>(), at)
      .then(
          [this, entry, nsp, auth](claimed_ptr& claimed) mutable {
            stop_connecting(nsp);
            if (closed_) {
              // The client went again at once: it may come back once more.
              if (claimed) forget_claim(entry.actor, *claimed);
              return;
            }
            start_socket(std::move(entry), nsp, std::move(auth), std::move(claimed));
          },
          [this, nsp](caf::error&) { stop_connecting(nsp); });
}

void client_layer::start_socket(namespace_entry entry, const std::string& nsp, json auth,
                                claimed_ptr claimed) {
  auto key = next_socket_key.fetch_add(1, std::memory_order_relaxed);
  auto s = std::make_shared<socket>(*this, claimed ? claimed->sid : make_session_id(), nsp,
                                    entry.actor, key, std::move(auth));
  const auto& recovery = options().connection_state_recovery;
  if (recovery && !plain())
    s->pid_ = claimed ? claimed->pid : make_session_id();
  if (claimed) {
    s->recovered_ = true;
    s->first_offset_ = claimed->first_offset;
    s->data_ = claimed->data;
    for (const auto& room : claimed->rooms)
      if (room != s->id()) s->note_joined(room);
  }
  connecting_.emplace_back(nsp, s);
  if (claimed && recovery->skip_middlewares) {
    finish_connect(std::move(s), entry.config);
    return;
  }
  run_middlewares(std::move(s), entry.config, 0);
}

// A claimed session whose socket will not be: the namespace drops it, as a
// session is restored at most once.
void client_layer::forget_claim(const caf::actor& nsp_actor, const claimed_session& claimed) {
  self()->send(nsp_actor, atoms::forget::value, claimed.pid);
}

// Middlewares may answer later (next() from a timer or a request of this
// actor), so each step checks that the connection is still there.
void client_layer::run_middlewares(std::shared_ptr<socket> s,
                                   std::shared_ptr<const namespace_config> config,
                                   std::size_t index) {
  if (index == config->middlewares.size()) {
    finish_connect(std::move(s), std::move(config));
    return;
  }
  auto next = [this, s, config, index](std::optional<connect_error> error) {
    auto* pending = connecting(s->nsp());
    if (closed_ || !pending || *pending != s) return;
    if (error) {
      stop_connecting(s->nsp());
      if (s->recovered_) self()->send(s->nsp_actor_, atoms::forget::value, s->pid_);
      s->client_ = nullptr;
      sp::packet p;
      p.type = sp::packet_type::connect_error;
      p.nsp = s->nsp();
      json data = json{{"message", error->message}};
      if (error->data) data["data"] = *error->data;
      p.data = std::move(data);
      send_packet(p);
      return;
    }
    run_middlewares(s, config, index + 1);
  };
  config->middlewares[index](*s, std::move(next));
}

void client_layer::finish_connect(std::shared_ptr<socket> s,
                                  std::shared_ptr<const namespace_config> config) {
  stop_connecting(s->nsp());
  if (closed_) return;
  s->connected_ = true;
  s->in_own_room_ = true;
  if (!s->recovered_) s->first_offset_ = upcoming_offset();
  sockets_.push_back(s);
  metrics::bump(metrics::local().sockets_joined[metrics::namespace_slot(s->nsp())]);
  ever_connected_ = true;
  if (s->recovered_) {
    // Back in its rooms, then the events it missed, then CONNECT: the
    // namespace answers with (replay, key, missed) first.
    awaiting_replay_.emplace_back(s->key_, std::move(config));
    self()->send(s->nsp_actor_, atoms::restore::value, s->pid_, s->id(), s->key_,
                 caf::actor_cast<caf::actor>(self()));
    observe_connect(*s);
    return;
  }
  self()->send(s->nsp_actor_, atoms::add_socket::value, s->id(), s->key_,
               caf::actor_cast<caf::actor>(self()));
  observe_connect(*s);
  announce(s, config);
}

void client_layer::observe_connect(const socket& s) {
  const auto& hook = *server_->hook;
  if (!hook.watched()) return;
  observed_event e;
  e.kind = observed_kind::connect;
  e.nsp = s.nsp();
  e.socket_id = s.id();
  e.socket.id = s.id();
  e.socket.nsp = s.nsp();
  e.socket.handshake_info = s.handshake_info();
  e.socket.rooms = s.rooms();
  e.socket.data = s.data_;
  e.socket.transport = s.transport();
  hook.notify(std::move(e));
}

void client_layer::on_replay(std::uint64_t key, std::vector<frame> missed) {
  auto waiting = std::find_if(awaiting_replay_.begin(), awaiting_replay_.end(),
                              [key](const auto& w) { return w.first == key; });
  if (waiting == awaiting_replay_.end()) return;
  auto config = std::move(waiting->second);
  awaiting_replay_.erase(waiting);
  auto* it = by_key(key);
  if (!it) return;
  announce(*it, config, std::move(missed));
}

// CONNECT, then the namespace's connection handlers.
void client_layer::announce(std::shared_ptr<socket> s,
                            const std::shared_ptr<const namespace_config>& config,
                            std::vector<frame> before) {
  sp::packet p;
  p.type = sp::packet_type::connect;
  p.nsp = s->nsp();
  p.data = json{{"sid", s->id()}};
  if (!s->pid_.empty()) (*p.data)["pid"] = s->pid_;
  if (before.empty()) {
    send_packet(p);
  } else {
    // The missed events and CONNECT leave together (one poll answers them).
    sp::encoded out;
    if (sp::encode(p, out)) before.push_back(frame::text("4" + out.text));
    deliver_frames(std::move(before));
  }
  for (const auto& handler : config->on_connection) {
    if (!s->connected()) break;
    try {
      handler(*s);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "sio: a connection handler of %s threw: %s\n", s->nsp().c_str(),
                   e.what());
    }
  }
  // Listeners are added here nearly always, and kept for the socket's life:
  // without the slack of the list's growth.
  s->handlers_.shrink_to_fit();
}

void client_layer::on_event(socket& s, sp::packet& p) {
  if (!p.data || !p.data->is_array() || p.data->empty()) return;
  metrics::add(metrics::counter::events_in);
  auto name = p.event_name();
  args arguments(std::move(p.data->get_ref<json::array_t&>()));
  arguments.erase(arguments.begin());
  ack_sender ack;
  if (p.id)
    ack.owed_ =
        std::make_shared<ack_sender::owed>(ack_sender::owed{this, s.shared_from_this(), *p.id});
  if (const auto& hook = *server_->hook; hook.watched()) {
    observed_event e;
    e.kind = observed_kind::client_event;
    e.nsp = s.nsp();
    e.socket_id = s.id();
    e.name = name;
    e.payload = arguments;
    e.wants_ack = p.id.has_value();
    hook.notify(std::move(e));
  }
  try {
    dispatch_event(s, name, std::move(arguments), ack);
  } catch (const std::exception& e) {
    // The application's own error: the connection and every other socket go on.
    std::fprintf(stderr, "sio: a handler of the event '%s' in %s threw: %s\n", name.c_str(),
                 s.nsp().c_str(), e.what());
  }
}

// Catch-all listeners, per-packet middlewares, then the event's handlers.
void client_layer::dispatch_event(socket& s, const std::string& name, args arguments,
                                  const ack_sender& ack) {
  for (const auto& any : s.listeners().any) any(s, name, arguments);

  if (s.listeners().middlewares.empty()) {
    run_handlers(s, name, arguments, ack);
    return;
  }
  // Per-packet middlewares, then the handlers of the event. Either may come
  // later than this call: what they need is shared.
  auto target = s.shared_from_this();
  auto shared_arguments = std::make_shared<args>(std::move(arguments));
  auto dispatch = std::make_shared<std::function<void(std::size_t)>>();
  *dispatch = [target, arguments = shared_arguments, name, ack, dispatch](std::size_t index) {
    if (!target->connected()) return;
    const auto& middlewares = target->listeners().middlewares;
    if (index < middlewares.size()) {
      middlewares[index](*target, name, *arguments,
                         [target, dispatch, index](std::optional<connect_error> e) {
                           if (e) {
                             for (const auto& h : target->listeners().error) h(*target, *e);
                             *dispatch = nullptr;
                             return;
                           }
                           if (*dispatch) (*dispatch)(index + 1);
                         });
      return;
    }
    run_handlers(*target, name, *arguments, ack);
    *dispatch = nullptr;  // breaks the self-reference
  };
  (*dispatch)(0);
}

void client_layer::send_ack(const socket& target, std::uint64_t id, args reply) {
  sp::packet answer;
  answer.type = sp::packet_type::ack;
  answer.nsp = target.nsp();
  answer.id = id;
  answer.data = json(std::move(reply));
  send_packet(answer);
  // Destroying an array that has elements allocates a stack for them
  // (nlohmann's iterative destroy); emptied first, it does not.
  answer.data->get_ref<json::array_t&>().clear();
}

// As an EventEmitter: the handlers there when the event came all run, even
// if one disconnects the socket; one may register more (the list grows), so
// each runs from a copy.
void client_layer::run_handlers(socket& s, const std::string& name, args& arguments,
                                const ack_sender& ack) {
  bool handled = false;
  for (std::size_t i = 0, n = s.handlers_.size(); i < n; ++i) {
    if (s.handlers_[i].first != name) continue;
    handled = true;
    auto handler = s.handlers_[i].second;
    handler(s, arguments, ack);
  }
  if (handled) return;
  const auto& unhandled = s.listeners().unhandled;
  for (std::size_t i = 0, n = unhandled.size(); i < n; ++i) {
    auto handler = unhandled[i];
    handler(s, name, arguments, ack);
  }
}

void client_layer::on_ack(socket& s, sp::packet& p) {
  if (!p.id) return;
  auto callback = s.take_ack(*p.id);
  if (!callback) return;
  metrics::add(metrics::counter::acks_in);
  args reply;
  if (p.data && p.data->is_array()) reply = std::move(p.data->get_ref<json::array_t&>());
  callback(ack_status::acked, std::move(reply));
}

void client_layer::send_packet(const sp::packet& p) {
  if (closed_ && p.type != sp::packet_type::disconnect) return;
  // Encoded where the thread's last packet was, then copied once into a
  // text of its exact size: growing a fresh string would allocate again
  // and again, and keep the slack in the frame.
  thread_local sp::encoded out;
  if (!sp::encode(p, out)) return;  // nested deeper than any client could read
  std::string text;
  text.reserve(out.text.size() + 1);
  text.push_back('4');
  text.append(out.text);
  // Sending may close the session, whose handlers may send again.
  auto attachments = std::move(out.attachments);
  out.attachments.clear();
  if (out.text.capacity() > kept_encoding_capacity) std::string().swap(out.text);
  write(frame::text(std::move(text)));
  for (auto& a : attachments) write(frame::bytes(std::move(a)));
}

std::shared_ptr<socket>* client_layer::by_key(std::uint64_t key) {
  for (auto& s : sockets_)
    if (s->key_ == key) return &s;
  return nullptr;
}

std::shared_ptr<socket>* client_layer::by_nsp(const std::string& nsp) {
  for (auto& s : sockets_)
    if (s->nsp() == nsp) return &s;
  return nullptr;
}

std::shared_ptr<socket>* client_layer::connecting(const std::string& nsp) {
  for (auto& [name, s] : connecting_)
    if (name == nsp) return &s;
  return nullptr;
}

void client_layer::drop_connecting() {
  // An entry without a socket waits for the directory of dynamic namespaces.
  for (auto& [nsp, s] : connecting_)
    if (s) s->client_ = nullptr;
  connecting_.clear();
}

void client_layer::stop_connecting(const std::string& nsp) {
  std::erase_if(connecting_, [&](const auto& entry) { return entry.first == nsp; });
  // Nearly always empty from now on: keep no room for the connection's life.
  if (connecting_.empty()) decltype(connecting_)().swap(connecting_);
}

bool client_layer::accepts_delivery(socket& s, const event_ptr& event) {
  if (!event) return true;
  if (event->is_volatile && !session_->writable()) {
    metrics::add(metrics::counter::volatile_dropped);
    return false;
  }
  // The reference tells the recipient's outgoing listeners of broadcasts too.
  for (const auto& h : s.listeners().any_outgoing) h(s, event->name, event->arguments);
  return true;
}

void client_layer::send_frames(std::vector<frame> frames) {
  if (handouts_due_ == 0) return session_->send_all(std::move(frames));
  for (auto& f : frames) hold(std::move(f));
}

void client_layer::deliver_frames(std::vector<frame> frames) {
  session_->send_all(std::move(frames));
}

void client_layer::write(frame f) {
  if (handouts_due_ == 0)
    session_->send(std::move(f));
  else
    hold(std::move(f));
}

// Made on the first frame that waits: a broadcast its handler follows with
// nothing of its own (the usual publisher) allocates nothing.
void client_layer::hold(frame f) {
  if (!held_) held_ = std::make_unique<std::vector<frame>>();
  held_->push_back(std::move(f));
}

// A handler starts a broadcast: the connection's next writes wait until the
// namespace (or the room's actor) handed it out, which it does after the
// event is in every recipient's mailbox, this connection's included.
bool client_layer::await_handout() {
  if (closed_) return false;
  ++handouts_due_;
  return true;
}

void client_layer::on_handed_out() {
  if (handouts_due_ == 0 || --handouts_due_ > 0) return;
  release_held();
}

void client_layer::release_held() {
  handouts_due_ = 0;
  auto held = std::move(held_);
  if (held && !held->empty() && session_) session_->send_all(std::move(*held));
}

void client_layer::start_ack_timer(socket& s, std::uint64_t id, std::chrono::milliseconds timeout) {
  self()->delayed_send(self(), timeout, atoms::ack_timeout::value, s.key_, id);
}

void client_layer::close_socket(socket& s, const std::string& reason) {
  if (!s.connected()) return;
  auto keep = s.shared_from_this();
  for (const auto& h : s.listeners().disconnecting) h(s, reason);
  // As the reference: a socket whose connection failed or was cut keeps its
  // state for its client to come back; one that left on purpose does not.
  if (!s.pid_.empty() && recoverable(reason)) {
    auto rooms = s.rooms();
    self()->send(s.nsp_actor_, atoms::persist::value, s.pid_, s.id(),
                 std::vector<std::string>(rooms.begin(), rooms.end()), s.data_, s.first_offset_);
  }
  self()->send(s.nsp_actor_, atoms::remove_socket::value, s.id());
  if (const auto& hook = *server_->hook; hook.watched()) {
    observed_event e;
    e.kind = observed_kind::disconnect;
    e.nsp = s.nsp();
    e.socket_id = s.id();
    e.name = reason;
    e.socket.rooms = s.rooms();
    e.socket.rooms.erase(s.id());
    hook.notify(std::move(e));
  }
  s.connected_ = false;
  metrics::bump(metrics::local().sockets_left[metrics::namespace_slot(s.nsp())]);
  if (const auto& told = options().on_socket_closed)
    told({session_ ? std::string_view(session_->sid()) : std::string_view(), s.nsp(), s.id(),
          reason});
  std::erase(sockets_, keep);
  auto acks = std::move(s.pending_acks_);
  s.pending_acks_.clear();
  for (auto& [id, callback] : acks) callback(ack_status::disconnected, {});
  for (const auto& h : s.listeners().disconnect) h(s, reason);
  s.client_ = nullptr;
}

void client_layer::disconnect_all() {
  auto sockets = sockets_;
  for (auto& s : sockets) s->disconnect(false);
  fail("server disconnect");
}

// The reference's client.close(): the sockets go with "forced server close",
// then the Engine.IO session.
void client_layer::fail(const char*) {
  if (closed_) return;
  auto sockets = sockets_;
  for (auto& s : sockets) close_socket(*s, "forced server close");
  closed_ = true;
  drop_connecting();
  release_held();
  session_->close();
}

void client_layer::on_close(engine_session&, close_reason reason) {
  closed_ = true;
  auto sockets = sockets_;
  for (auto& s : sockets) close_socket(*s, std::string(to_string(reason)));
  drop_connecting();
  decoder_.reset();
}

handshake client_layer::make_handshake(const json& auth) const {
  const auto& req = session_->request();
  handshake h;
  req.for_each_header(
      [&](std::string_view name, std::string_view value) { h.headers[std::string(name)] = value; });
  h.time = js_date_string(req.issued);
  h.address = req.remote_address();
  h.xdomain = !req.header("origin").empty();
  h.secure = req.secure;
  h.issued =
      std::chrono::duration_cast<std::chrono::milliseconds>(req.issued.time_since_epoch()).count();
  h.url = req.url();
  req.for_each_query(
      [&](std::string_view name, std::string_view value) { h.query[std::string(name)] = value; });
  h.auth = auth;
  return h;
}

}  // namespace sio::detail

namespace sio {

void ack_sender::operator()(args reply) const {
  if (!owed_) return;
  if (owed_->sent) {
    // As the reference, the first answer stands; the misuse is said, not hidden.
    auto target = owed_->target.lock();
    std::fprintf(stderr,
                 "sio: the ack %llu of a socket in %s was called again; only its first call "
                 "counts\n",
                 static_cast<unsigned long long>(owed_->id),
                 target ? target->nsp().c_str() : "(a socket that is gone)");
    return;
  }
  owed_->sent = true;
  // A connected socket vouches for its layer: the layer disconnects every
  // socket before it goes.
  auto target = owed_->target.lock();
  if (!target || !target->connected()) return;
  metrics::add(metrics::counter::acks_out);
  owed_->layer->send_ack(*target, owed_->id, std::move(reply));
}

}  // namespace sio
