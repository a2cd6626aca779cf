#include "collectors.hpp"

#include <optional>

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "sio/actors/atoms.hpp"
#include "sio/actors/messages.hpp"

namespace sio::detail {
namespace {

template <class T>
struct collector_state {
  std::optional<std::size_t> expected;
  std::vector<T> replies;
  std::function<void(std::vector<T>, bool)> done;
  caf::actor origin;
};

template <class T>
void finish(caf::stateful_actor<collector_state<T>>* self, bool timed_out) {
  auto& st = self->state;
  auto call = [done = std::move(st.done), replies = std::move(st.replies), timed_out]() mutable {
    done(std::move(replies), timed_out);
  };
  if (st.origin)
    self->send(st.origin, atoms::run::value, std::function<void()>(std::move(call)));
  else
    call();
  self->quit();
}

template <class T>
caf::behavior collector(caf::stateful_actor<collector_state<T>>* self,
                        std::chrono::milliseconds timeout,
                        std::function<void(std::vector<T>, bool)> done, caf::actor origin) {
  self->state.done = std::move(done);
  self->state.origin = std::move(origin);
  self->delayed_send(self, timeout, atoms::collect_timeout::value);
  auto complete = [self] {
    auto& st = self->state;
    return st.expected && st.replies.size() >= *st.expected;
  };
  return {
      [self, complete](atoms::expect, std::size_t n) {
        self->state.expected = n;
        if (complete()) finish(self, false);
      },
      [self, complete](atoms::reply, T& value) {
        self->state.replies.push_back(std::move(value));
        if (complete()) finish(self, false);
      },
      [self](atoms::collect_timeout) { finish(self, true); },
  };
}

}  // namespace

caf::actor spawn_ack_collector(caf::actor_system& sys, std::chrono::milliseconds timeout,
                               broadcast_ack_callback done, caf::actor origin) {
  return sys.spawn(collector<args>, timeout, std::function<void(std::vector<args>, bool)>(done),
                   std::move(origin));
}

caf::actor spawn_fetch_collector(caf::actor_system& sys, std::chrono::milliseconds timeout,
                                 std::function<void(std::vector<remote_socket>, bool complete)> done,
                                 caf::actor origin) {
  std::function<void(std::vector<remote_socket>, bool)> adapted =
      [done = std::move(done)](std::vector<remote_socket> sockets, bool timed_out) {
        done(std::move(sockets), !timed_out);
      };
  return sys.spawn(collector<remote_socket>, timeout, std::move(adapted), std::move(origin));
}

}  // namespace sio::detail
