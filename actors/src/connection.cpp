// One Engine.IO session: heartbeat, transport (polling, WebSocket, the
// upgrade between them), outbound queue, and the layer above, all inside one
// actor. Follows the reference's engine.io/lib/socket.ts state by state.
#include "sio/actors/connection.hpp"

#include <algorithm>
#include <utility>

#include <caf/detail/behavior_impl.hpp>
#include <caf/event_based_actor.hpp>

#include "broadcast_handout.hpp"
#include "sio/actors/atoms.hpp"
#include "sio/actors/metrics.hpp"
#include "sio/actors/send_budget.hpp"
#include "sio/protocol/base64.hpp"
#include "sio/protocol/engine_io.hpp"

namespace sio {
namespace {

namespace eio = engineio;

constexpr std::string_view polling_content_type = "text/plain; charset=UTF-8";
// How often a probed upgrade ends the client's held poll (the reference's check interval).
constexpr std::chrono::milliseconds upgrade_check_interval{100};

enum class ready_state : std::uint8_t { open, closing, closed };

// Where an upgrade to WebSocket stands.
enum class upgrade_state : std::uint8_t { none, waiting_for_probe, probed, done };

class connection_actor;

// The connection actor whose message is being handled on this thread.
thread_local connection_actor* running_connection = nullptr;

class connection_actor final : public caf::event_based_actor, public engine_session {
 public:
  connection_actor(caf::actor_config& cfg, connection_args setup)
      : caf::event_based_actor(cfg),
        sid_(std::move(setup.sid)),
        options_(std::move(setup.options)),
        request_(std::move(setup.request)),
        transport_(setup.transport),
        heartbeat_(std::move(setup.heartbeat)),
        handler_(std::move(setup.handler)) {}

  ~connection_actor() override {
    outbox_bytes_ = 0;
    account_outbox();
  }

  caf::behavior make_behavior() override;

  // The message cases of every connection, built once (see
  // connection_behavior). `running()` is the connection they run for.
  static const caf::message_handler& core_cases() {
    static const caf::message_handler cases{
        [](atoms::poll_get, http_reply_ptr& reply) { running().on_poll_get(std::move(reply)); },
        [](atoms::poll_post, std::string& body, http_reply_ptr& reply) {
          running().on_poll_post(body, std::move(reply));
        },
        [](atoms::poll_begin, std::uint64_t token) { running().on_poll_begin(token); },
        [](atoms::poll_post, std::string& body, http_reply_ptr& reply, std::uint64_t token) {
          running().on_poll_post_end(body, std::move(reply), token);
        },
        [](atoms::poll_abort, std::uint64_t token) { running().on_poll_abort(token); },
        [](atoms::poll_gone, http_reply_ptr& reply) { running().on_poll_gone(reply); },
        [](atoms::ws_open, ws_link_ptr& link) { running().on_ws_open(std::move(link)); },
        [](atoms::ws_text, std::uint64_t link, std::string& text) {
          running().on_ws_text(link, text);
        },
        [](atoms::ws_binary, std::uint64_t link, std::string& data) {
          running().on_ws_binary(link, std::move(data));
        },
        [](atoms::ws_closed, std::uint64_t link, bool error) {
          running().on_ws_closed(link, error);
        },
        [](atoms::ws_closed, std::uint64_t link, close_reason why) {
          auto& self = running();
          if (!self.ws_ || link != self.ws_->id()) return;
          self.ws_.reset();
          self.finish(why);
        },
        [](atoms::ping, std::uint64_t generation) { running().on_ping_due(generation); },
        [](atoms::ping_timeout, std::uint64_t generation) {
          auto& self = running();
          if (generation == self.pong_generation_) self.finish(close_reason::ping_timeout);
        },
        [](atoms::upgrade_check, std::uint64_t generation) {
          running().on_upgrade_check(generation);
        },
        [](atoms::upgrade_timeout, std::uint64_t generation) {
          auto& self = running();
          if (generation == self.upgrade_generation_) self.abandon_upgrade();
        },
        [](atoms::close_timeout) {
          auto& self = running();
          if (self.state_ == ready_state::closing) self.finish(close_reason::forced_close);
        },
        [](atoms::send, frame& f) { running().send(std::move(f)); },
        [](atoms::send, std::vector<frame>& frames) { running().send_all(std::move(frames)); },
        [](atoms::close) { running().close(); },
        [](atoms::shutdown) { running().shut_down(); },
    };
    return cases;
  }

