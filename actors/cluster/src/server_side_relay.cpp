#include <atomic>
#include <optional>

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>

#include "adapter_context.hpp"
#include "sio/actors/atoms.hpp"
#include "sio/actors/messages.hpp"
#include "sio/protocol/cluster_wire.hpp"

namespace sio::cluster::detail {

namespace wire = sio::cluster_wire;

namespace {

struct gatherer_state {
  context_ptr ctx;
  std::string request_id;
  server_side_replies done;
  caf::actor adapter;
  // Answers awaited: the other nodes, once the server count is known.
  std::optional<std::int64_t> expected;
  args replies;
};

using gatherer = caf::stateful_actor<gatherer_state>;

void finish(gatherer* self, std::optional<std::string> error) {
  auto& st = self->state;
  if (error) count_failed_request(*st.ctx);
  st.done(std::move(error), std::move(st.replies));
  self->send(st.adapter, atoms::request_done::value, st.request_id);
  self->quit();
}

void check(gatherer* self) {
  auto& st = self->state;
  if (st.expected && static_cast<std::int64_t>(st.replies.size()) >= *st.expected)
    finish(self, std::nullopt);
}

caf::behavior gatherer_behavior(gatherer* self, context_ptr ctx, std::string request_id,
                                std::string request, server_side_replies done, caf::actor adapter,
                                std::chrono::milliseconds timeout) {
  auto& init = self->state;
  init.request_id = std::move(request_id);
  init.done = std::move(done);
  init.adapter = std::move(adapter);
  self->delayed_send(self, timeout, atoms::collect_timeout::value);
  // As the reference: the request goes out only when another node may answer it.
  auto me = caf::actor_cast<caf::actor>(self);
  ctx->link->command({"PUBSUB", "NUMSUB", ctx->request_channel},
                     [ctx, me, request = std::move(request)](std::optional<json> reply) mutable {
                       std::int64_t n = -1;
                       if (reply && reply->is_array() && reply->size() == 2 &&
                           (*reply)[1].is_number_integer())
                         n = (*reply)[1].get<std::int64_t>();
                       if (n > 1) ctx->link->publish(ctx->request_channel, std::move(request));
                       caf::anon_send(me, atoms::server_count::value, n);
                     });
  init.ctx = std::move(ctx);
  return {
      [self](atoms::server_count, std::int64_t n) {
        if (n < 1) return finish(self, "the cluster is unreachable (Redis is down)");
        self->state.expected = n - 1;
        check(self);
      },
      [self](atoms::remote_reply, args& reply) {
        auto& st = self->state;
        st.replies.push_back(reply.empty() ? json() : std::move(reply.front()));
        check(self);
      },
      [self](atoms::collect_timeout) {
        auto& st = self->state;
        finish(self, "timeout reached: only " + std::to_string(st.replies.size()) +
                         " responses received out of " +
                         (st.expected ? std::to_string(*st.expected) : std::string("?")));
      },
  };
}

}  // namespace

caf::actor spawn_server_side_gatherer(caf::actor_system& sys, context_ptr ctx,
                                      std::string request_id, std::string request,
                                      server_side_replies done, caf::actor adapter,
                                      std::chrono::milliseconds timeout) {
  return sys.spawn(gatherer_behavior, std::move(ctx), std::move(request_id), std::move(request),
                   std::move(done), std::move(adapter), timeout);
}

server_side_ack server_side_responder(context_ptr ctx, std::string request_id) {
  auto called = std::make_shared<std::atomic<bool>>(false);
  return [ctx = std::move(ctx), id = std::move(request_id), called](json reply) {
    if (called->exchange(true)) return;  // only the first answer counts
    json response = json::object();
    response["type"] = static_cast<int>(wire::request_type::server_side_emit);
    response["requestId"] = id;
    response["data"] = std::move(reply);
    std::string text;
    if (write_json(response, text)) ctx->link->publish(ctx->response_channel, std::move(text));
  };
}

}  // namespace sio::cluster::detail
