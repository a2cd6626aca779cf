#include "call_registry.hpp"

#include <functional>
#include <unordered_map>

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "sio/actors/messages.hpp"
#include "streams.hpp"

namespace sio::rpc {
namespace {

struct registry_state {
  std::unordered_map<std::uint64_t, std::function<void()>> calls;
  bool shutting_down = false;
};

caf::behavior registry(caf::stateful_actor<registry_state>* self) {
  return {
      [self](atoms::track, std::uint64_t id, std::function<void()>& end) {
        if (self->state.shutting_down) return end();
        self->state.calls.emplace(id, std::move(end));
      },
      [self](atoms::untrack, std::uint64_t id) { self->state.calls.erase(id); },
      [self](atoms::shut_down) {
        auto& st = self->state;
        st.shutting_down = true;
        auto calls = std::move(st.calls);
        st.calls.clear();
        for (auto& [id, end] : calls) end();
        return true;
      },
  };
}

}  // namespace

caf::actor spawn_call_registry(caf::actor_system& sys) { return sys.spawn(registry); }

}  // namespace sio::rpc
