#include "collectors.hpp"

#include <algorithm>
#include <map>
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
  // Recipients that will not answer (atoms::gone).
  std::size_t gone = 0;
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
    return st.expected && st.replies.size() + st.gone >= *st.expected;
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
      [self, complete](atoms::gone) {
        ++self->state.gone;
        if (complete()) finish(self, false);
      },
      [self](atoms::collect_timeout) { finish(self, true); },
  };
}

// Runs `call` inside `origin` when there is one, else here.
void hand_over(caf::event_based_actor* self, const caf::actor& origin, std::function<void()> call) {
  if (origin)
    self->send(origin, atoms::run::value, std::move(call));
  else
    call();
}

caf::behavior count_collector(caf::event_based_actor* self, count_callback done,
                              caf::actor origin) {
  return {
      [self, done = std::move(done), origin = std::move(origin)](atoms::count, std::size_t n) {
        hand_over(self, origin, [done, n] { done(n); });
        self->quit();
      },
  };
}

struct socket_ack_state {
  // Every expected socket's outcome so far, by id; absent ones are pending.
  std::map<std::string, std::optional<socket_ack>> acks;
  std::size_t answered = 0;
  bool expecting = true;
  socket_acks_callback done;
  socket_ack_progress progress;
  caf::actor origin;
  // Replies that came before the list of recipients did.
  std::vector<socket_ack> early;
};

using socket_ack_actor = caf::stateful_actor<socket_ack_state>;

void finish_acks(socket_ack_actor* self, bool complete) {
  auto& st = self->state;
  std::vector<socket_ack> out;
  out.reserve(st.acks.size());
  for (auto& [id, ack] : st.acks) {
    out.push_back(ack ? std::move(*ack) : socket_ack{id, ack_status::timed_out, {}, {}});
    complete = complete && out.back().status != ack_status::timed_out;
  }
  hand_over(self, st.origin,
            [done = std::move(st.done), out = std::move(out), complete]() mutable {
              done(std::move(out), complete);
            });
  self->quit();
}

void record(socket_ack_actor* self, socket_ack& ack) {
  auto& st = self->state;
  auto it = st.acks.find(ack.socket_id);
  if (it == st.acks.end() || it->second) return;
  it->second = std::move(ack);
  if (st.progress.each)
    hand_over(self, st.origin, [each = st.progress.each, copy = *it->second] { each(copy); });
  if (++st.answered == st.acks.size()) finish_acks(self, true);
}

caf::behavior socket_ack_collector(socket_ack_actor* self, std::chrono::milliseconds timeout,
                                   socket_acks_callback done, caf::actor origin,
                                   socket_ack_progress progress) {
  self->state.done = std::move(done);
  self->state.progress = std::move(progress);
  self->state.origin = std::move(origin);
  self->delayed_send(self, timeout, atoms::collect_timeout::value);
  return {
      [self](atoms::expect, std::vector<std::string>& ids) {
        auto& st = self->state;
        if (st.progress.dispatched)
          hand_over(self, st.origin, [f = st.progress.dispatched, n = ids.size()] { f(n); });
        for (auto& id : ids) st.acks.emplace(std::move(id), std::nullopt);
        st.expecting = false;
        if (st.acks.empty()) return finish_acks(self, true);
        auto early = std::move(st.early);
        for (auto& ack : early) record(self, ack);
      },
      [self](atoms::reply, socket_ack& ack) {
        if (self->state.expecting)
          self->state.early.push_back(std::move(ack));
        else
          record(self, ack);
      },
      [self](atoms::collect_timeout) { finish_acks(self, false); },
  };
}

}  // namespace

caf::actor spawn_set_data_collector(caf::actor_system& sys,
                                    std::function<void(std::optional<json>)> done) {
  // Only a backstop: a socket that went away meanwhile answers (gone).
  constexpr std::chrono::seconds give_up{5};
  return sys.spawn([done = std::move(done), give_up](caf::event_based_actor* self) -> caf::behavior {
    self->delayed_send(self, give_up, atoms::collect_timeout::value);
    auto finish = [self, done](std::optional<json> data) {
      done(std::move(data));
      self->quit();
    };
    return {
        [finish](atoms::count, std::size_t n) {
          if (n == 0) finish(std::nullopt);
        },
        [finish](atoms::reply, json& data) { finish(std::move(data)); },
        [finish](atoms::gone) { finish(std::nullopt); },
        [finish](atoms::collect_timeout) { finish(std::nullopt); },
    };
  });
}

caf::actor spawn_count_collector(caf::actor_system& sys, count_callback done, caf::actor origin) {
  return sys.spawn(count_collector, std::move(done), std::move(origin));
}

caf::actor spawn_socket_ack_collector(caf::actor_system& sys, std::chrono::milliseconds timeout,
                                      socket_acks_callback done, caf::actor origin,
                                      socket_ack_progress progress) {
  return sys.spawn(socket_ack_collector, timeout, std::move(done), std::move(origin),
                   std::move(progress));
}

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
