#include "load.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "client_frames.hpp"
#include "sio/protocol/base64.hpp"
#include "sio/protocol/engine_io.hpp"
#include "sio/protocol/socket_io.hpp"

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

namespace sio_bench {
namespace {

namespace ws = sio::websocket;
namespace eio = sio::engineio;
namespace sio_ = sio::socketio;

constexpr std::size_t initial_buffer = 4096;
constexpr std::size_t max_frame = 64 * 1024 * 1024;
constexpr std::size_t max_http_head = 16 * 1024;
constexpr std::size_t max_logged_errors = 20;

// Reads `digits` decimal digits at `p`; false if any is not a digit.
bool read_digits(const char* p, std::uint64_t& out) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < digits; ++i) {
    auto d = static_cast<unsigned>(p[i] - '0');
    if (d > 9) return false;
    v = v * 10 + d;
  }
  out = v;
  return true;
}

bool iequals_prefix(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char a = s[i];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
    if (a != prefix[i]) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace

// ---------------------------------------------------------------------------
// connection

connection::connection(worker& w, std::size_t index, role r)
    : w_(w), index_(index), role_(r), socket_(w.io()) {}

const char* connection::state_name() const {
  switch (state_) {
    case state::idle: return "idle";
    case state::connecting: return "TCP connect";
    case state::http: return "HTTP upgrade";
    case state::eio_open: return "Engine.IO open";
    case state::sio_connect: return "Socket.IO CONNECT";
    case state::joining: return "join ack";
    case state::settled: return "settled";
    case state::failed: return "failed";
  }
  return "?";
}

void connection::start() {
  started_ns_ = now_ns();
  deadline_ns_ = started_ns_ + std::uint64_t{w_.cfg.handshake_timeout_ms} * 1'000'000;
  state_ = state::connecting;
  boost::system::error_code ec;
  socket_.open(w_.target.protocol(), ec);
  if (ec) return fail("socket: " + ec.message());
  // Past `per_address` connections, spread the sources over 127.0.0.1, .2,
  // ... so that no source address runs out of ports. The port is chosen at
  // connect() time (IP_BIND_ADDRESS_NO_PORT), from the whole 4-tuple.
  std::size_t total = w_.cfg.connections + (w_.cfg.kind == scenario::fanout ? 1 : 0);
  if (total > w_.cfg.per_address) {
    int one = 1;
    ::setsockopt(socket_.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    auto host = static_cast<std::uint32_t>(1 + index_ / w_.cfg.per_address);
    asio::ip::address_v4 source((127u << 24) | host);
    socket_.bind(tcp::endpoint(source, 0), ec);
    if (ec) return fail("bind " + source.to_string() + ": " + ec.message());
  }
  auto target = w_.target;
  if (w_.cfg.port2 != 0 && index_ % 2 == 0 && index_ != 0) target.port(w_.cfg.port2);
  socket_.async_connect(target, [this](const boost::system::error_code& e) { on_connect(e); });
}

void connection::stop() {
  if (state_ == state::idle) return;
  state_ = state::failed;  // quietly: no more reports
  boost::system::error_code ec;
  socket_.close(ec);
}

void connection::fail(const std::string& why) {
  if (state_ == state::failed) return;
  bool was_handshaking = handshaking();
  state_ = state::failed;
  boost::system::error_code ec;
  socket_.close(ec);
  w_.failed(*this, "connection " + std::to_string(index_) + ": " + why, was_handshaking);
}

void connection::on_connect(const boost::system::error_code& ec) {
  if (state_ == state::failed) return;
  if (ec) return fail("connect: " + ec.message());
  boost::system::error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);
  // A random 16-byte key, base64: RFC 6455 section 4.1.
  std::uint64_t raw[2] = {w_.mask(), w_.mask()};
  raw[0] = (raw[0] << 32) | w_.mask();
  raw[1] = (raw[1] << 32) | w_.mask();
  key_.clear();
  sio::base64::encode({reinterpret_cast<const char*>(raw), sizeof raw}, key_);
  std::string target = plain() ? w_.cfg.plain_path + "?join=" + w_.cfg.room
                               : w_.cfg.path + "?EIO=4&transport=websocket";
  out_ += "GET " + target + " HTTP/1.1\r\nHost: " + w_.cfg.host +
          ":" + std::to_string(w_.cfg.port) +
          "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
          "Sec-WebSocket-Key: " +
          key_ + "\r\n\r\n";
  state_ = state::http;
  in_.resize(initial_buffer);
  flush();
  read();
}

void connection::read() {
  if (end_ == in_.size()) in_.resize(in_.size() * 2);
  socket_.async_read_some(asio::buffer(in_.data() + end_, in_.size() - end_),
                          [this](const boost::system::error_code& ec, std::size_t n) {
                            on_read(ec, n);
                          });
}

void connection::on_read(const boost::system::error_code& ec, std::size_t n) {
  if (state_ == state::failed) return;
  if (ec) {
    if (ec == asio::error::eof) return fail(std::string("server closed the TCP connection in ") +
                                            state_name());
    return fail(std::string("read in ") + state_name() + ": " + ec.message());
  }
  end_ += n;
  process();
  if (state_ == state::failed) return;
  read();
}

void connection::process() {
  std::size_t need = 0;
  while (begin_ < end_ && state_ != state::failed) {
    std::string_view in(in_.data() + begin_, end_ - begin_);
    if (state_ == state::http) {
      auto head_end = in.find("\r\n\r\n");
      if (head_end == std::string_view::npos) {
        if (in.size() > max_http_head) return fail("HTTP response head too large");
        break;
      }
      begin_ += head_end + 4;
      if (!handle_http(in.substr(0, head_end + 2))) return;
      continue;
    }
    frames::frame f;
    std::size_t consumed = 0;
    auto st = frames::parse(in, max_frame, f, consumed, need);
    if (st == frames::parse_status::bad) return fail("malformed WebSocket frame from the server");
    if (st == frames::parse_status::need_more) break;
    begin_ += consumed;
    handle_frame(f.op, f.fin, f.payload);
  }
  if (state_ == state::failed) return;
  // Keep the unread part at the front, in a buffer large enough for the
  // frame it starts.
  if (begin_ == end_) {
    begin_ = end_ = 0;
  } else if (begin_ > 0) {
    std::memmove(in_.data(), in_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (need > in_.size()) in_.resize(need);
}

bool connection::handle_http(std::string_view head) {
  // "HTTP/1.1 101 Switching Protocols\r\n" then headers.
  auto line_end = head.find("\r\n");
  std::string_view status = head.substr(0, line_end);
  if (status.size() < 12 || status.substr(0, 5) != "HTTP/" || status.substr(8, 5) != " 101 ") {
    fail("upgrade refused: " + std::string(status));
    return false;
  }
  std::string expected = ws::accept_key(key_);
  bool accepted = false;
  std::size_t pos = line_end + 2;
  while (pos < head.size()) {
    auto next = head.find("\r\n", pos);
    if (next == std::string_view::npos) next = head.size();
    std::string_view line = head.substr(pos, next - pos);
    if (iequals_prefix(line, "sec-websocket-accept:"))
      accepted = trim(line.substr(21)) == expected;
    pos = next + 2;
  }
  if (!accepted) {
    fail("missing or wrong Sec-WebSocket-Accept");
    return false;
  }
  // A plain client is a socket from the upgrade on; it waits for "auth",
  // which the server sends once the socket is in its room.
  state_ = plain() ? state::joining : state::eio_open;
  return true;
}

void connection::handle_frame(ws::opcode op, bool fin, std::string_view payload) {
  switch (op) {
    case ws::opcode::ping:
      return send_frame(ws::opcode::pong, payload);
    case ws::opcode::pong:
      return;
    case ws::opcode::close: {
      unsigned code = payload.size() >= 2 ? (static_cast<unsigned char>(payload[0]) << 8) |
                                                static_cast<unsigned char>(payload[1])
                                          : 1005;
      std::string reason(payload.size() > 2 ? payload.substr(2) : std::string_view{});
      return fail("server sent a WebSocket close (" + std::to_string(code) + " " + reason +
                  ") in " + state_name());
    }
    case ws::opcode::text:
    case ws::opcode::binary:
      if (in_fragment_) return fail("new message inside a fragmented one");
      if (fin) return handle_message(op == ws::opcode::binary, payload);
      in_fragment_ = true;
      fragment_binary_ = op == ws::opcode::binary;
      fragments_.assign(payload);
      return;
    case ws::opcode::continuation: {
      if (!in_fragment_) return fail("continuation frame outside a fragmented message");
      fragments_.append(payload);
      if (!fin) return;
      in_fragment_ = false;
      std::string whole = std::move(fragments_);
      fragments_.clear();
      return handle_message(fragment_binary_, whole);
    }
  }
}

void connection::handle_message(bool binary, std::string_view payload) {
  // The scenarios send and expect no binary data.
  if (binary) return fail("unexpected binary message");
  if (plain()) return handle_plain(payload);
  handle_text(payload);
}

bool connection::plain() const {
  return role_ == role::subscriber && !w_.cfg.plain_path.empty();
}

// A plain client gets each event as the JSON text `[event, ...args]`: the
// body a Socket.IO client gets after "42".
void connection::handle_plain(std::string_view text) {
  if (text.starts_with("[\"msg\",")) return on_msg(text);
  if (text.starts_with("[\"auth\"")) {
    if (state_ != state::joining) return fail("a second \"auth\" event");
    return settle();
  }
  fail("unexpected plain WebSocket message: " + std::string(text.substr(0, 80)));
}

void connection::handle_text(std::string_view text) {
  auto p = eio::decode_text_packet(text);
  if (!p) return fail("bad Engine.IO packet: " + std::string(text.substr(0, 80)));
  switch (p->type) {
    case eio::packet_type::message:
      return handle_socketio(p->data);
    case eio::packet_type::ping:
      return send_engineio("3" + std::string(p->data));
    case eio::packet_type::open: {
      if (state_ != state::eio_open) return fail("unexpected Engine.IO open");
      auto h = eio::decode_handshake(p->data);
      if (!h) return fail("bad Engine.IO handshake: " + std::string(p->data.substr(0, 200)));
      state_ = state::sio_connect;
      sio_::encoded enc;
      (void)sio_::encode(sio_::packet{sio_::packet_type::connect, "/", std::nullopt, std::nullopt},
                         enc);
      return send_socketio(enc.text);
    }
    case eio::packet_type::close:
      return fail(std::string("server closed the Engine.IO session in ") + state_name());
    case eio::packet_type::noop:
    case eio::packet_type::pong:
      return;
    case eio::packet_type::upgrade:
      break;
  }
  fail("unexpected Engine.IO packet: " + std::string(text.substr(0, 80)));
}

void connection::handle_socketio(std::string_view text) {
  auto h = sio_::decode_header(text, sio_::limits{10, 100, max_frame});
  if (!h) return fail("bad Socket.IO packet: " + std::string(text.substr(0, 80)));
  if (h->nsp != "/") return fail("packet for namespace " + std::string(h->nsp));
  switch (h->type) {
    case sio_::packet_type::event:
      if (h->body.starts_with("[\"msg\",")) {
        // Every 1024th goes through the full decoder too.
        if ((++w_.full_checks & 1023) == 0) {
          auto full = sio_::decode_body(*h, sio_::limits{10, 100, max_frame});
          if (!full || !full->data || full->data->size() < 2 || full->data->size() > 3 ||
              !(*full->data)[1].is_string() ||
              (*full->data)[1].get_ref<const std::string&>().size() != w_.cfg.payload)
            return fail("\"msg\" event decodes to something else: " +
                        std::string(text.substr(0, 80)));
        }
        return on_msg(h->body);
      }
      if (h->body.starts_with("[\"auth\"")) return;  // sent on every connection
      return fail("unexpected event: " + std::string(text.substr(0, 80)));
    case sio_::packet_type::ack:
      if (!h->id) return fail("ack without id");
      return on_ack(*h->id, h->body);
    case sio_::packet_type::connect:
      if (state_ != state::sio_connect) return fail("unexpected Socket.IO CONNECT");
      if (role_ == role::subscriber || role_ == role::publisher) {
        state_ = state::joining;
        auto text_join = sio_::encoded{};
        (void)sio_::encode(sio_::packet{sio_::packet_type::event, "/", 0,
                                        sio::json::array({"join", w_.cfg.room})},
                           text_join);
        return send_socketio(text_join.text);
      }
      return settle();
    case sio_::packet_type::connect_error:
      return fail("CONNECT_ERROR " + std::string(h->body));
    case sio_::packet_type::disconnect:
      return fail("server disconnected the socket");
    default:
      break;
  }
  fail("unexpected Socket.IO packet: " + std::string(text.substr(0, 80)));
}

void connection::settle() {
  state_ = state::settled;
  w_.handshake.record(now_ns() - started_ns_);
  w_.settled(*this);
}

void connection::on_msg(std::string_view body) {
  if (state_ != state::settled)
    return fail(std::string("\"msg\" event in ") + state_name());
  const auto& t = w_.tpl;
  // ["msg","S<20 digits>T<20 digits>:xxx"]
  const char* p = body.data() + t.msg_payload_at;
  std::uint64_t seq = 0;
  std::uint64_t sent = 0;
  // A server with connection state recovery adds an offset: ,"<digits>"].
  bool stamped = body.size() > t.msg_body_size && body.substr(t.msg_body_size - 1, 2) == ",\"" &&
                 body.ends_with("\"]");
  if (stamped) body = body.substr(0, t.msg_body_size);
  if (body.size() != t.msg_body_size || p[0] != 'S' || !read_digits(p + 1, seq) ||
      p[1 + digits] != 'T' || !read_digits(p + 2 + digits, sent) ||
      p[2 + 2 * digits] != ':' || !body.ends_with(stamped ? "\"," : "\"]"))
    return fail("malformed \"msg\" event: " + std::string(body.substr(0, 80)));
  if (seq != next_seq_) {
    return fail("\"msg\" number " + std::to_string(seq) + " arrived where " +
                std::to_string(next_seq_) + " was expected (" +
                (seq > next_seq_ ? "lost" : "duplicated or reordered") + ")");
  }
  ++next_seq_;
  if (role_ == role::publisher) return w_.publisher_got(seq);
  auto& s = w_.stats;
  s.received.fetch_add(1, std::memory_order_relaxed);
  if (w_.current_phase() == phase::measure) {
    s.window_ops.fetch_add(1, std::memory_order_relaxed);
    std::uint64_t now = now_ns();
    w_.latency.record(now > sent ? now - sent : 0);
  }
}

void connection::on_ack(std::uint64_t id, std::string_view body) {
  if (state_ == state::joining) {
    if (id != 0 || body != "[true]") return fail("bad join ack: " + std::string(body));
    return settle();
  }
  if (role_ != role::echo || !awaiting_ack_ || id != ack_id_)
    return fail("unexpected ack " + std::to_string(id));
  if (body != w_.tpl.echo_ack_body) return fail("echo ack with other data: " +
                                                std::string(body.substr(0, 80)));
  awaiting_ack_ = false;
  auto& s = w_.stats;
  if (w_.current_phase() == phase::measure) {
    s.window_ops.fetch_add(1, std::memory_order_relaxed);
    w_.latency.record(now_ns() - sent_ns_);
  }
  if (w_.current_phase() < phase::drain) return send_echo();
  s.outstanding.fetch_sub(1, std::memory_order_relaxed);
}

void connection::send_broadcast(std::uint64_t seq) {
  std::string& text = w_.scratch;
  text.assign(w_.tpl.broadcast);
  std::uint64_t ts = now_ns();
  for (std::size_t i = digits; i-- > 0;) {
    text[w_.tpl.seq_at + i] = static_cast<char>('0' + seq % 10);
    seq /= 10;
    text[w_.tpl.ts_at + i] = static_cast<char>('0' + ts % 10);
    ts /= 10;
  }
  std::string eio_text;
  eio::encode_text_packet(eio::packet_type::message, text, eio_text);
  send_frame(ws::opcode::text, eio_text);
}

void connection::send_echo() {
  ++ack_id_;
  awaiting_ack_ = true;
  std::string& text = w_.scratch;
  text.assign("2");
  text += std::to_string(ack_id_);
  text += w_.tpl.echo_event_body;
  sent_ns_ = now_ns();
  send_socketio(text);
}

void connection::send_socketio(std::string_view sio_text) {
  std::string eio_text;
  eio::encode_text_packet(eio::packet_type::message, sio_text, eio_text);
  send_frame(ws::opcode::text, eio_text);
}

void connection::send_engineio(std::string_view eio_text) {
  send_frame(ws::opcode::text, eio_text);
}

void connection::send_frame(ws::opcode op, std::string_view payload) {
  frames::append_masked(op, payload, w_.mask(), out_);
  flush();
}

void connection::flush() {
  if (write_pending_ || out_.empty() || state_ == state::failed) return;
  write_pending_ = true;
  writing_.clear();
  writing_.swap(out_);
  asio::async_write(socket_, asio::buffer(writing_),
                    [this](const boost::system::error_code& ec, std::size_t) {
                      write_pending_ = false;
                      if (state_ == state::failed) return;
                      if (ec) return fail(std::string("write: ") + ec.message());
                      flush();
                    });
}

// ---------------------------------------------------------------------------
// worker

worker::worker(const config& c, const templates& t, const std::atomic<int>& ph,
               tcp::endpoint tgt, unsigned index, std::size_t max_handshakes)
    : cfg(c),
      tpl(t),
      target(tgt),
      phase_(ph),
      index_(index),
      max_handshakes_(std::max<std::size_t>(1, max_handshakes)),
      sweep_timer_(ioc_),
      rng_(0x9E3779B97F4A7C15ull * (index + 1) ^ now_ns()) {}

std::uint32_t worker::mask() {
  // xorshift64*: masks need only be unpredictable enough for a proxy.
  rng_ ^= rng_ >> 12;
  rng_ ^= rng_ << 25;
  rng_ ^= rng_ >> 27;
  return static_cast<std::uint32_t>((rng_ * 0x2545F4914F6CDD1Dull) >> 32);
}

void worker::add(std::size_t index, role r) {
  conns_.push_back(std::make_unique<connection>(*this, index, r));
  if (r == role::publisher) publisher_ = conns_.back().get();
}

void worker::begin() {
  asio::post(ioc_, [this] {
    pump();
    sweep();
  });
}

void worker::pump() {
  while (handshaking_ < max_handshakes_ && next_ < conns_.size()) {
    ++handshaking_;
    conns_[next_++]->start();
  }
}

void worker::sweep() {
  if (current_phase() == phase::done) return;
  if (handshaking_ > 0) {
    std::uint64_t now = now_ns();
    for (std::size_t i = 0; i < next_; ++i) {
      auto& c = *conns_[i];
      if (c.handshaking() && now > c.deadline_ns())
        c.fail(std::string("handshake timeout (") + std::to_string(cfg.handshake_timeout_ms) +
               " ms) in " + c.state_name());
    }
  }
  sweep_timer_.expires_after(std::chrono::milliseconds(100));
  sweep_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) sweep();
  });
}

