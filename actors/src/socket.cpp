#include "sio/actors/socket.hpp"

#include <atomic>
#include <chrono>
#include <utility>

#include "broadcast_handout.hpp"
#include "client_layer.hpp"
#include "collectors.hpp"
#include "recovery_store.hpp"
#include "sio/actors/atoms.hpp"
#include "sio/actors/messages.hpp"
#include "sio/actors/metrics.hpp"

namespace sio {

namespace sp = socketio;

socket::socket(detail::client_layer& client, std::string id, std::string nsp, caf::actor nsp_actor,
               std::uint64_t key, json auth)
    : client_(&client),
      id_(std::move(id)),
      nsp_(std::move(nsp)),
      nsp_actor_(std::move(nsp_actor)),
      key_(key),
      auth_(std::move(auth)) {}

const handshake& socket::handshake_info() const {
  static const handshake gone{};
  if (!handshake_ && !client_) return gone;
  if (!handshake_) handshake_ = std::make_unique<const handshake>(client_->make_handshake(auth_));
  return *handshake_;
}

void socket::on(std::string event, event_handler handler) {
  handlers_.emplace_back(std::move(event), std::move(handler));
}

namespace {

sp::packet event_packet(const std::string& nsp, std::string_view event, args arguments) {
  json data = json::array();
  auto& items = data.get_ref<json::array_t&>();
  items.reserve(arguments.size() + 1);
  items.emplace_back(std::string(event));
  for (auto& a : arguments) items.push_back(std::move(a));
  sp::packet p;
  p.type = sp::packet_type::event;
  p.nsp = nsp;
  p.data = std::move(data);
  return p;
}

}  // namespace

std::size_t socket::buffered_amount() const noexcept {
  return client_ ? client_->buffered_amount() : 0;
}

bool socket::plain() const noexcept { return client_ && client_->plain(); }

void socket::volatile_emitter::emit(std::string_view event, args arguments) const {
  auto& s = socket_;
  if (!s.connected_ || !s.client_) return;
  // As a volatile broadcast: dropped when the connection cannot take it now.
  if (!s.client_->writable()) {
    metrics::add(metrics::counter::volatile_dropped);
    return;
  }
  for (const auto& h : s.listeners().any_outgoing) h(s, std::string(event), arguments);
  metrics::add(metrics::counter::events_out);
  s.client_->send_packet(event_packet(s.nsp_, event, std::move(arguments)));
}

void socket::pause_reading() {
  if (client_) client_->pause_reading();
}

void socket::resume_reading() {
  if (client_) client_->resume_reading();
}

std::string_view socket::transport() const noexcept {
  return client_ ? client_->transport_name() : std::string_view{};
}

void socket::emit(std::string_view event, args arguments) {
  if (!pid_.empty()) {
    emit_recoverable(event, std::move(arguments));
    return;
  }
  if (!connected_) return;
  for (const auto& h : listeners().any_outgoing) h(*this, std::string(event), arguments);
  metrics::add(metrics::counter::events_out);
  client_->send_packet(event_packet(nsp_, event, std::move(arguments)));
}

// With recovery, as the reference: the event carries an offset as its last
// argument and the namespace keeps it, so a client that lost it gets it
// again; an emit to a socket whose client is away waits there for it.
void socket::emit_recoverable(std::string_view event, args arguments) {
  auto offset = detail::next_offset();
  if (connected_)
    for (const auto& h : listeners().any_outgoing) h(*this, std::string(event), arguments);
  arguments.emplace_back(std::to_string(offset));
  auto frames = encode_event(nsp_, event, std::move(arguments));
  if (connected_ && client_) client_->send_frames(*frames);
  // Not through client_: a socket handle may outlive its connection.
  caf::anon_send(nsp_actor_, atoms::record::value, id_, offset, std::move(frames));
}

void socket::emit_with_ack(std::string_view event, args arguments, ack_callback callback,
                           std::optional<std::chrono::milliseconds> timeout) {
  emit_with_ack(
      event, std::move(arguments),
      [callback = std::move(callback)](ack_status status, args reply) {
        if (status == ack_status::acked)
          callback(std::move(reply));
        else
          callback(std::nullopt);
      },
      timeout);
}

void socket::emit_with_ack(std::string_view event, args arguments, ack_status_callback callback,
                           std::optional<std::chrono::milliseconds> timeout) {
  if (!connected_) {
    callback(ack_status::disconnected, {});
    return;
  }
  for (const auto& h : listeners().any_outgoing) h(*this, std::string(event), arguments);
  auto id = next_ack_id();
  auto p = event_packet(nsp_, event, std::move(arguments));
  p.id = id;
  metrics::add(metrics::counter::events_out);
  // The ack's round trip, for the latency histogram; a timeout is no answer.
  pending_acks_.emplace(id, [callback = std::move(callback), sent = std::chrono::steady_clock::now()](
                                ack_status status, args reply) {
    if (status == ack_status::acked) {
      auto took = std::chrono::steady_clock::now() - sent;
      metrics::ack_latency(std::chrono::duration_cast<std::chrono::microseconds>(took).count());
    }
    callback(status, std::move(reply));
  });
  client_->send_packet(p);
  client_->start_ack_timer(*this, id, timeout.value_or(client_->options().default_ack_timeout));
}

caf::actor socket::connection() const {
  return client_ ? caf::actor_cast<caf::actor>(client_->self()) : caf::actor{};
}

sio::broadcast socket::nsp_broadcast() const {
  if (!client_) return sio::broadcast{nsp_actor_, nsp_};
  return sio::broadcast{nsp_actor_, nsp_, caf::actor_cast<caf::actor>(client_->self()),
                   client_->options().default_ack_timeout};
}

socket::extra_listeners& socket::extras() {
  if (!extras_) extras_ = std::make_unique<extra_listeners>();
  return *extras_;
}

const socket::extra_listeners& socket::listeners() const {
  static const extra_listeners none;
  return extras_ ? *extras_ : none;
}

ack_status_callback socket::take_ack(std::uint64_t id) {
  auto it = pending_acks_.find(id);
  if (it == pending_acks_.end()) return {};
  auto callback = std::move(it->second);
  pending_acks_.erase(it);
  return callback;
}

std::set<std::string> socket::rooms() const {
  auto all = rooms_;
  if (in_own_room_) all.insert(id_);
  return all;
}

bool socket::note_joined(const std::string& room) {
  if (room != id_) return rooms_.insert(room).second;
  return !std::exchange(in_own_room_, true);
}

bool socket::note_left(const std::string& room) {
  if (room != id_) return rooms_.erase(room) > 0;
  return std::exchange(in_own_room_, false);
}

void socket::join(const std::string& room) {
  if (!connected_ || !note_joined(room)) return;
  client_->self()->send(nsp_actor_, atoms::join::value, id_, room);
}

void socket::join(const std::vector<std::string>& rooms) {
  for (const auto& room : rooms) join(room);
}

void socket::leave(const std::string& room) {
  if (!connected_ || !note_left(room)) return;
  client_->self()->send(nsp_actor_, atoms::leave::value, id_, room);
}

void socket::disconnect(bool close) {
  if (!connected_) return;
  if (close) {
    client_->disconnect_all();
    return;
  }
  sp::packet p;
  p.type = sp::packet_type::disconnect;
  p.nsp = nsp_;
  client_->send_packet(p);
  client_->close_socket(*this, "server namespace disconnect");
}

// -- broadcast ----------------------------------------------------------------

std::uint64_t next_ack_id() {
  static std::atomic<std::uint64_t> counter{0};
  return counter.fetch_add(1, std::memory_order_relaxed);
}

frame_batch encode_event(std::string_view nsp, std::string_view event, args arguments,
                         std::optional<std::uint64_t> ack_id) {
  auto p = event_packet(std::string(nsp), event, std::move(arguments));
  p.id = ack_id;
  sp::encoded out;
  auto frames = std::make_shared<std::vector<frame>>();
  if (!sp::encode(p, out)) return frames;
  std::string text;
  text.reserve(out.text.size() + 1);
  text.push_back('4');
  text.append(out.text);
  frames->reserve(1 + out.attachments.size());
  frames->push_back(frame::text(std::move(text)));
  for (auto& a : out.attachments) frames->push_back(frame::bytes(std::move(a)));
  return frames;
}

namespace {

constexpr std::chrono::milliseconds default_broadcast_timeout{30000};

}  // namespace

void broadcast::emit(std::string_view event, args arguments) const {
  if (!nsp_) return;
  auto req = std::make_shared<broadcast_request>();
  req->rooms = rooms_;
  req->except = except_;
  req->is_volatile = volatile_flag_;
  req->local = local_;
  req->frames = encode_event(nsp_name_, event, arguments);
  req->event = std::make_shared<const event_copy>(
      event_copy{std::string(event), std::move(arguments), volatile_flag_});
  req->handed_out_to = connection_awaiting_handout();
  caf::anon_send(nsp_, atoms::broadcast::value, std::shared_ptr<const broadcast_request>(req));
}

void broadcast::emit(std::string_view event, args arguments, count_callback on_sent) const {
  if (!nsp_) {
    on_sent(0);
    return;
  }
  auto req = std::make_shared<broadcast_request>();
  req->rooms = rooms_;
  req->except = except_;
  req->is_volatile = volatile_flag_;
  req->local = local_;
  req->frames = encode_event(nsp_name_, event, arguments);
  req->event = std::make_shared<const event_copy>(
      event_copy{std::string(event), std::move(arguments), volatile_flag_});
  req->count_reply = detail::spawn_count_collector(nsp_.home_system(), std::move(on_sent), origin_);
  req->handed_out_to = connection_awaiting_handout();
  caf::anon_send(nsp_, atoms::broadcast::value, std::shared_ptr<const broadcast_request>(req));
}

void broadcast::emit_with_socket_acks(std::string_view event, args arguments,
                                      socket_acks_callback callback) const {
  emit_with_socket_acks(event, std::move(arguments), {}, std::move(callback));
}

void broadcast::emit_with_socket_acks(std::string_view event, args arguments,
                                      socket_ack_progress progress,
                                      socket_acks_callback callback) const {
  if (!nsp_) {
    if (progress.dispatched) progress.dispatched(0);
    callback({}, true);
    return;
  }
  auto timeout = timeout_.value_or(default_timeout_);
  auto req = std::make_shared<broadcast_request>();
  req->rooms = rooms_;
  req->except = except_;
  req->is_volatile = volatile_flag_;
  req->ack_id = next_ack_id();
  req->frames = encode_event(nsp_name_, event, arguments, req->ack_id);
  req->event = std::make_shared<const event_copy>(
      event_copy{std::string(event), std::move(arguments), volatile_flag_});
  req->ack_each = true;
  req->ack_timeout = timeout;
  req->ack_collector = detail::spawn_socket_ack_collector(
      nsp_.home_system(), timeout, std::move(callback), origin_, std::move(progress));
  req->handed_out_to = connection_awaiting_handout();
  caf::anon_send(nsp_, atoms::broadcast::value, std::shared_ptr<const broadcast_request>(req));
}

void broadcast::count_sockets(count_callback callback) const {
  if (!nsp_) {
    callback(0);
    return;
  }
  auto req = std::make_shared<selection_request>();
  req->rooms = rooms_;
  req->except = except_;
  req->count_only = true;
  // Counted on this node: the cluster adapter has no count request.
  req->local = true;
  req->count_reply = detail::spawn_count_collector(nsp_.home_system(), std::move(callback), origin_);
  caf::anon_send(nsp_, atoms::select::value, std::shared_ptr<const selection_request>(req));
}

void broadcast::emit_with_ack(std::string_view event, args arguments,
                              broadcast_ack_callback callback) const {
  if (!nsp_) {
    callback({}, false);
    return;
  }
  auto req = std::make_shared<broadcast_request>();
  req->rooms = rooms_;
  req->except = except_;
  req->ack_id = next_ack_id();
  req->local = local_;
  req->ack_event = std::make_shared<const event_copy>(event_copy{std::string(event), arguments});
  req->frames = encode_event(nsp_name_, event, std::move(arguments), req->ack_id);
  req->ack_timeout = timeout_.value_or(default_timeout_);
  req->ack_collector = detail::spawn_ack_collector(nsp_.home_system(), req->ack_timeout,
                                                   std::move(callback), origin_);
  req->handed_out_to = connection_awaiting_handout();
  caf::anon_send(nsp_, atoms::broadcast::value, std::shared_ptr<const broadcast_request>(req));
}

void broadcast::fetch_sockets(std::function<void(std::vector<remote_socket>)> callback) const {
  if (!nsp_) {
    callback({});
    return;
  }
  fetch_sockets_checked([callback = std::move(callback)](std::vector<remote_socket> sockets,
                                                          bool) { callback(std::move(sockets)); });
}

void broadcast::fetch_sockets_checked(
    std::function<void(std::vector<remote_socket>, bool complete)> callback) const {
  if (!nsp_) {
    callback({}, true);
    return;
  }
  auto req = std::make_shared<selection_request>();
  req->rooms = rooms_;
  req->except = except_;
  req->local = local_;
  req->fetch_collector = detail::spawn_fetch_collector(nsp_.home_system(),
                                                       timeout_.value_or(default_broadcast_timeout),
                                                       std::move(callback), origin_);
  caf::anon_send(nsp_, atoms::select::value, std::shared_ptr<const selection_request>(req));
}

void broadcast::select(socket_command cmd, count_callback done) const {
  if (!nsp_) {
    if (done) done(0);
    return;
  }
  auto req = std::make_shared<selection_request>();
  req->rooms = rooms_;
  req->except = except_;
  req->local = local_;
  req->command = std::move(cmd);
  if (done)
    req->count_reply = detail::spawn_count_collector(nsp_.home_system(), std::move(done), origin_);
  caf::anon_send(nsp_, atoms::select::value, std::shared_ptr<const selection_request>(req));
}

void broadcast::sockets_join(std::vector<std::string> rooms) const {
  select({socket_command::kind::join, std::move(rooms), false, nullptr});
}

void broadcast::sockets_leave(std::vector<std::string> rooms) const {
  select({socket_command::kind::leave, std::move(rooms), false, nullptr});
}

void broadcast::disconnect_sockets(bool close) const {
  select({socket_command::kind::disconnect, {}, close, nullptr});
}

void broadcast::sockets_join(std::vector<std::string> rooms, count_callback done) const {
  select({socket_command::kind::join, std::move(rooms), false, nullptr}, std::move(done));
}

void broadcast::sockets_leave(std::vector<std::string> rooms, count_callback done) const {
  select({socket_command::kind::leave, std::move(rooms), false, nullptr}, std::move(done));
}

void broadcast::disconnect_sockets(bool close, count_callback done) const {
  select({socket_command::kind::disconnect, {}, close, nullptr}, std::move(done));
}

// -- remote_socket --------------------------------------------------------------

void remote_socket::command(socket_command cmd) const {
  if (connection) {
    caf::anon_send(connection, atoms::socket_command::value, key, std::move(cmd));
    return;
  }
  if (!nsp_actor) return;
  broadcast to_it{nsp_actor, nsp};
  to_it.to(id);
  switch (cmd.what) {
    case socket_command::kind::join: to_it.sockets_join(std::move(cmd.rooms)); break;
    case socket_command::kind::leave: to_it.sockets_leave(std::move(cmd.rooms)); break;
    case socket_command::kind::disconnect: to_it.disconnect_sockets(cmd.close); break;
    case socket_command::kind::emit: break;  // emit() broadcasts itself
    case socket_command::kind::set_data: break;  // data is set where the socket lives
  }
}

void remote_socket::emit(std::string_view event, args arguments) const {
  if (!connection && nsp_actor) {
    broadcast{nsp_actor, nsp}.to(id).emit(event, std::move(arguments));
    return;
  }
  command({socket_command::kind::emit, {}, false, encode_event(nsp, event, std::move(arguments))});
}

void remote_socket::join(std::vector<std::string> rooms_to_join) const {
  command({socket_command::kind::join, std::move(rooms_to_join), false, nullptr});
}

void remote_socket::leave(std::vector<std::string> rooms_to_leave) const {
  command({socket_command::kind::leave, std::move(rooms_to_leave), false, nullptr});
}

void remote_socket::disconnect(bool close) const {
  command({socket_command::kind::disconnect, {}, close, nullptr});
}

}  // namespace sio
