#include "sio/actors/socket.hpp"

#include "client_layer.hpp"
#include "sio/actors/atoms.hpp"
#include "sio/actors/messages.hpp"

namespace sio {

namespace sp = socketio;

socket::socket(detail::client_layer& client, std::string id, std::string nsp,
               caf::actor nsp_actor, std::uint64_t key, handshake hs)
    : client_(client),
      id_(std::move(id)),
      nsp_(std::move(nsp)),
      nsp_actor_(std::move(nsp_actor)),
      key_(key),
      handshake_(std::move(hs)) {}

void socket::on(std::string event, event_handler handler) {
  handlers_[std::move(event)].push_back(std::move(handler));
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

void socket::emit(std::string_view event, args arguments) {
  if (!connected_) return;
  for (const auto& h : any_outgoing_) h(*this, std::string(event), arguments);
  client_.send_packet(event_packet(nsp_, event, std::move(arguments)));
}

void socket::emit_with_ack(std::string_view event, args arguments, ack_callback callback,
                           std::optional<std::chrono::milliseconds> timeout) {
  if (!connected_) {
    callback(std::nullopt);
    return;
  }
  for (const auto& h : any_outgoing_) h(*this, std::string(event), arguments);
  auto id = next_ack_id_++;
  auto p = event_packet(nsp_, event, std::move(arguments));
  p.id = id;
  pending_acks_.emplace(id, std::move(callback));
  client_.send_packet(p);
  client_.start_ack_timer(*this, id, timeout.value_or(client_.options().default_ack_timeout));
}

void socket::join(const std::string& room) {
  if (!connected_ || !rooms_.insert(room).second) return;
  client_.self()->send(nsp_actor_, atoms::join::value, id_, room);
}

void socket::join(const std::vector<std::string>& rooms) {
  for (const auto& room : rooms) join(room);
}

void socket::leave(const std::string& room) {
  if (!connected_ || rooms_.erase(room) == 0) return;
  client_.self()->send(nsp_actor_, atoms::leave::value, id_, room);
}

void socket::disconnect(bool close) {
  if (!connected_) return;
  if (close) {
    client_.disconnect_all();
    return;
  }
  sp::packet p;
  p.type = sp::packet_type::disconnect;
  p.nsp = nsp_;
  client_.send_packet(p);
  client_.close_socket(*this, "server namespace disconnect");
}

// -- broadcast ----------------------------------------------------------------

frame_batch encode_event(std::string_view nsp, std::string_view event, args arguments) {
  auto p = event_packet(std::string(nsp), event, std::move(arguments));
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

void broadcast::emit(std::string_view event, args arguments) const {
  if (!nsp_) return;
  auto req = std::make_shared<broadcast_request>();
  req->rooms = rooms_;
  req->except = except_;
  req->is_volatile = volatile_flag_;
  req->frames = encode_event(nsp_name_, event, std::move(arguments));
  caf::anon_send(nsp_, atoms::broadcast::value, std::shared_ptr<const broadcast_request>(req));
}

}  // namespace sio