void worker::settled(connection&) {
  --handshaking_;
  stats.last_settle_ns.store(now_ns(), std::memory_order_relaxed);
  stats.settled.fetch_add(1, std::memory_order_relaxed);
  pump();
}

void worker::failed(connection&, const std::string& why, bool was_handshaking) {
  if (error_log.size() < max_logged_errors) error_log.push_back(why);
  stats.errors.fetch_add(1, std::memory_order_relaxed);
  if (was_handshaking) {
    --handshaking_;
    pump();
  }
}

void worker::start_publishing() {
  asio::post(ioc_, [this] {
    if (!publisher_ || !publisher_->settled()) return;
    for (std::size_t i = 0; i < cfg.window; ++i) {
      stats.pub_inflight.fetch_add(1, std::memory_order_relaxed);
      stats.pub_sent.fetch_add(1, std::memory_order_relaxed);
      publisher_->send_broadcast(pub_next_seq_++);
    }
  });
}

void worker::publisher_got(std::uint64_t seq) {
  if (seq != pub_oldest_ || seq >= pub_next_seq_) {
    publisher_->fail("the publisher got back broadcast " + std::to_string(seq) + " out of turn");
    return;
  }
  ++pub_oldest_;
  if (current_phase() == phase::measure) stats.pub_window.fetch_add(1, std::memory_order_relaxed);
  if (current_phase() < phase::drain) {
    stats.pub_sent.fetch_add(1, std::memory_order_relaxed);
    publisher_->send_broadcast(pub_next_seq_++);
  } else {
    stats.pub_inflight.fetch_sub(1, std::memory_order_relaxed);
  }
}

void worker::start_echo() {
  asio::post(ioc_, [this] {
    for (auto& c : conns_) {
      if (!c->settled()) continue;
      stats.outstanding.fetch_add(1, std::memory_order_relaxed);
      c->send_echo();
    }
  });
}

void worker::close_all() {
  asio::post(ioc_, [this] {
    sweep_timer_.cancel();
    for (auto& c : conns_) c->stop();
  });
}

void worker::run() {
  auto guard = asio::make_work_guard(ioc_);
  ioc_.run();
}

}  // namespace sio_bench
