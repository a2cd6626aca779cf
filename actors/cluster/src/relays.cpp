#include <optional>

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>

#include "adapter_context.hpp"
#include "sio/actors/atoms.hpp"
#include "sio/actors/messages.hpp"
#include "sio/actors/metrics.hpp"
#include "sio/protocol/cluster_wire.hpp"

namespace sio::cluster::detail {

namespace wire = sio::cluster_wire;

void count_malformed(const adapter_context& ctx, std::string_view why) {
  auto n = ++ctx.stats->malformed;
  metrics::add(metrics::counter::cluster_messages_dropped);
  if (n != 1 && n % 1000 != 0) return;
  std::string detail = "nsp=" + ctx.nsp + " reason=" + std::string(why) +
                       " dropped_total=" + std::to_string(n);
  if (ctx.log) ctx.log("cluster_message_dropped", detail);
}

void count_failed_request(const adapter_context& ctx) {
  ++ctx.stats->failed_requests;
  metrics::add(metrics::counter::cluster_requests_failed);
}

void count_servers(const context_ptr& ctx, const caf::actor& gatherer, std::function<void()> then) {
  ctx->link->command({"PUBSUB", "NUMSUB", ctx->request_channel},
                     [gatherer, then = std::move(then)](std::optional<json> reply) {
                       std::int64_t n = -1;
                       if (reply && reply->is_array() && reply->size() == 2 &&
                           (*reply)[1].is_number_integer())
                         n = (*reply)[1].get<std::int64_t>();
                       if (n > 0 && then) then();
                       caf::anon_send(gatherer, atoms::server_count::value, n);
                     });
}

// -- a socket on the wire ----------------------------------------------------------

json to_wire(const remote_socket& s) {
  const auto& h = s.handshake_info;
  json hs = json::object();
  hs["headers"] = h.headers;
  hs["time"] = h.time;
  hs["address"] = h.address;
  hs["xdomain"] = h.xdomain;
  hs["secure"] = h.secure;
  hs["issued"] = h.issued;
  hs["url"] = h.url;
  hs["query"] = h.query;
  hs["auth"] = h.auth;
  json out = json::object();
  out["id"] = s.id;
  out["handshake"] = std::move(hs);
  out["rooms"] = json(std::vector<std::string>(s.rooms.begin(), s.rooms.end()));
  out["data"] = s.data.is_null() ? json::object() : s.data;
  return out;
}

std::optional<remote_socket> from_wire(const json& s, const std::string& nsp) {
  if (!s.is_object()) return std::nullopt;
  auto id = s.find("id");
  if (id == s.end() || !id->is_string()) return std::nullopt;
  remote_socket out;
  out.id = id->get<std::string>();
  out.nsp = nsp;
  if (auto rooms = s.find("rooms"); rooms != s.end() && rooms->is_array())
    for (const auto& r : *rooms)
      if (r.is_string()) out.rooms.insert(r.get<std::string>());
  if (auto data = s.find("data"); data != s.end()) out.data = *data;
  if (auto hs = s.find("handshake"); hs != s.end() && hs->is_object()) {
    auto& h = out.handshake_info;
    auto field = [&](const char* name) -> const json* {
      auto it = hs->find(name);
      return it == hs->end() ? nullptr : &*it;
    };
    if (auto v = field("headers"); v && v->is_object()) h.headers = *v;
    if (auto v = field("time"); v && v->is_string()) h.time = v->get<std::string>();
    if (auto v = field("address"); v && v->is_string()) h.address = v->get<std::string>();
    if (auto v = field("xdomain"); v && v->is_boolean()) h.xdomain = v->get<bool>();
    if (auto v = field("secure"); v && v->is_boolean()) h.secure = v->get<bool>();
    if (auto v = field("issued"); v && v->is_number()) h.issued = v->get<std::int64_t>();
    if (auto v = field("url"); v && v->is_string()) h.url = v->get<std::string>();
    if (auto v = field("query"); v && v->is_object()) h.query = *v;
    if (auto v = field("auth"); v && v->is_object()) h.auth = *v;
  }
  return out;
}

namespace {

void publish_response(const adapter_context& ctx, const json& response, bool binary) {
  if (binary) {
    ctx.link->publish(ctx.response_channel, wire::encode_msgpack(response));
    return;
  }
  std::string text;
  if (write_json(response, text)) ctx.link->publish(ctx.response_channel, std::move(text));
}

// -- fetch_sockets of this node ----------------------------------------------------

struct fetch_gatherer_state {
  context_ptr ctx;
  std::string request_id;
  caf::actor origin;
  caf::actor adapter;
  std::optional<std::size_t> local_expected;
  std::size_t local_received = 0;
  std::optional<std::int64_t> servers;
  std::int64_t responses = 0;
  std::size_t forwarded = 0;
  bool done = false;
};

using fetch_gatherer = caf::stateful_actor<fetch_gatherer_state>;

void end_request(fetch_gatherer* self, bool ok) {
  auto& st = self->state;
  if (st.done) return;
  st.done = true;
  if (ok) {
    self->send(st.origin, atoms::expect::value, st.forwarded);
  } else {
    count_failed_request(*st.ctx);
    self->send(st.origin, atoms::collect_timeout::value);
  }
  self->send(st.adapter, atoms::request_done::value, st.request_id);
  self->quit();
}

void check_fetch(fetch_gatherer* self) {
  auto& st = self->state;
  if (st.local_expected && st.local_received >= *st.local_expected && st.servers &&
      st.responses >= *st.servers - 1)
    end_request(self, true);
}

caf::behavior fetch_gatherer_behavior(fetch_gatherer* self, context_ptr ctx,
                                      std::string request_id, caf::actor origin,
                                      caf::actor adapter) {
  auto& init = self->state;
  init.request_id = std::move(request_id);
  init.origin = std::move(origin);
  init.adapter = std::move(adapter);
  self->delayed_send(self, ctx->requests_timeout, atoms::collect_timeout::value);
  init.ctx = std::move(ctx);
  return {
      [self](atoms::expect, std::size_t n) {
        self->state.local_expected = n;
        check_fetch(self);
      },
      [self](atoms::reply, remote_socket& s) {
        auto& st = self->state;
        ++st.local_received;
        ++st.forwarded;
        self->send(st.origin, atoms::reply::value, std::move(s));
        check_fetch(self);
      },
      [self](atoms::gone) {
        ++self->state.local_received;
        check_fetch(self);
      },
      [self](atoms::server_count, std::int64_t n) {
        if (n < 1) {
          end_request(self, false);
          return;
        }
        self->state.servers = n;
        check_fetch(self);
      },
      [self](atoms::remote_reply, std::vector<remote_socket>& sockets) {
        auto& st = self->state;
        ++st.responses;
        for (auto& s : sockets) {
          ++st.forwarded;
          self->send(st.origin, atoms::reply::value, std::move(s));
        }
        check_fetch(self);
      },
      [self](atoms::collect_timeout) { end_request(self, false); },
  };
}

// -- broadcast with acks of this node ---------------------------------------------

struct ack_gatherer_state {
  context_ptr ctx;
  std::string request_id;
  caf::actor origin;
  caf::actor adapter;
  std::optional<std::size_t> local_count;
  std::optional<std::int64_t> servers;
  std::int64_t counts = 0;
  std::size_t remote_clients = 0;
  bool counted = false;
};

using ack_gatherer = caf::stateful_actor<ack_gatherer_state>;

void check_acks(ack_gatherer* self) {
  auto& st = self->state;
  if (st.counted || !st.local_count || !st.servers || st.counts < *st.servers - 1) return;
  st.counted = true;
  self->send(st.origin, atoms::expect::value, *st.local_count + st.remote_clients);
}

caf::behavior ack_gatherer_behavior(ack_gatherer* self, context_ptr ctx, std::string request_id,
                                    caf::actor origin, caf::actor adapter,
                                    std::chrono::milliseconds timeout) {
  auto& init = self->state;
  init.ctx = std::move(ctx);
  init.request_id = std::move(request_id);
  init.origin = std::move(origin);
  init.adapter = std::move(adapter);
  // Replies keep coming until the origin has them all or gives up; this
  // ends with it (or at the timeout, whichever comes first).
  self->delayed_send(self, timeout, atoms::collect_timeout::value);
  self->monitor(init.origin);
  self->set_down_handler([self](caf::down_msg&) {
    self->send(self->state.adapter, atoms::request_done::value, self->state.request_id);
    self->quit();
  });
  return {
      [self](atoms::expect, std::size_t n) {
        self->state.local_count = n;
        check_acks(self);
      },
      [self](atoms::reply, args& reply) {
        self->send(self->state.origin, atoms::reply::value, std::move(reply));
      },
      [self](atoms::server_count, std::int64_t n) {
        auto& st = self->state;
        if (n < 1) {
          count_failed_request(*st.ctx);
          self->send(st.origin, atoms::collect_timeout::value);
          return;
        }
        st.servers = n;
        check_acks(self);
      },
      [self](atoms::client_count, std::int64_t n) {
        auto& st = self->state;
        ++st.counts;
        if (n > 0) st.remote_clients += static_cast<std::size_t>(n);
        check_acks(self);
      },
      [self](atoms::remote_reply, args& reply) {
        self->send(self->state.origin, atoms::reply::value, std::move(reply));
      },
      [self](atoms::collect_timeout) {
        self->send(self->state.adapter, atoms::request_done::value, self->state.request_id);
        self->quit();
      },
  };
}

// -- answers to other nodes ----------------------------------------------------------

struct fetch_answerer_state {
  context_ptr ctx;
  std::string request_id;
  bool ids_only = false;
  std::optional<std::size_t> expected;
  json sockets = json::array();
  std::size_t gone = 0;  // sockets that will not answer
};

using fetch_answerer = caf::stateful_actor<fetch_answerer_state>;

void answer_fetch(fetch_answerer* self) {
  auto& st = self->state;
  json response = json::object();
  response["requestId"] = st.request_id;
  response["sockets"] = std::move(st.sockets);
  publish_response(*st.ctx, response, false);
  self->quit();
}

caf::behavior fetch_answerer_behavior(fetch_answerer* self, context_ptr ctx,
                                      std::string request_id, bool ids_only) {
  self->state.request_id = std::move(request_id);
  self->state.ids_only = ids_only;
  self->delayed_send(self, ctx->requests_timeout, atoms::collect_timeout::value);
  self->state.ctx = std::move(ctx);
  return {
      [self](atoms::expect, std::size_t n) {
        self->state.expected = n;
        if (self->state.sockets.size() + self->state.gone >= n) answer_fetch(self);
      },
      [self](atoms::reply, const remote_socket& s) {
        auto& st = self->state;
        st.sockets.push_back(st.ids_only ? json(s.id) : to_wire(s));
        if (st.expected && st.sockets.size() + st.gone >= *st.expected) answer_fetch(self);
      },
      [self](atoms::gone) {
        auto& st = self->state;
        ++st.gone;
        if (st.expected && st.sockets.size() + st.gone >= *st.expected) answer_fetch(self);
      },
      [self](atoms::collect_timeout) { answer_fetch(self); },
  };
}

struct ack_answerer_state {
  context_ptr ctx;
  std::string request_id;
  std::optional<std::size_t> expected;
  std::size_t acked = 0;
};

caf::behavior ack_answerer_behavior(caf::stateful_actor<ack_answerer_state>* self, context_ptr ctx,
                                    std::string request_id, std::chrono::milliseconds timeout) {
  self->state.ctx = std::move(ctx);
  self->state.request_id = std::move(request_id);
  self->delayed_send(self, timeout, atoms::collect_timeout::value);
  return {
      // Sent even for 0, else the requester waits for this node until its timeout.
      [self](atoms::expect, std::size_t n) {
        json response = json::object();
        response["type"] = static_cast<int>(wire::request_type::broadcast_client_count);
        response["requestId"] = self->state.request_id;
        response["clientCount"] = n;
        publish_response(*self->state.ctx, response, false);
        self->state.expected = n;
        if (self->state.acked >= n) self->quit();
      },
      [self](atoms::reply, const args& reply) {
        json response = json::object();
        response["type"] = static_cast<int>(wire::request_type::broadcast_ack);
        response["requestId"] = self->state.request_id;
        response["packet"] = reply.empty() ? json() : reply.front();
        publish_response(*self->state.ctx, response, true);
        auto& st = self->state;
        if (++st.acked >= st.expected.value_or(SIZE_MAX)) self->quit();
      },
      [self](atoms::collect_timeout) { self->quit(); },
  };
}

}  // namespace

caf::actor spawn_fetch_gatherer(caf::actor_system& sys, context_ptr ctx, std::string request_id,
                                caf::actor origin, caf::actor adapter) {
  return sys.spawn(fetch_gatherer_behavior, std::move(ctx), std::move(request_id),
                   std::move(origin), std::move(adapter));
}

caf::actor spawn_ack_gatherer(caf::actor_system& sys, context_ptr ctx, std::string request_id,
                              caf::actor origin, caf::actor adapter,
                              std::chrono::milliseconds timeout) {
  return sys.spawn(ack_gatherer_behavior, std::move(ctx), std::move(request_id), std::move(origin),
                   std::move(adapter), timeout);
}

caf::actor spawn_fetch_answerer(caf::actor_system& sys, context_ptr ctx, std::string request_id,
                                bool ids_only) {
  return sys.spawn(fetch_answerer_behavior, std::move(ctx), std::move(request_id), ids_only);
}

caf::actor spawn_ack_answerer(caf::actor_system& sys, context_ptr ctx, std::string request_id,
                              std::chrono::milliseconds timeout) {
  return sys.spawn(ack_answerer_behavior, std::move(ctx), std::move(request_id), timeout);
}

}  // namespace sio::cluster::detail