  static connection_actor& running() noexcept { return *running_connection; }

  session_handler* handler() const noexcept { return handler_.get(); }

  // -- engine_session ---------------------------------------------------------

  const std::string& sid() const noexcept override { return sid_; }
  const request_info& request() const noexcept override { return request_; }
  caf::event_based_actor* self() noexcept override { return this; }
  bool writable() const noexcept override {
    if (state_ != ready_state::open) return false;
    if (transport_ != transport_kind::websocket) return pending_get_ != nullptr;
    if (ws_ && ws_->over_budget()) return false;
    auto soft = options_->volatile_drop_bytes;
    return soft == 0 || buffered_amount() < soft;
  }

  std::size_t buffered_amount() const noexcept override {
    return outbox_bytes_ + (ws_ ? ws_->buffered_amount() : 0);
  }

  void pause_reading() override {
    if (state_ == ready_state::closed || read_pauses_++ > 0) return;
    metrics::add(metrics::counter::reads_paused);
    if (ws_) ws_->pause_reading(true);
  }

  void resume_reading() override {
    if (read_pauses_ == 0 || --read_pauses_ > 0) return;
    metrics::add(metrics::counter::reads_paused, -1);
    if (ws_) ws_->pause_reading(false);
    if (held_post_) std::exchange(held_post_, nullptr)->ok("ok", "text/html");
  }

  std::string_view transport_name() const noexcept override {
    return transport_ == transport_kind::websocket ? "websocket" : "polling";
  }

  std::chrono::milliseconds ping_interval() const noexcept override {
    return options_->ping_interval;
  }
  std::chrono::milliseconds ping_timeout() const noexcept override {
    return options_->ping_timeout;
  }

  void send(frame f) override {
    if (state_ != ready_state::open) return;  // the reference drops these too
    queue(std::move(f));
    flush();
  }

  void send_all(std::vector<frame> frames) override {
    if (state_ != ready_state::open) return;
    if (outbox_.empty()) {
      for (const auto& f : frames) outbox_bytes_ += f.data->size();
      outbox_ = std::move(frames);
    } else {
      for (auto& f : frames) queue(std::move(f));
    }
    flush();
  }

  void send_text(std::string_view text) override {
    std::string encoded;
    eio::encode_text_packet(eio::packet_type::message, text, encoded);
    send(frame::text(std::move(encoded)));
  }

  void send_binary(std::string bytes) override { send(frame::bytes(std::move(bytes))); }

  // A server-side close lets queued packets leave first: over WebSocket they
  // precede the close frame; over polling they go with the close packet in
  // the answer to the client's next GET.
  void close() override {
    if (state_ != ready_state::open) return;
    state_ = ready_state::closing;
    if (transport_ == transport_kind::websocket) {
      flush();
      finish(close_reason::forced_close);
      return;
    }
    if (pending_get_) {
      answer_poll_with_close();
      finish(close_reason::forced_close);
      return;
    }
    delayed_send(this, options_->polling_close_timeout, atoms::close_timeout::value);
  }

 private:
  // -- opening ----------------------------------------------------------------

  void open() {
    metrics::add(transport_ == transport_kind::websocket ? metrics::counter::websocket_opened
                                                         : metrics::counter::polling_opened);
    eio::handshake h;
    h.sid = sid_;
    if (transport_ == transport_kind::polling && options_->allow_websocket)
      h.upgrades.emplace_back("websocket");
    h.ping_interval_ms = static_cast<std::uint64_t>(options_->ping_interval.count());
    h.ping_timeout_ms = static_cast<std::uint64_t>(options_->ping_timeout.count());
    h.max_payload = options_->max_payload;
    std::string text;
    text.push_back('0');
    eio::encode_handshake(h, text);
    queue(frame::text(std::move(text)));
    flush();
    schedule_ping();
    if (handler_) handler_->on_open(*this);
  }

  // -- polling ----------------------------------------------------------------

