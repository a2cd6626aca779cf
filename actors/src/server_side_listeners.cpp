#include "server_side_listeners.hpp"

#include <cstdio>
#include <exception>

#include <caf/event_based_actor.hpp>

#include "server_state.hpp"
#include "sio/actors/server_side_emit.hpp"

namespace sio::detail {
namespace {

// A listener that throws loses its own call only: this actor is linked to
// its namespace, so an escaping exception would take every socket down.
void run_listener(const server_side_listener& listener, const server_side_emit_request& req) {
  try {
    listener(req.arguments, req.ack);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sio: a server-side listener of '%s' threw: %s\n", req.event.c_str(),
                 e.what());
  } catch (...) {
    std::fprintf(stderr, "sio: a server-side listener of '%s' threw\n", req.event.c_str());
  }
}

caf::behavior listeners_behavior(caf::event_based_actor*,
                                 std::shared_ptr<const namespace_config> config,
                                 std::shared_ptr<const std::atomic<bool>> frozen,
                                 std::shared_ptr<const observation_hook> hook) {
  return {
      [config, frozen, hook](atoms::server_side_emit, const server_side_emit_ptr& req) {
        if (req->local && req->on_replies) req->on_replies(std::nullopt, {});
        if (!req->here) return;
        std::size_t reached = 0;
        if (frozen->load()) {
          if (auto it = config->server_side_listeners.find(req->event);
              it != config->server_side_listeners.end()) {
            for (const auto& listener : it->second) run_listener(listener, *req);
            reached += it->second.size();
          }
          if (hook) reached += hook->notify_server_side_emit(config->name, req->event, req->arguments);
        }
        if (req->on_reached) req->on_reached(reached);
      },
  };
}

}  // namespace

caf::actor spawn_server_side_listeners(caf::actor_system& sys,
                                       std::shared_ptr<const namespace_config> config,
                                       std::shared_ptr<const std::atomic<bool>> frozen,
                                       std::shared_ptr<const observation_hook> hook) {
  return sys.spawn(listeners_behavior, std::move(config), std::move(frozen), std::move(hook));
}

}  // namespace sio::detail
