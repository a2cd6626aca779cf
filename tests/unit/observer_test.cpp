// The observation hook: free while unwatched, every report to each watcher
// in order, and the namespace actor's joins and leaves as it reports them.
#include <memory>
#include <string>
#include <vector>

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

#include <gtest/gtest.h>

#include "actor_test_support.hpp"
#include "namespace_actor.hpp"
#include "sio/actors/atoms.hpp"
#include "sio/actors/messages.hpp"
#include "sio/actors/observer.hpp"

namespace sio::test {
namespace {

using seen_list = std::vector<observed_ptr>;

// A watcher that keeps what it is handed.
caf::behavior recorder(caf::event_based_actor*, std::shared_ptr<seen_list> seen) {
  return {
      [seen](atoms::observed, const observed_ptr& e) { seen->push_back(e); },
      // A stand-in connection of the namespace: whatever it is sent.
      [](caf::message&) {},
  };
}

class Observer : public actor_test {
 protected:
  std::shared_ptr<seen_list> seen = std::make_shared<seen_list>();
  caf::actor spawn_recorder() {
    auto a = sys.spawn(recorder, seen);
    track(a);
    return a;
  }
};

TEST_F(Observer, UnwatchedReportsReachNobodyAndCountNothing) {
  auto hook = std::make_unique<observation_hook>(sys);
  EXPECT_FALSE(hook->watched());
  EXPECT_EQ(hook->notify_server_side_emit("/", "ping", args{json(1)}), 0u);
  run();
  EXPECT_TRUE(seen->empty());
}

TEST_F(Observer, AServerSideEmitReachesEveryWatcherFromWatchOn) {
  auto hook = std::make_unique<observation_hook>(sys);
  auto w = spawn_recorder();
  hook->watch(w);
  // Counted at once: a report right after watch() is not lost.
  EXPECT_TRUE(hook->watched());
  EXPECT_EQ(hook->notify_server_side_emit("/chat", "ping", args{json(1), json("x")}), 1u);
  run();
  ASSERT_EQ(seen->size(), 1u);
  const auto& e = *seen->front();
  EXPECT_EQ(e.kind, observed_kind::server_side_emit);
  EXPECT_EQ(e.nsp, "/chat");
  EXPECT_EQ(e.name, "ping");
  EXPECT_TRUE(e.socket_id.empty());
  EXPECT_EQ(e.payload, (args{json(1), json("x")}));
  hook->unwatch(w);
  run();
  EXPECT_FALSE(hook->watched());
  EXPECT_EQ(hook->notify_server_side_emit("/chat", "ping", {}), 0u);
  run();
  EXPECT_EQ(seen->size(), 1u);
}

TEST_F(Observer, AWatcherThatEndsIsForgotten) {
  auto hook = std::make_unique<observation_hook>(sys);
  auto w = spawn_recorder();
  hook->watch(w);
  run();
  caf::anon_send_exit(w, caf::exit_reason::user_shutdown);
  run();
  EXPECT_FALSE(hook->watched());
}

TEST_F(Observer, TheNamespaceReportsJoinsAndLeavesButNotItsOwnRoomNorADeparture) {
  std::shared_ptr<observation_hook> hook = std::make_shared<observation_hook>(sys);
  auto w = spawn_recorder();
  hook->watch(w);
  auto nsp = detail::spawn_namespace(sys, "/", std::nullopt, {}, {}, hook);
  track(nsp);
  auto connection = spawn_recorder();
  caf::anon_send(nsp, atoms::add_socket::value, std::string("s1"), std::uint64_t{1}, connection);
  for (const auto& [join, room] : std::vector<std::pair<bool, std::string>>{
           {true, "r1"}, {true, "r1"}, {true, "r2"}, {false, "r1"}, {false, "nope"}, {false, "s1"}}) {
    if (join)
      caf::anon_send(nsp, atoms::join::value, std::string("s1"), room);
    else
      caf::anon_send(nsp, atoms::leave::value, std::string("s1"), room);
  }
  caf::anon_send(nsp, atoms::remove_socket::value, std::string("s1"));
  run();
  std::vector<std::string> got;
  for (const auto& e : *seen) {
    EXPECT_EQ(e->nsp, "/");
    EXPECT_EQ(e->socket_id, "s1");
    got.push_back((e->kind == observed_kind::join ? "join " : "leave ") + e->name);
  }
  EXPECT_EQ(got, (std::vector<std::string>{"join r1", "join r2", "leave r1"}));
  hook.reset();
}

}  // namespace
}  // namespace sio::test