  void on_poll_get(http_reply_ptr reply) {
    if (!opened_) {  // the handshake request itself
      opened_ = true;
      pending_get_ = std::move(reply);
      open();
      return;
    }
    if (transport_ != transport_kind::polling) {
      reply->fail(400, eio::error_body(eio::http_error::bad_request));
      return;
    }
    if (state_ == ready_state::closed) {
      reply->fail(400, eio::error_body(eio::http_error::unknown_sid));
      return;
    }
    if (pending_get_) {  // "overlap from client"
      reply->fail(400, {});
      finish(close_reason::transport_error);
      return;
    }
    pending_get_ = std::move(reply);
    if (state_ == ready_state::closing) {
      // What was queued before the close leaves first, the close packet in
      // the next answer (the reference drains, then closes the transport).
      if (!outbox_.empty()) {
        write_poll_answer();
        return;
      }
      answer_poll_with_close();
      finish(close_reason::forced_close);
      return;
    }
    // While a WebSocket upgrade is probed, the client waits for this poll to
    // end before it sends "5": the upgrade check ends it (on_upgrade_check).
    flush();
  }

  // A POST's head arrived and its body is on its way. The reference allows
  // one data request at a time: a second one while the first is still being
  // received is "data request overlap from client", which ends the session.
  void on_poll_begin(std::uint64_t token) {
    if (receiving_post_ != 0) {
      finish(close_reason::transport_error);
      return;
    }
    receiving_post_ = token;
  }

  void on_poll_post_end(const std::string& body, http_reply_ptr reply, std::uint64_t token) {
    if (token != receiving_post_) {  // the session moved on meanwhile
      reply->fail(400, eio::error_body(eio::http_error::bad_request));
      return;
    }
    receiving_post_ = 0;
    on_poll_post(body, std::move(reply));
  }

  // "data request connection closed prematurely"
  void on_poll_abort(std::uint64_t token) {
    if (token == receiving_post_ && token != 0) finish(close_reason::transport_error);
  }

  void on_poll_post(const std::string& body, http_reply_ptr reply) {
    if (receiving_post_ != 0) {  // a whole POST while another is still arriving
      reply->fail(400, {});
      finish(close_reason::transport_error);
      return;
    }
    if (transport_ != transport_kind::polling) {
      reply->fail(400, eio::error_body(eio::http_error::bad_request));
      return;
    }
    auto packets = eio::decode_payload(body, options_->max_payload);
    if (!packets) {
      reply->fail(400, eio::error_body(eio::http_error::bad_request));
      finish(close_reason::parse_error);
      return;
    }
    for (auto& p : *packets) {
      if (state_ != ready_state::open) break;
      if (p.type == eio::packet_type::close) {
        // The client ends the session: a held GET ends with a noop.
        if (pending_get_) {
          queue(frame::text(std::string(1, '6')));
          flush();
        }
        finish(close_reason::transport_close);
        break;
      }
      on_packet(p.type, std::move(p.data), p.binary);
    }
    // Paused, the answer waits: the client sends its next POST after it.
    if (read_pauses_ > 0 && state_ == ready_state::open)
      held_post_ = std::move(reply);
    else
      reply->ok("ok", "text/html");
  }

  void on_poll_gone(const http_reply_ptr& reply) {
    if (reply != pending_get_) return;
    pending_get_.reset();
    finish(close_reason::transport_error);  // "poll connection closed prematurely"
  }

  void answer_poll_with_close() {
    queue(frame::text(std::string(1, '1')));
    write_poll_answer();
  }

  void write_poll_answer() {
    std::string body;
    body.reserve(outbox_bytes_ + outbox_.size() * 2);
    for (std::size_t i = 0; i < outbox_.size(); ++i) {
      if (i > 0) body.push_back(eio::record_separator);
      const frame& f = outbox_[i];
      if (f.binary) {
        body.push_back('b');
        base64::encode(*f.data, body);
      } else {
        body.append(*f.data);
      }
    }
    outbox_.clear();
    outbox_bytes_ = 0;
    account_outbox();
    auto reply = std::move(pending_get_);
    pending_get_.reset();
    reply->ok(std::move(body), polling_content_type);
  }

  // -- WebSocket --------------------------------------------------------------

