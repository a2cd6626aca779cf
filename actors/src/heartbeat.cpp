// One timer for the heartbeats of many connections: a heap of wake-ups
// ordered by time, and a CAF timer for the earliest only.
#include "sio/actors/heartbeat.hpp"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include <caf/actor_cast.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "sio/actors/atoms.hpp"

namespace sio {
namespace {

using time_point = caf::actor_clock::time_point;

struct wake_up {
  time_point due;
  caf::actor_addr target;  // weak: a closed connection is not kept alive
  caf::atom_value what;
  std::uint64_t generation;
};

// For std::push_heap and friends: the earliest wake-up on top.
bool later(const wake_up& x, const wake_up& y) { return x.due > y.due; }

struct heartbeat_state {
  std::vector<wake_up> heap;
  // The earliest tick on its way, if any. Ticks cannot be cancelled: one
  // armed for later than a new earliest wake-up stays, and finds less to do.
  std::optional<time_point> armed;
};

using heartbeat_actor = caf::stateful_actor<heartbeat_state>;

void arm(heartbeat_actor* self) {
  auto& st = self->state;
  if (st.heap.empty()) return;
  auto due = st.heap.front().due;
  if (st.armed && *st.armed <= due) return;
  st.armed = due;
  auto now = self->clock().now();
  auto delay = due > now ? due - now : caf::timespan{0};
  self->delayed_send(self, delay, atoms::tick::value, due.time_since_epoch().count());
}

void on_tick(heartbeat_actor* self, time_point::rep at) {
  auto& st = self->state;
  if (st.armed && st.armed->time_since_epoch().count() == at) st.armed.reset();
  auto now = self->clock().now();
  while (!st.heap.empty() && st.heap.front().due <= now) {
    std::pop_heap(st.heap.begin(), st.heap.end(), later);
    auto w = std::move(st.heap.back());
    st.heap.pop_back();
    if (auto target = caf::actor_cast<caf::actor>(w.target))
      caf::anon_send(target, w.what, w.generation);
  }
  // The heap shrinks as connections close: give back what a crowd left.
  if (st.heap.capacity() > 64 && st.heap.size() < st.heap.capacity() / 4) st.heap.shrink_to_fit();
  arm(self);
}

caf::behavior heartbeat(heartbeat_actor* self) {
  return {
      [self](atoms::wake, caf::timespan delay, caf::atom_value what, std::uint64_t generation) {
        auto& st = self->state;
        auto target = caf::actor_cast<caf::actor_addr>(self->current_sender());
        if (!target) return;
        st.heap.push_back({self->clock().now() + delay, std::move(target), what, generation});
        std::push_heap(st.heap.begin(), st.heap.end(), later);
        arm(self);
      },
      [self](atoms::tick, time_point::rep at) { on_tick(self, at); },
  };
}

}  // namespace

caf::actor spawn_heartbeat(caf::actor_system& sys) { return sys.spawn(heartbeat); }

}  // namespace sio
