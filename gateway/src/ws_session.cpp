#include "ws_session.hpp"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <span>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <caf/send.hpp>

#include "actor_runner.hpp"
#include "sio/actors/atoms.hpp"
#include "sio/actors/messages.hpp"
#include "sio/protocol/plain_websocket.hpp"
#include "sio/actors/metrics.hpp"
#include "sio/actors/send_budget.hpp"

namespace sio::detail {
namespace {

namespace asio = boost::asio;
namespace ws = sio::websocket;

std::atomic<std::uint64_t> next_link_id{1};

constexpr std::size_t read_chunk = 16 * 1024;

// The longest chunk list an I/O thread keeps for its next burst.
constexpr std::size_t kept_queue_capacity = 256;

}  // namespace

ws_session::ws_session(const gateway_context& ctx, boost::beast::tcp_stream::socket_type socket,
                       std::string handshake, std::string early_bytes,
                       std::optional<ws::deflate_params> deflate, bool plain)
    : ctx_(ctx),
      socket_(std::move(socket)),
      opening_(
          std::make_unique<opening>(opening{std::move(handshake), std::move(early_bytes), {}})),
      id_(next_link_id.fetch_add(1, std::memory_order_relaxed)),
      // The reader limits a message's size on the wire; under
      // permessage-deflate the inflater limits it again once inflated.
      reader_(ctx.options.max_payload, deflate.has_value()),
      // Made by the HTTP session, on the I/O thread of the socket.
      send_queue_(*send_queue::current()) {
  if (plain) plain_ = std::make_unique<plain_state>();
  if (deflate) {
    compression_ = std::make_unique<compression>(compression{
        ws::deflater(deflate->server_max_window_bits, deflate->server_no_context_takeover),
        ws::inflater(ctx.options.max_payload, deflate->client_max_window_bits,
                     deflate->client_no_context_takeover)});
  }
  // Reads happen when the socket is readable and writes are tried at once
  // (see do_read, do_write): neither may block the I/O thread. The HTTP
  // session has usually made it non-blocking already.
  if (!socket_.non_blocking()) {
    boost::system::error_code ignored;
    socket_.non_blocking(true, ignored);
  }
}

void ws_session::attach(caf::actor owner) {
  asio::post(socket_.get_executor(), [self = shared_from_this(), owner = std::move(owner)] {
    if (self->attached_ || self->shut_down_) return;
    self->attached_ = true;
    self->owner_ = owner;
    auto opened = std::move(self->opening_);
    self->queue_raw(std::move(opened->handshake));
    // The owner sends its open packet right after attaching: when it is
    // already here, it leaves in the same write as the 101.
    self->take_frames(opened->early_frames);
    self->send_queue_.drain();
    if (self->shut_down_) return;
    self->do_write();
    // A plain client's socket connects to its namespace before its first
    // message counts.
    if (self->plain_)
      actor_runner::send(owner, atoms::ws_text::value, self->id_,
                         plain_websocket::connect_packet(self->ctx_.options.ws_namespace));
    if (!opened->early_bytes.empty()) self->consume(opened->early_bytes);
    if (!self->read_paused_) self->do_read();
  });
}

void ws_session::send(std::vector<frame> frames) { send_queue_.push(shared_from_this(), frames); }

// Before attach() the frames wait for the 101. After our close frame or
// the end of the socket, they are dropped.
bool ws_session::take_frames(std::span<frame> frames) {
  if (!attached_) {
    if (opening_)
      opening_->early_frames.insert(opening_->early_frames.end(),
                                    std::make_move_iterator(frames.begin()),
                                    std::make_move_iterator(frames.end()));
    return false;
  }
  if (close_sent_ || shut_down_) return false;
  borrow_queue();
  queued_.reserve(queued_.size() + frames.size());
  if (plain_) {
    for (auto& f : frames)
      if (!close_sent_) queue_plain(std::move(f));
    return true;
  }
  for (auto& f : frames) queue_message(std::move(f));
  return true;
}

// take_frames answered true, so the session is open. A client that reads
// too slowly would make us hold unbounded memory: past the hard bound, or
// when its writes made no progress for too long, it is a slow consumer, and
// its queue goes at once.
void ws_session::write_taken() {
  bool stalled = writing_ && ctx_.options.max_write_stall.count() > 0 &&
                 std::chrono::steady_clock::now() - writing_->since > ctx_.options.max_write_stall;
  if (queued_bytes_.load(std::memory_order_relaxed) > ctx_.options.max_ws_outbound_bytes ||
      stalled) {
    drop_slow_consumer();
    return;
  }
  shed_over_budget();
  if (shut_down_) return;
  do_write();
}

bool ws_session::over_budget() const noexcept {
  auto budget = ctx_.options.max_total_buffered;
  return budget != 0 && send_budget::total() > static_cast<std::int64_t>(budget);
}

// The sessions of this I/O thread whose last write waits for the kernel:
// only they hold a backlog, so only they are candidates when the process is
// over its budget.
std::vector<ws_session*>& ws_session::backlogged_here() {
  thread_local std::vector<ws_session*> sessions;
  return sessions;
}

void ws_session::backlog_began() {
  if (backlogged_) return;
  backlogged_ = true;
  backlogged_here().push_back(this);
  send_budget::backlog_began();
}

void ws_session::backlog_ended() {
  if (!backlogged_) return;
  backlogged_ = false;
  auto& here = backlogged_here();
  std::erase(here, this);
  send_budget::backlog_ended();
}

// Over the budget the largest queues go first, as slow consumers: the cost
// of a client that does not read falls on that client, not on the others
// (volatile packets aside) nor on newcomers. Each I/O thread looks at its own
// sessions; one that holds no more than its share of the budget stays, so
// that a fast client with a moment's backlog is not taken for a slow one.
void ws_session::shed_over_budget() {
  auto budget = static_cast<std::int64_t>(ctx_.options.max_total_buffered);
  if (budget == 0) return;
  auto& here = backlogged_here();
  while (send_budget::total() > budget && !here.empty()) {
    auto largest = std::max_element(here.begin(), here.end(), [](auto* a, auto* b) {
      return a->buffered_amount() < b->buffered_amount();
    });
    auto share = budget / std::max<std::int64_t>(1, send_budget::backlogged());
    if (static_cast<std::int64_t>((*largest)->buffered_amount()) <= share) return;
    metrics::add(metrics::counter::budget_closes);
    (*largest)->drop_slow_consumer();  // leaves `here`
  }
}

void ws_session::drop_slow_consumer() {
  if (!owner_notified_) {
    owner_notified_ = true;
    if (owner_) caf::anon_send(owner_, atoms::ws_closed::value, id_, close_reason::slow_consumer);
  }
  fail(false);
}

void ws_session::account(std::int64_t delta) {
  auto now = static_cast<std::int64_t>(queued_bytes_.load(std::memory_order_relaxed)) + delta;
  queued_bytes_.store(static_cast<std::size_t>(now), std::memory_order_relaxed);
  metrics::add(metrics::counter::send_queue_bytes, delta);
  send_budget::add(delta);
}

ws_session::~ws_session() {
  auto left = static_cast<std::int64_t>(queued_bytes_.load(std::memory_order_relaxed));
  if (left > 0) {
    metrics::add(metrics::counter::send_queue_bytes, -left);
    send_budget::add(-left);
  }
}

void ws_session::close() {
  // Counted until the close frame's write has started (see drain()).
  ctx_.writes_in_flight.fetch_add(1, std::memory_order_relaxed);
  asio::post(socket_.get_executor(), [self = shared_from_this()] {
    struct uncount {
      const gateway_context& ctx;
      ~uncount() { ctx.writes_in_flight.fetch_sub(1, std::memory_order_relaxed); }
    } done{self->ctx_};
    if (self->close_sent_ || self->shut_down_) return;
    if (!self->attached_) {  // the reference completes the upgrade, then closes
      self->attached_ = true;
      auto opened = std::move(self->opening_);
      self->queue_raw(std::move(opened->handshake));
      self->take_frames(opened->early_frames);
    }
    // What the owner sent before closing leaves before the close frame.
    self->send_queue_.drain();
    if (self->close_sent_ || self->shut_down_) return;
    self->owner_notified_ = true;  // the owner asked for this close
    self->queue_close(ws::close_no_status);
    self->do_write();
  });
}

void ws_session::refuse(std::string message) {
  asio::post(socket_.get_executor(), [self = shared_from_this(), message = std::move(message)] {
    if (self->attached_ || self->shut_down_) return;
    self->attached_ = true;
    self->owner_notified_ = true;
    self->queue_raw(
        "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-type: text/html\r\n"
        "Content-Length: " +
        std::to_string(message.size()) + "\r\n\r\n" + message);
    self->close_sent_ = true;
    self->do_write();
  });
}

// Each I/O thread keeps one empty chunk list with capacity for its sessions:
// a session holds none while idle, and its next burst need not allocate one.
std::vector<ws_session::chunk>& ws_session::spare_queue() {
  thread_local std::vector<chunk> spare;
  return spare;
}

void ws_session::borrow_queue() {
  if (queued_.capacity() == 0) queued_.swap(spare_queue());
}

void ws_session::release_queue() {
  queued_.clear();
  auto& spare = spare_queue();
  if (spare.capacity() == 0 && queued_.capacity() <= kept_queue_capacity)
    spare.swap(queued_);
  else
    std::vector<chunk>().swap(queued_);
}

void ws_session::queue_raw(std::string bytes) {
  chunk c;
  account(static_cast<std::int64_t>(bytes.size()));
  borrow_queue();
  c.body = std::make_shared<const std::string>(std::move(bytes));
  queued_.push_back(std::move(c));
}

// Without permessage-deflate a message goes out as it is, shared with every
// other recipient of a broadcast. With it, a message from the threshold up
// is compressed for this connection alone: the compressor's window is this
// connection's history.
void ws_session::queue_message(frame f) {
  auto op = f.binary ? ws::opcode::binary : ws::opcode::text;
  if (!compression_ || f.data->size() < ctx_.options.per_message_deflate_threshold) {
    queue_frame(op, std::move(f.data));
    return;
  }
  std::string packed;
  compression_->deflater.compress(*f.data, packed);
  queue_frame(op, std::make_shared<const std::string>(std::move(packed)), true);
}

void ws_session::queue_frame(ws::opcode op, std::shared_ptr<const std::string> payload,
                             bool compressed) {
  chunk c;
  c.head_size = ws::encode_header(op, payload->size(), c.head, compressed);
  account(static_cast<std::int64_t>(c.head_size + payload->size()));
  borrow_queue();
  c.body = std::move(payload);
  queued_.push_back(std::move(c));
}

void ws_session::queue_close(std::uint16_t code, std::string_view reason) {
  std::string frame_bytes;
  ws::append_close(code, reason, frame_bytes);
  queue_raw(std::move(frame_bytes));
  close_sent_ = true;
}

// Everything queued so far goes out in one gather write; what is queued
// meanwhile waits for the next one. The socket is non-blocking: the write is
// tried at once, and only what the kernel did not take waits for an
// asynchronous write (on loopback and fast clients, nothing does). So the
// buffer list is the I/O thread's, and a session holds buffers of its own
// only while a write waits: an idle connection keeps no capacity from its
// last burst.
void ws_session::do_write() {
  if (writing_ || queued_.empty() || shut_down_) return;
  thread_local std::vector<asio::const_buffer> gather;
  gather.clear();
  for (const auto& c : queued_) {
    if (c.head_size > 0) gather.emplace_back(c.head.data(), c.head_size);
    gather.emplace_back(c.body->data(), c.body->size());
  }
  metrics::add(metrics::counter::frames_written, static_cast<std::int64_t>(queued_.size()));
  auto rest = gather.begin();
  while (rest != gather.end()) {
    boost::system::error_code ec;
    // At most 64 buffers go in one writev: loop while the kernel takes them.
    auto n = socket_.write_some(
        std::span<const asio::const_buffer>(&*rest, static_cast<std::size_t>(gather.end() - rest)),
        ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) break;
    if (ec) {
      release_queue();
      on_write(ec);
      return;
    }
    metrics::add(metrics::counter::writes);
    account(-static_cast<std::int64_t>(n));
    while (rest != gather.end() && n >= rest->size()) n -= (rest++)->size();
    if (n > 0) *rest += n;  // a buffer the kernel took in part
  }
  if (rest == gather.end()) {
    release_queue();
    on_write({});
    return;
  }
  writing_ = std::make_unique<pending_write>();
  writing_->chunks.swap(queued_);
  writing_->buffers.assign(rest, gather.end());
  writing_->since = std::chrono::steady_clock::now();
  ctx_.writes_in_flight.fetch_add(1, std::memory_order_relaxed);
  backlog_began();
  asio::async_write(socket_, writing_->buffers,
                    [self = shared_from_this()](boost::system::error_code ec, std::size_t n) {
                      self->ctx_.writes_in_flight.fetch_sub(1, std::memory_order_relaxed);
                      if (!self->shut_down_) self->account(-static_cast<std::int64_t>(n));
                      self->backlog_ended();
                      self->writing_.reset();
                      self->on_write(ec);
                    });
}

void ws_session::on_write(boost::system::error_code ec) {
  if (ec) {
    fail(true);
    return;
  }
  if (!queued_.empty()) {
    do_write();
    return;
  }
  if (close_sent_) {
    // Our close frame (or refusal) is out: stop sending and give the peer a
    // moment to answer before the socket goes.
    boost::system::error_code ignored;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    if (reader_.closed() || !attached_) {
      fail(false);
      return;
    }
    close_timer_ =
        std::make_unique<asio::steady_timer>(socket_.get_executor(), ctx_.options.request_timeout);
    close_timer_->async_wait([self = shared_from_this()](boost::system::error_code timer_ec) {
      if (!timer_ec) self->fail(false);
    });
  }
}

namespace {

// Allocates exactly what is asked for. Asio otherwise gives a handler a
// block its thread recycled, of whatever size was freed last (an accept's,
// an HTTP read's), and an idle connection holds its read waiter's block
// for as long as it is idle: 50-65 bytes more per idle connection, measured
// with connect 10000.
template <class T>
struct exact_allocator {
  using value_type = T;
  exact_allocator() = default;
  template <class U>
  exact_allocator(const exact_allocator<U>&) noexcept {}
  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T))); }
  void deallocate(T* p, std::size_t) noexcept { ::operator delete(p); }
  friend bool operator==(const exact_allocator&, const exact_allocator&) noexcept { return true; }
};

}  // namespace