  void on_ws_open(ws_link_ptr link) {
    if (!opened_) {  // a session opened directly over WebSocket
      opened_ = true;
      ws_ = std::move(link);
      ws_->attach(this);
      open();
      return;
    }
    // One upgrade per session, and only from polling.
    if (state_ != ready_state::open || transport_ != transport_kind::polling ||
        upgrade_ != upgrade_state::none) {
      link->close();
      return;
    }
    candidate_ = std::move(link);
    candidate_->attach(this);
    upgrade_ = upgrade_state::waiting_for_probe;
    delayed_send(this, options_->upgrade_timeout, atoms::upgrade_timeout::value,
                 ++upgrade_generation_);
  }

  void on_ws_text(std::uint64_t link, const std::string& text) {
    if (candidate_ && link == candidate_->id()) {
      on_candidate_text(text);
      return;
    }
    if (!ws_ || link != ws_->id()) return;
    auto p = eio::decode_text_packet(text);
    if (!p) {
      finish(close_reason::parse_error);
      return;
    }
    if (p->type == eio::packet_type::close) {
      finish(close_reason::transport_close);
      return;
    }
    on_packet(p->type, std::string(p->data), false);
  }

  void on_ws_binary(std::uint64_t link, std::string data) {
    if (candidate_ && link == candidate_->id()) {
      abandon_upgrade();
      return;
    }
    if (!ws_ || link != ws_->id()) return;
    on_packet(eio::packet_type::message, std::move(data), true);
  }

  void on_ws_closed(std::uint64_t link, bool error) {
    if (candidate_ && link == candidate_->id()) {
      candidate_.reset();
      upgrade_ = upgrade_state::none;
      ++upgrade_generation_;
      return;
    }
    if (!ws_ || link != ws_->id()) return;
    ws_.reset();  // already closed: nothing to close on finish
    finish(error ? close_reason::transport_error : close_reason::transport_close);
  }

  void on_candidate_text(const std::string& text) {
    auto p = eio::decode_text_packet(text);
    if (p && p->type == eio::packet_type::ping && p->data == "probe" &&
        upgrade_ == upgrade_state::waiting_for_probe) {
      candidate_->send({frame::text("3probe")});
      upgrade_ = upgrade_state::probed;
      arm_upgrade_check();
      return;
    }
    if (p && p->type == eio::packet_type::upgrade && state_ != ready_state::closed) {
      complete_upgrade();
      return;
    }
    abandon_upgrade();
  }

  // The reference's upgrade check: every 100 ms while the probed upgrade
  // waits for "5", a poll the client holds ends with a noop, so the client
  // can finish the upgrade. Not at once: a packet queued meanwhile goes out
  // on that poll instead of waiting for the WebSocket.
  void arm_upgrade_check() {
    delayed_send(this, upgrade_check_interval, atoms::upgrade_check::value, upgrade_generation_);
  }

  void on_upgrade_check(std::uint64_t generation) {
    if (generation != upgrade_generation_ || upgrade_ != upgrade_state::probed) return;
    if (pending_get_ && transport_ == transport_kind::polling) {
      if (outbox_.empty()) queue(frame::text(std::string(1, '6')));
      flush();
    }
    arm_upgrade_check();
  }

  void complete_upgrade() {
    ++upgrade_generation_;
    upgrade_ = upgrade_state::done;
    if (pending_get_) {  // the old transport's last poll ends empty-handed
      auto reply = std::move(pending_get_);
      pending_get_.reset();
      reply->ok("6", polling_content_type);
    }
    transport_ = transport_kind::websocket;
    metrics::add(metrics::counter::upgraded);
    ws_ = std::move(candidate_);
    candidate_.reset();
    if (read_pauses_ > 0) ws_->pause_reading(true);
    flush();
    if (state_ == ready_state::closing) finish(close_reason::forced_close);
  }

  void abandon_upgrade() {
    ++upgrade_generation_;
    upgrade_ = upgrade_state::none;
    if (candidate_) candidate_->close();
    candidate_.reset();
  }

  // -- packets and heartbeat --------------------------------------------------

  void on_packet(eio::packet_type type, std::string data, bool binary) {
    if (state_ != ready_state::open) return;
    switch (type) {
      case eio::packet_type::pong:
        ++pong_generation_;  // no ping timeout pending any more
        schedule_ping();
        break;
      case eio::packet_type::ping:  // v4: only the server pings
        finish(close_reason::transport_error);
        break;
      case eio::packet_type::message:
        if (handler_) handler_->on_message(*this, std::move(data), binary);
        break;
      default:  // open, upgrade, noop: nothing to do on an open transport
        break;
    }
  }

