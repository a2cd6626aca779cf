#include "sio/actors/observer.hpp"

#include <unordered_set>

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>

namespace sio {
namespace {

struct hub_state {
  std::shared_ptr<std::atomic<std::size_t>> count;
  std::unordered_set<caf::actor> watchers;
};

using hub_actor = caf::stateful_actor<hub_state>;

// Keeps the watchers and hands each report to all of them: reports from any
// thread reach every watcher in one order.
caf::behavior hub(hub_actor* self, std::shared_ptr<std::atomic<std::size_t>> count) {
  self->state.count = std::move(count);
  auto forget = [self](const caf::actor_addr& who) {
    auto& st = self->state;
    for (auto it = st.watchers.begin(); it != st.watchers.end(); ++it) {
      if (it->address() != who) continue;
      st.watchers.erase(it);
      st.count->fetch_sub(1, std::memory_order_relaxed);
      return;
    }
  };
  self->set_down_handler([forget](caf::down_msg& down) { forget(down.source); });
  return {
      [self](atoms::watch, caf::actor& watcher) {
        self->monitor(watcher);
        if (!self->state.watchers.insert(std::move(watcher)).second)
          self->state.count->fetch_sub(1, std::memory_order_relaxed);  // counted once
      },
      [self, forget](atoms::unwatch, const caf::actor& watcher) {
        self->demonitor(watcher);
        forget(watcher.address());
      },
      [self](atoms::observed, const observed_ptr& e) {
        for (const auto& w : self->state.watchers) self->send(w, atoms::observed::value, e);
      },
  };
}

}  // namespace

observation_hook::observation_hook(caf::actor_system& sys)
    : watchers_(std::make_shared<std::atomic<std::size_t>>(0)),
      hub_(sys.spawn(hub, watchers_)) {}

observation_hook::~observation_hook() { close(); }

void observation_hook::close() { caf::anon_send_exit(hub_, caf::exit_reason::user_shutdown); }

void observation_hook::notify(observed_event e) const {
  if (!watched()) return;
  caf::anon_send(hub_, atoms::observed::value,
                 observed_ptr(std::make_shared<const observed_event>(std::move(e))));
}

std::size_t observation_hook::notify_server_side_emit(const std::string& nsp,
                                                      const std::string& event,
                                                      const args& payload) const {
  auto n = watchers();
  if (n == 0) return 0;
  observed_event e;
  e.kind = observed_kind::server_side_emit;
  e.nsp = nsp;
  e.name = event;
  e.payload = payload;
  notify(std::move(e));
  return n;
}

void observation_hook::watch(const caf::actor& watcher) {
  // Counted before the hub hears of it, so that reports made from now on
  // are sent to the hub, which then already has the watcher.
  watchers_->fetch_add(1, std::memory_order_relaxed);
  caf::anon_send(hub_, atoms::watch::value, watcher);
}

void observation_hook::unwatch(const caf::actor& watcher) {
  caf::anon_send(hub_, atoms::unwatch::value, watcher);
}

}  // namespace sio
