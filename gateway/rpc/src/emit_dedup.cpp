#include "emit_dedup.hpp"

#include <deque>
#include <optional>
#include <unordered_map>
#include <vector>

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>

#include "sio/actors/atoms.hpp"

namespace sio::rpc {
namespace {

using clock = std::chrono::steady_clock;

struct entry {
  std::size_t fingerprint = 0;
  std::optional<std::size_t> recipients;  // unknown while the first emit is on its way
  std::vector<dedup_call> waiting;
  clock::time_point expires;
};

struct dedup_state {
  std::chrono::milliseconds window{0};
  std::unordered_map<std::string, entry> entries;
  std::deque<std::pair<clock::time_point, std::string>> by_age;
};

using dedup_actor = caf::stateful_actor<dedup_state>;

void forget_expired(dedup_actor* self) {
  auto& st = self->state;
  auto now = clock::now();
  while (!st.by_age.empty() && st.by_age.front().first <= now) {
    auto it = st.entries.find(st.by_age.front().second);
    if (it != st.entries.end() && it->second.recipients && it->second.expires <= now)
      st.entries.erase(it);
    st.by_age.pop_front();
  }
}

caf::behavior dedup(dedup_actor* self, std::chrono::milliseconds window) {
  self->state.window = window;
  return {
      [self](dedup_call& call) {
        forget_expired(self);
        auto& st = self->state;
        auto it = st.entries.find(call.key);
        if (it != st.entries.end()) {
          auto& e = it->second;
          if (e.fingerprint != call.fingerprint)
            call.finish(dedup_call::outcome::conflict, 0);
          else if (e.recipients)
            call.finish(dedup_call::outcome::repeated, *e.recipients);
          else
            e.waiting.push_back(std::move(call));
          return;
        }
        auto expires = clock::now() + st.window;
        st.entries.emplace(call.key, entry{call.fingerprint, std::nullopt, {}, expires});
        st.by_age.emplace_back(expires, call.key);
        caf::actor me = caf::actor_cast<caf::actor>(self);
        auto finish = std::move(call.finish);
        call.start([me, key = call.key, finish](std::size_t n) {
          finish(dedup_call::outcome::sent, n);
          caf::anon_send(me, atoms::reply::value, key, n);
        });
      },
      [self](atoms::reply, const std::string& key, std::size_t n) {
        auto it = self->state.entries.find(key);
        if (it == self->state.entries.end()) return;
        it->second.recipients = n;
        auto waiting = std::move(it->second.waiting);
        for (auto& w : waiting) w.finish(dedup_call::outcome::repeated, n);
      },
  };
}

}  // namespace

caf::actor spawn_emit_dedup(caf::actor_system& sys, std::chrono::milliseconds window) {
  return sys.spawn(dedup, window);
}

}  // namespace sio::rpc