struct ws_session::readable_handler {
  std::shared_ptr<ws_session> self;

  using allocator_type = exact_allocator<void>;
  allocator_type get_allocator() const noexcept { return {}; }
  void operator()(boost::system::error_code ec) const { self->on_readable(ec); }
};

// An idle connection holds no read buffer: it waits until the socket is
// readable, then reads what is there into a buffer that all sessions of the
// I/O thread share (the reader copies out what a message needs). With a
// buffer per connection, 16 KiB of every idle client would sit unused.
void ws_session::do_read() {
  if (read_waiting_) return;
  read_waiting_ = true;
  socket_.async_wait(asio::ip::tcp::socket::wait_read, readable_handler{shared_from_this()});
}

// Paused, the session leaves the bytes in the kernel: its receive window
// fills and the client's writes stop. A wait under way ends in on_readable,
// which then reads nothing.
void ws_session::pause_reading(bool paused) {
  asio::post(socket_.get_executor(), [self = shared_from_this(), paused] {
    if (self->read_paused_ == paused) return;
    self->read_paused_ = paused;
    if (!paused && self->attached_ && !self->shut_down_) self->do_read();
  });
}

void ws_session::on_readable(boost::system::error_code ec) {
  read_waiting_ = false;
  if (shut_down_) return;
  if (read_paused_ && !ec) return;
  thread_local std::vector<char> buffer(read_chunk);
  std::size_t n = 0;
  if (!ec) n = socket_.read_some(asio::buffer(buffer), ec);
  if (ec == asio::error::would_block || ec == asio::error::try_again) {
    do_read();
    return;
  }
  if (ec) {
    // EOF after both close frames is the normal end; anything else is an
    // abrupt disconnect, which the reference reports as "transport close".
    notify_closed(false);
    fail(false);
    return;
  }
  consume(std::string_view(buffer.data(), n));
  if (!shut_down_ && !read_paused_) do_read();
}

