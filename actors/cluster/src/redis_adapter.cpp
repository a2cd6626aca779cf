#include "sio/cluster/redis_adapter.hpp"

#include <random>
#include <stdexcept>
#include <unordered_map>

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "adapter_context.hpp"
#include "sio/actors/adapter_atoms.hpp"
#include "sio/actors/atoms.hpp"
#include "sio/actors/messages.hpp"
#include "sio/protocol/cluster_wire.hpp"

namespace sio::cluster {

namespace wire = sio::cluster_wire;
using detail::context_ptr;

namespace {

// -- the adapter of one namespace ------------------------------------------------------

struct adapter_state {
  context_ptr ctx;
  caf::actor nsp;
  std::string broadcast_prefix;
  // Requests of this node waiting for other nodes: requestId -> gatherer.
  std::unordered_map<std::string, caf::actor> pending;
  std::mt19937_64 rng{std::random_device{}()};
};

using adapter_actor = caf::stateful_actor<adapter_state>;

std::string new_request_id(adapter_actor* self) { return wire::make_uid(self->state.rng()); }

std::string json_text(const json& value) {
  std::string out;
  if (!write_json(value, out)) out.clear();
  return out;
}

void publish(adapter_actor* self, const std::string& channel, std::string payload) {
  if (!payload.empty()) self->state.ctx->link->publish(channel, std::move(payload));
}

// -- what this node sends --------------------------------------------------------------

void publish_broadcast(adapter_actor* self, const broadcast_request& req) {
  const auto& ctx = *self->state.ctx;
  if (!req.event) return;
  auto channel = req.rooms.size() == 1 ? wire::room_channel(ctx.key, ctx.nsp, req.rooms.front())
                                       : wire::broadcast_channel(ctx.key, ctx.nsp);
  publish(self, channel,
          wire::encode_broadcast(ctx.uid, ctx.nsp, req.event->name, req.event->arguments,
                                 req.rooms, req.except));
}

// Broadcast with acks: published at once, as the reference does, so that
// it reaches the other nodes before anything this namespace sends next; the
// answer is the local copy, whose collector is the gatherer, which hears the
// other nodes' counts and acks through this adapter. It lives as long as the
// asker waits, which the request tells the other nodes (flags.timeout).
std::shared_ptr<const broadcast_request> run_ack_broadcast(adapter_actor* self,
                                                           const broadcast_request& req) {
  auto& st = self->state;
  const auto& ctx = st.ctx;
  auto id = new_request_id(self);
  auto timeout = req.ack_timeout.count() > 0 ? req.ack_timeout : ctx->requests_timeout;
  auto gatherer = detail::spawn_ack_gatherer(self->system(), ctx, id, req.ack_collector, self,
                                             timeout + std::chrono::seconds(1));
  st.pending.emplace(id, gatherer);
  auto local = std::make_shared<broadcast_request>(req);
  local->local = true;
  local->ack_collector = gatherer;
  if (req.ack_event) {
    json opts = wire::encode_selection(req.rooms, req.except);
    opts["flags"] = json::object();
    opts["flags"]["timeout"] = timeout.count();
    json request = json::object();
    request["uid"] = ctx->uid;
    request["requestId"] = id;
    request["type"] = static_cast<int>(wire::request_type::broadcast);
    request["packet"] =
        wire::encode_event_packet(ctx->nsp, req.ack_event->name, req.ack_event->arguments);
    request["opts"] = std::move(opts);
    publish(self, ctx->request_channel, wire::encode_msgpack(request));
  }
  detail::count_servers(ctx, gatherer);
  return local;
}

void run_fetch(adapter_actor* self, const selection_request& req) {
  auto& st = self->state;
  const auto& ctx = st.ctx;
  auto id = new_request_id(self);
  auto gatherer = detail::spawn_fetch_gatherer(self->system(), ctx, id, req.fetch_collector, self);
  st.pending.emplace(id, gatherer);
  auto local = std::make_shared<selection_request>(req);
  local->local = true;
  local->fetch_collector = gatherer;
  self->send(st.nsp, atoms::select::value, std::shared_ptr<const selection_request>(local));
  json request = json::object();
  request["uid"] = ctx->uid;
  request["requestId"] = id;
  request["type"] = static_cast<int>(wire::request_type::remote_fetch);
  request["opts"] = wire::encode_selection(req.rooms, req.except);
  auto payload = json_text(request);
  detail::count_servers(ctx, gatherer, [ctx, payload = std::move(payload)]() mutable {
    ctx->link->publish(ctx->request_channel, std::move(payload));
  });
}

void publish_command(adapter_actor* self, const selection_request& req) {
  const auto& ctx = *self->state.ctx;
  json request = json::object();
  request["uid"] = ctx.uid;
  switch (req.command.what) {
    case socket_command::kind::join:
    case socket_command::kind::leave:
      request["type"] = static_cast<int>(req.command.what == socket_command::kind::join
                                             ? wire::request_type::remote_join
                                             : wire::request_type::remote_leave);
      request["opts"] = wire::encode_selection(req.rooms, req.except);
      request["rooms"] = req.command.rooms;
      break;
    case socket_command::kind::disconnect:
      request["type"] = static_cast<int>(wire::request_type::remote_disconnect);
      request["opts"] = wire::encode_selection(req.rooms, req.except);
      request["close"] = req.command.close;
      break;
    case socket_command::kind::emit:
      return;  // only remote_socket handles emit to one socket
    case socket_command::kind::set_data:
      return;  // the adapter's wire format has no request for it
  }
  publish(self, ctx.request_channel, json_text(request));
}

// serverSideEmit: JSON {uid, type 6, data [event, ...args]}, with a
// requestId when answers are awaited.
void publish_server_side_emit(adapter_actor* self, const server_side_emit_request& req) {
  auto& st = self->state;
  const auto& ctx = st.ctx;
  json request = json::object();
  request["uid"] = ctx->uid;
  request["type"] = static_cast<int>(wire::request_type::server_side_emit);
  json data = json::array();
  data.push_back(req.event);
  for (const auto& a : req.arguments) data.push_back(a);
  request["data"] = std::move(data);
  if (!req.on_replies) {
    publish(self, ctx->request_channel, json_text(request));
    return;
  }
  auto id = new_request_id(self);
  request["requestId"] = id;
  auto text = json_text(request);
  if (text.empty()) {
    req.on_replies("the arguments cannot be sent as JSON", {});
    return;
  }
  auto timeout = req.timeout.count() > 0 ? req.timeout : ctx->requests_timeout;
  st.pending.emplace(id, detail::spawn_server_side_gatherer(self->system(), ctx, id,
                                                            std::move(text), req.on_replies,
                                                            self, timeout));
}

// -- what other nodes send ----------------------------------------------------------------

void on_broadcast_message(adapter_actor* self, std::string_view payload) {
  const auto& ctx = *self->state.ctx;
  auto message = wire::decode_broadcast(payload, ctx.nsp);
  if (!message) {
    detail::count_malformed(ctx, "broadcast");
    return;
  }
  if (message->uid == ctx.uid) return;  // delivered here when it was sent
  ++ctx.stats->received_broadcasts;
  auto req = std::make_shared<broadcast_request>();
  req->rooms = std::move(message->opts.rooms);
  req->except = std::move(message->opts.except);
  req->is_volatile = message->opts.is_volatile;
  req->local = true;
  req->frames = encode_event(ctx.nsp, message->packet.event, message->packet.arguments);
  req->event = std::make_shared<const event_copy>(event_copy{
      std::move(message->packet.event), std::move(message->packet.arguments), req->is_volatile});
  self->send(self->state.nsp, atoms::broadcast::value, std::shared_ptr<const broadcast_request>(req));
}

std::optional<std::vector<std::string>> string_list(const json& v) {
  if (!v.is_array()) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& item : v) {
    if (item.is_string())
      out.push_back(item.get<std::string>());
    else if (item.is_number_integer())
      out.push_back(item.dump());
    else
      return std::nullopt;
  }
  return out;
}

std::string string_field(const json& obj, const char* name) {
  auto it = obj.find(name);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

void apply_command(adapter_actor* self, const json& request, socket_command::kind what) {
  const auto& ctx = *self->state.ctx;
  auto req = std::make_shared<selection_request>();
  req->local = true;
  req->command.what = what;
  auto opts = request.find("opts");
  if (opts != request.end()) {
    auto selection = wire::decode_selection(*opts);
    if (!selection) {
      detail::count_malformed(ctx, "request opts");
      return;
    }
    req->rooms = std::move(selection->rooms);
    req->except = std::move(selection->except);
    if (what == socket_command::kind::disconnect) {
      auto close = request.find("close");
      req->command.close = close != request.end() && close->is_boolean() && close->get<bool>();
    } else {
      auto rooms = request.find("rooms");
      auto list = rooms == request.end() ? std::nullopt : string_list(*rooms);
      if (!list) {
        detail::count_malformed(ctx, "request rooms");
        return;
      }
      req->command.rooms = std::move(*list);
    }
  } else {
    // The per-socket form of older adapters: {sid, room | close, requestId}.
    auto sid = string_field(request, "sid");
    if (sid.empty()) {
      detail::count_malformed(ctx, "request without opts or sid");
      return;
    }
    req->rooms = {sid};
    if (what == socket_command::kind::disconnect) {
      auto close = request.find("close");
      req->command.close = close != request.end() && close->is_boolean() && close->get<bool>();
    } else {
      auto room = string_field(request, "room");
      if (room.empty()) {
        detail::count_malformed(ctx, "request without room");
        return;
      }
      req->command.rooms = {room};
    }
    if (auto id = string_field(request, "requestId"); !id.empty()) {
      json response = json::object();
      response["requestId"] = id;
      publish(self, ctx.response_channel, json_text(response));
    }
  }
  self->send(self->state.nsp, atoms::select::value, std::shared_ptr<const selection_request>(req));
}

// REMOTE_FETCH ({opts}), or SOCKETS ({rooms}: ids only).
void answer_fetch(adapter_actor* self, const json& request, bool ids_only = false) {
  const auto& ctx = self->state.ctx;
  auto id = string_field(request, "requestId");
  std::optional<wire::selection> selection;
  if (ids_only) {
    if (auto rooms = request.find("rooms"); rooms == request.end() || rooms->is_null())
      selection = wire::selection{};
    else if (auto list = string_list(*rooms))
      selection = wire::selection{std::move(*list), {}, false, std::nullopt};
  } else if (auto opts = request.find("opts"); opts != request.end()) {
    selection = wire::decode_selection(*opts);
  }
  if (id.empty() || !selection) {
    detail::count_malformed(*ctx, "fetch request");
    return;
  }
  auto req = std::make_shared<selection_request>();
  req->local = true;
  req->rooms = std::move(selection->rooms);
  req->except = std::move(selection->except);
  req->fetch_collector = detail::spawn_fetch_answerer(self->system(), ctx, id, ids_only);
  self->send(self->state.nsp, atoms::select::value, std::shared_ptr<const selection_request>(req));
}

void answer_all_rooms(adapter_actor* self, const json& request) {
  auto id = string_field(request, "requestId");
  if (id.empty()) {
    detail::count_malformed(*self->state.ctx, "rooms request");
    return;
  }
  auto ctx = self->state.ctx;
  self->request(self->state.nsp, ctx->requests_timeout, atoms::all_rooms::value)
      .then([ctx, id](std::vector<std::string>& rooms) {
        json response = json::object();
        response["requestId"] = id;
        response["rooms"] = std::move(rooms);
        std::string text;
        if (write_json(response, text)) ctx->link->publish(ctx->response_channel, std::move(text));
      },
            [](caf::error&) {});  // the namespace is gone: the requester times out
}

void answer_ack_broadcast(adapter_actor* self, const json& request) {
  const auto& ctx = self->state.ctx;
  auto id = string_field(request, "requestId");
  auto packet = request.find("packet");
  auto opts = request.find("opts");
  auto event = packet == request.end() ? std::nullopt : wire::decode_event_packet(*packet, ctx->nsp);
  auto selection = opts == request.end() ? std::nullopt : wire::decode_selection(*opts);
  if (id.empty() || !event || !selection) {
    detail::count_malformed(*ctx, "broadcast request");
    return;
  }
  auto timeout = std::chrono::milliseconds(
      std::clamp<std::int64_t>(selection->timeout_ms.value_or(ctx->requests_timeout.count()), 0,
                               600000));
  auto req = std::make_shared<broadcast_request>();
  req->local = true;
  req->rooms = std::move(selection->rooms);
  req->except = std::move(selection->except);
  req->ack_id = next_ack_id();
  req->frames = encode_event(ctx->nsp, event->event, std::move(event->arguments), req->ack_id);
  req->ack_collector = detail::spawn_ack_answerer(self->system(), ctx, id, timeout);
  self->send(self->state.nsp, atoms::broadcast::value, std::shared_ptr<const broadcast_request>(req));
}

// Another node's (or the emitter's) serverSideEmit: to this node's
// listeners; one that awaits answers gets them on the response channel.
void on_server_side_emit(adapter_actor* self, const json& request) {
  const auto& ctx = self->state.ctx;
  auto data = request.find("data");
  if (data == request.end() || !data->is_array() || data->empty() || !data->front().is_string()) {
    detail::count_malformed(*ctx, "server-side emit");
    return;
  }
  auto req = std::make_shared<server_side_emit_request>();
  req->local = true;
  req->here = true;
  req->event = data->front().get<std::string>();
  req->arguments.assign(data->begin() + 1, data->end());
  if (auto id = string_field(request, "requestId"); !id.empty())
    req->ack = detail::server_side_responder(ctx, std::move(id));
  self->send(self->state.nsp, atoms::server_side_emit::value, server_side_emit_ptr(std::move(req)));
}

void on_request(adapter_actor* self, std::string_view payload) {
  const auto& ctx = *self->state.ctx;
  auto request = wire::decode_message(payload);
  const json* type = nullptr;
  if (request)
    if (auto it = request->find("type"); it != request->end() && it->is_number_integer())
      type = &*it;
  if (!type) {
    detail::count_malformed(ctx, "request");
    return;
  }
  // Own requests come back too; every local part was done when sent.
  if (string_field(*request, "uid") == ctx.uid) return;
  switch (static_cast<wire::request_type>(type->get<std::int64_t>())) {
    case wire::request_type::remote_join:
      apply_command(self, *request, socket_command::kind::join);
      return;
    case wire::request_type::remote_leave:
      apply_command(self, *request, socket_command::kind::leave);
      return;
    case wire::request_type::remote_disconnect:
      apply_command(self, *request, socket_command::kind::disconnect);
      return;
    case wire::request_type::remote_fetch:
      answer_fetch(self, *request);
      return;
    case wire::request_type::broadcast:
      answer_ack_broadcast(self, *request);
      return;
    case wire::request_type::sockets:
      answer_fetch(self, *request, true);
      return;
    case wire::request_type::all_rooms:
      answer_all_rooms(self, *request);
      return;
    case wire::request_type::server_side_emit:
      on_server_side_emit(self, *request);
      return;
    default:
      detail::count_malformed(ctx, "request type");
      return;
  }
}

void on_response(adapter_actor* self, std::string_view payload) {
  auto& st = self->state;
  const auto& ctx = *st.ctx;
  auto response = wire::decode_message(payload);
  if (!response) {
    detail::count_malformed(ctx, "response");
    return;
  }
  auto it = st.pending.find(string_field(*response, "requestId"));
  if (it == st.pending.end()) return;  // another node's, or ended already
  const auto& gatherer = it->second;
  auto type = response->find("type");
  auto t = type != response->end() && type->is_number_integer() ? type->get<std::int64_t>() : -1;
  if (t == static_cast<int>(wire::request_type::server_side_emit)) {
    auto data = response->find("data");
    self->send(gatherer, atoms::remote_reply::value,
               args{data != response->end() ? *data : json()});
  } else if (t == static_cast<int>(wire::request_type::broadcast_client_count)) {
    auto n = response->find("clientCount");
    self->send(gatherer, atoms::client_count::value,
               n != response->end() && n->is_number_integer() ? n->get<std::int64_t>()
                                                               : std::int64_t{0});
  } else if (t == static_cast<int>(wire::request_type::broadcast_ack)) {
    auto packet = response->find("packet");
    self->send(gatherer, atoms::remote_reply::value,
               args{packet != response->end() ? *packet : json()});
  } else if (auto sockets = response->find("sockets");
             sockets != response->end() && sockets->is_array()) {
    std::vector<remote_socket> out;
    for (const auto& s : *sockets)
      if (auto r = detail::from_wire(s, ctx.nsp)) {
        r->nsp_actor = st.nsp;  // actions on it go through the cluster
        out.push_back(std::move(*r));
      }
    self->send(gatherer, atoms::remote_reply::value, std::move(out));
  }
}

caf::behavior adapter_behavior(adapter_actor* self, context_ptr ctx, caf::actor nsp) {
  auto& st = self->state;
  st.ctx = ctx;
  st.nsp = std::move(nsp);
  st.broadcast_prefix = wire::broadcast_channel(ctx->key, ctx->nsp);
  caf::actor me = caf::actor_cast<caf::actor>(self);
  ctx->link->psubscribe(wire::broadcast_pattern(ctx->key, ctx->nsp), me);
  ctx->link->subscribe(ctx->request_channel, me);
  ctx->link->subscribe(ctx->response_channel, me);
  ctx->link->subscribe(wire::response_channel(ctx->key, ctx->nsp, ctx->uid), me);
  self->attach_functor([link = ctx->link, me] { link->unsubscribe(me); });
  return {
      [self](atoms::broadcast, const std::shared_ptr<const broadcast_request>& req) {
        publish_broadcast(self, *req);
      },
      [self](atoms::cluster_acks, const std::shared_ptr<const broadcast_request>& req) {
        return run_ack_broadcast(self, *req);
      },
      [self](atoms::select, const std::shared_ptr<const selection_request>& req) {
        if (req->fetch_collector)
          run_fetch(self, *req);
        else
          publish_command(self, *req);
      },
      [self](atoms::redis_message, const std::string& channel, const std::string& payload) {
        const auto& c = *self->state.ctx;
        if (channel == c.request_channel)
          on_request(self, payload);
        else if (channel.compare(0, c.response_channel.size(), c.response_channel) == 0)
          on_response(self, payload);
        else if (channel.compare(0, self->state.broadcast_prefix.size(),
                                 self->state.broadcast_prefix) == 0)
          on_broadcast_message(self, payload);
      },
      [self](atoms::server_side_emit, const server_side_emit_ptr& req) {
        publish_server_side_emit(self, *req);
      },
      [self](atoms::request_done, const std::string& id) { self->state.pending.erase(id); },
  };
}

}  // namespace

redis_cluster::redis_cluster(redis_adapter_options options)
    : options_(std::move(options)), stats_(std::make_shared<redis_adapter_stats>()) {
  auto link_options = parse_redis_url(options_.url);
  if (!link_options) throw std::invalid_argument("not a redis://HOST:PORT URL: " + options_.url);
  link_options->log = options_.log;
  link_ = redis_link::start(std::move(*link_options));
}

adapter_factory redis_cluster::adapter() const {
  return [options = options_, link = link_, stats = stats_](
             caf::actor_system& sys, const std::string& nsp, const caf::actor& nsp_actor) {
    auto ctx = std::make_shared<detail::adapter_context>();
    ctx->nsp = nsp;
    ctx->key = options.key;
    ctx->uid = wire::make_uid(std::random_device{}() ^
                              (static_cast<std::uint64_t>(std::random_device{}()) << 32));
    ctx->request_channel = wire::request_channel(options.key, nsp);
    ctx->response_channel = wire::response_channel(options.key, nsp);
    ctx->link = link;
    ctx->stats = stats;
    ctx->requests_timeout = options.requests_timeout;
    ctx->log = options.log;
    return sys.spawn(adapter_behavior, context_ptr(std::move(ctx)), nsp_actor);
  };
}

}  // namespace sio::cluster
