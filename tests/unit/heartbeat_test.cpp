// The heartbeat actor times every connection's pings and pong waits; here it
// is driven on virtual time by stand-in connections.
#include "sio/actors/heartbeat.hpp"

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <caf/event_based_actor.hpp>

#include "actor_test_support.hpp"
#include "sio/actors/atoms.hpp"

namespace sio::test {
namespace {

using std::chrono::milliseconds;

// What a stand-in connection got back: its name, the tag and generation of
// the wake-up, and the virtual time it arrived, in ms since the test began.
struct arrival {
  std::string who;
  std::string what;
  std::uint64_t generation;
  long long at_ms;
  bool operator==(const arrival&) const = default;
};

std::ostream& operator<<(std::ostream& os, const arrival& a) {
  return os << a.who << ":" << a.what << "#" << a.generation << "@" << a.at_ms;
}

class Heartbeat : public actor_test {
 protected:
  using request = std::pair<milliseconds, caf::atom_value>;

  void SetUp() override {
    heartbeat = spawn_heartbeat(sys);
    track(heartbeat);
    start = sys.clock().now();
  }

  // A stand-in connection that asks for `requests` (generations 1, 2, ...)
  // and records what comes back.
  caf::actor connection(std::string name, std::vector<request> requests) {
    auto a = sys.spawn([this, name, requests](caf::event_based_actor* self) -> caf::behavior {
      std::uint64_t generation = 0;
      for (const auto& [delay, what] : requests)
        self->send(heartbeat, atoms::wake::value, caf::timespan{delay}, what, ++generation);
      auto note = [this, self, name](const char* what, std::uint64_t g) {
        auto since = self->clock().now() - start;
        arrivals.push_back(
            {name, what, g, std::chrono::duration_cast<milliseconds>(since).count()});
      };
      return {
          [note](atoms::ping, std::uint64_t g) { note("ping", g); },
          [note](atoms::ping_timeout, std::uint64_t g) { note("timeout", g); },
      };
    });
    track(a);
    connections.push_back(a);
    return a;
  }

  caf::actor heartbeat;
  std::vector<caf::actor> connections;  // an actor nobody holds is gone
  caf::actor_clock::time_point start;
  std::vector<arrival> arrivals;
};

TEST_F(Heartbeat, WakesEachSenderAtItsTimeInTheOrderTheyComeDue) {
  connection("a", {{milliseconds(300), atoms::ping::value}});
  connection("b", {{milliseconds(200), atoms::ping_timeout::value},
                   {milliseconds(100), atoms::ping::value}});
  run();
  advance(milliseconds(99));
  EXPECT_TRUE(arrivals.empty());
  advance(milliseconds(1));
  EXPECT_EQ(arrivals, (std::vector<arrival>{{"b", "ping", 2, 100}}));
  advance(milliseconds(99));
  EXPECT_EQ(arrivals.size(), 1u);
  advance(milliseconds(1));
  advance(milliseconds(100));
  EXPECT_EQ(arrivals, (std::vector<arrival>{
                          {"b", "ping", 2, 100}, {"b", "timeout", 1, 200}, {"a", "ping", 1, 300}}));
}

TEST_F(Heartbeat, AWakeUpEarlierThanTheArmedOneIsNotDelayedByIt) {
  connection("late", {{milliseconds(25000), atoms::ping::value}});
  run();
  advance(milliseconds(10));
  connection("early", {{milliseconds(20), atoms::ping_timeout::value}});
  run();
  advance(milliseconds(20));
  EXPECT_EQ(arrivals, (std::vector<arrival>{{"early", "timeout", 1, 30}}));
  advance(milliseconds(24970));
  EXPECT_EQ(arrivals,
            (std::vector<arrival>{{"early", "timeout", 1, 30}, {"late", "ping", 1, 25000}}));
}

TEST_F(Heartbeat, SkipsASenderThatEndedAndKeepsTheOthers) {
  auto gone = connection("gone", {{milliseconds(100), atoms::ping::value}});
  connection("stays", {{milliseconds(100), atoms::ping::value}});
  run();
  auto gone_address = gone.address();
  caf::anon_send_exit(gone, caf::exit_reason::kill);
  std::erase(connections, gone);
  gone = nullptr;
  run();
  EXPECT_FALSE(caf::actor_cast<caf::actor>(gone_address))
      << "a pending wake-up keeps a closed connection in memory";
  advance(milliseconds(100));
  EXPECT_EQ(arrivals, (std::vector<arrival>{{"stays", "ping", 1, 100}}));
}

TEST_F(Heartbeat, ManyEqualWaitsAllComeBack) {
  for (int i = 0; i < 500; ++i)
    connection("c" + std::to_string(i), {{milliseconds(250), atoms::ping::value}});
  run();
  advance(milliseconds(249));
  EXPECT_TRUE(arrivals.empty());
  advance(milliseconds(1));
  EXPECT_EQ(arrivals.size(), 500u);
}

}  // namespace
}  // namespace sio::test