void ws_session::consume(std::string_view bytes) {
  if (input_failed_) return;
  thread_local std::vector<ws::event> events;  // the I/O thread's, as the read buffer
  events.clear();
  auto ok = reader_.feed(bytes, events);
  for (auto& e : events) {
    if (auto* m = std::get_if<ws::message>(&e)) {
      // The reader admits compressed messages only when there is an inflater.
      if (m->compressed) {
        if (auto inflated = ws::decompress(compression_->inflater, *m); !inflated) {
          ok = inflated;
          break;  // nothing after the broken message counts
        }
      }
      deliver(m->binary, std::move(m->data));
    } else if (auto* c = std::get_if<ws::control>(&e)) {
      if (c->op == ws::opcode::ping && !close_sent_)
        queue_frame(ws::opcode::pong, std::make_shared<const std::string>(std::move(c->payload)));
      else if (c->op == ws::opcode::pong && plain_)  // the heartbeat's answer
        actor_runner::post(owner_, atoms::ws_text::value, id_,
                           std::string(plain_websocket::pong_packet));
    } else if (auto* cf = std::get_if<ws::close_frame>(&e)) {
      notify_closed(false);
      if (!close_sent_) queue_close(cf->code);
    }
  }
  if (!ok) {
    input_failed_ = true;
    notify_closed(true);
    if (!close_sent_) queue_close(ws::close_code(ok.error()));
  }
  do_write();
  // The owner answers on this thread, with no worker to wake (see
  // actor_runner); its frames come back through send().
  if (auto* runner = actor_runner::current()) runner->run_pending();
}

void ws_session::deliver(bool binary, std::string data) {
  if (plain_) {
    deliver_plain(binary, std::move(data));
    return;
  }
  if (binary)
    actor_runner::post(owner_, atoms::ws_binary::value, id_, std::move(data));
  else
    actor_runner::post(owner_, atoms::ws_text::value, id_, std::move(data));
}

void ws_session::notify_closed(bool error) {
  if (owner_notified_) return;
  owner_notified_ = true;
  if (owner_) caf::anon_send(owner_, atoms::ws_closed::value, id_, error);
}

void ws_session::fail(bool tell_owner) {
  if (tell_owner) notify_closed(true);
  if (shut_down_) return;
  shut_down_ = true;
  backlog_ended();
  if (close_timer_) close_timer_->cancel();
  // Nothing queued will leave any more: free it now, not when the last
  // handle to this session goes.
  release_queue();
  account(-static_cast<std::int64_t>(queued_bytes_.load(std::memory_order_relaxed)));
  boost::system::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

}  // namespace sio::detail