  // (what, generation) comes back after `delay`: a heartbeat wait, timed by
  // the server's heartbeat actor rather than a CAF timer of our own.
  void wake_after(std::chrono::milliseconds delay, caf::atom_value what, std::uint64_t generation) {
    event_based_actor::send(heartbeat_, atoms::wake::value, caf::timespan{delay}, what, generation);
  }

  void schedule_ping() {
    wake_after(options_->ping_interval, atoms::ping::value, ++ping_generation_);
  }

  void on_ping_due(std::uint64_t generation) {
    if (generation != ping_generation_ || state_ != ready_state::open) return;
    queue(frame::text(std::string(1, '2')));
    flush();
    wake_after(options_->ping_timeout, atoms::ping_timeout::value, ++pong_generation_);
    if (handler_) handler_->on_ping(*this);
  }

  // -- output -----------------------------------------------------------------

  void queue(frame f) {
    outbox_bytes_ += f.data->size();
    outbox_.push_back(std::move(f));
  }

  void flush() {
    if (outbox_.empty()) return;
    if (transport_ == transport_kind::websocket) {
      if (ws_) ws_->send(std::move(outbox_));
      outbox_.clear();
      outbox_bytes_ = 0;
      if (accounted_ != 0) account_outbox();  // what polling left, once upgraded
      return;
    }
    if (pending_get_) {
      write_poll_answer();
      return;
    }
    account_outbox();
    if (outbox_bytes_ > options_->max_buffered_bytes || over_budget_share())
      finish(close_reason::slow_consumer);
  }

  // Packets a polling client has not fetched count toward the global budget
  // and the send-queue gauge like a WebSocket queue's bytes: counted when
  // the outbox settles (after a flush, a poll answer, a close), not per
  // packet. A WebSocket's outbox is empty by then and costs a compare.
  void account_outbox() {
    auto now = static_cast<std::int64_t>(outbox_bytes_);
    if (now == accounted_) return;
    auto delta = now - accounted_;
    accounted_ = now;
    metrics::add(metrics::counter::send_queue_bytes, delta);
    detail::send_budget::add(delta);
    bool backlog = now > 0;
    if (backlog != in_backlog_) {
      in_backlog_ = backlog;
      if (backlog)
        detail::send_budget::backlog_began();
      else
        detail::send_budget::backlog_ended();
    }
  }

  // Over the budget, a polling client that holds more than its share of it
  // (the budget over the connections holding a backlog) goes, as the
  // largest WebSocket queues go: its cost falls on it, not on the others.
  bool over_budget_share() const noexcept {
    auto budget = static_cast<std::int64_t>(options_->max_total_buffered);
    if (budget == 0 || detail::send_budget::total() <= budget) return false;
    auto share = budget / std::max<std::int64_t>(1, detail::send_budget::backlogged());
    if (static_cast<std::int64_t>(outbox_bytes_) <= share) return false;
    metrics::add(metrics::counter::budget_closes);
    return true;
  }

  // -- closing ----------------------------------------------------------------

  // The reference's engine.close(): every session ends at once, queued
  // packets still leave (the WebSocket flushes before its close frame; a held
  // poll gets the close packet), and the client sees its transport close, so
  // it reconnects, to this server's successor for instance.
  void shut_down() {
    if (state_ == ready_state::closed) return;
    if (transport_ == transport_kind::websocket) flush();
    finish(close_reason::server_shutting_down);
  }

  // The reference's onClose: stop the timers, end the transports, tell the
  // layer above, and go (the registry notices and forgets the sid).
  void finish(close_reason reason) {
    if (state_ == ready_state::closed) return;
    state_ = ready_state::closed;
    if (opened_) {
      metrics::add(transport_ == transport_kind::websocket ? metrics::counter::websocket_closed
                                                           : metrics::counter::polling_closed);
      metrics::closed(reason);
      if (options_->on_session_closed)
        options_->on_session_closed(
            {sid_, request_.remote_address(),
             transport_ == transport_kind::websocket ? "websocket" : "polling", reason});
    }
    ++ping_generation_;
    ++pong_generation_;
    ++upgrade_generation_;
    if (pending_get_) {
      outbox_.clear();
      outbox_bytes_ = 0;
      answer_poll_with_close();
    }
    outbox_.clear();
    outbox_bytes_ = 0;
    account_outbox();
    if (read_pauses_ > 0) {
      metrics::add(metrics::counter::reads_paused, -1);
      read_pauses_ = 0;
    }
    if (held_post_) std::exchange(held_post_, nullptr)->ok("ok", "text/html");
    if (ws_) ws_->close();
    if (candidate_) candidate_->close();
    ws_.reset();
    candidate_.reset();
    if (handler_) handler_->on_close(*this, reason);
    quit();
  }

  std::string sid_;
  std::shared_ptr<const engine_options> options_;
  request_info request_;
  transport_kind transport_;
  caf::actor heartbeat_;
  std::unique_ptr<session_handler> handler_;

  bool opened_ = false;
  ready_state state_ = ready_state::open;
  upgrade_state upgrade_ = upgrade_state::none;

  http_reply_ptr pending_get_;
  /// The token of the POST whose body is being received, or 0.
  std::uint64_t receiving_post_ = 0;
  ws_link_ptr ws_;
  ws_link_ptr candidate_;
  // Backpressure: pause_reading() calls not yet resumed, and the POST whose
  // answer waits for the resume.
  std::size_t read_pauses_ = 0;
  http_reply_ptr held_post_;
  std::vector<frame> outbox_;
  std::size_t outbox_bytes_ = 0;
  /// outbox_bytes_ as the budget and the gauge last counted it.
  std::int64_t accounted_ = 0;
  bool in_backlog_ = false;

  // Timers cannot be cancelled in CAF 0.17: each carries the generation it
  // was started in and is ignored once its generation has moved on.
  std::uint64_t ping_generation_ = 0;
  std::uint64_t pong_generation_ = 0;
  std::uint64_t upgrade_generation_ = 0;
};

// CAF 0.17 gives every actor a behavior of its own: about 40 bytes per
// message case, a kilobyte for a connection with the Socket.IO layer's cases,
// more than anything else a connection holds. Instead one set of cases serves
// every connection, and a connection's behavior is this shim, which marks the
// connection as running while the shared cases handle its message.
class connection_behavior final : public caf::detail::behavior_impl {
 public:
  explicit connection_behavior(connection_actor* self)
      : self_(self), extra_(self->handler() ? self->handler()->shared_behavior() : nullptr) {}

  caf::match_case::result invoke(caf::detail::invoke_result_visitor& f,
                                 caf::type_erased_tuple& xs) override {
    return dispatch([&](caf::detail::behavior_impl& cases) { return cases.invoke(f, xs); });
  }

  caf::match_case::result invoke_empty(caf::detail::invoke_result_visitor& f) override {
    return dispatch([&](caf::detail::behavior_impl& cases) { return cases.invoke_empty(f); });
  }

 private:
  // The connection's own cases first, then those of the layer above.
  template <class Invoke>
  caf::match_case::result dispatch(Invoke invoke) {
    running_guard guard{self_};
    auto result = invoke(*connection_actor::core_cases().as_behavior_impl());
    if (result == caf::match_case::no_match && extra_) result = invoke(*extra_->as_behavior_impl());
    return result;
  }

  struct running_guard {
    explicit running_guard(connection_actor* self)
        : outer(std::exchange(running_connection, self)) {}
    ~running_guard() { running_connection = outer; }
    running_guard(const running_guard&) = delete;
    running_guard& operator=(const running_guard&) = delete;
    connection_actor* outer;
  };

  connection_actor* self_;
  const caf::message_handler* extra_;
};

caf::behavior connection_actor::make_behavior() {
  caf::behavior::impl_ptr shim{caf::make_counted<connection_behavior>(this)};
  return caf::behavior{std::move(shim)};
}

}  // namespace

session_handler& running_handler() noexcept { return *connection_actor::running().handler(); }

caf::actor connection_awaiting_handout() {
  auto* c = running_connection;
  if (!c || !c->handler() || !c->handler()->await_handout()) return {};
  return caf::actor_cast<caf::actor>(c);
}

caf::actor spawn_connection(caf::actor_system& sys, connection_args setup) {
  return sys.spawn<connection_actor>(std::move(setup));
}

caf::actor spawn_connection(caf::local_actor& parent, connection_args setup) {
  return parent.spawn<connection_actor>(std::move(setup));
}

}  // namespace sio
