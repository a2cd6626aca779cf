// The Redis link against a real redis-server: pub/sub, commands, and what
// happens when the subscriber is killed, Redis restarts, is down at start,
// or stops answering.
#include "sio/cluster/redis_link.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "redis_server.hpp"

namespace sio::cluster {
namespace {

using namespace std::chrono_literals;

redis_link_options options_for(std::uint16_t port) {
  redis_link_options o;
  o.port = port;
  o.backoff_min = 20ms;
  o.backoff_max = 200ms;
  o.command_timeout = 500ms;
  o.log = [](std::string_view, std::string_view) {};
  return o;
}

// Runs a command and waits for its answer (bounded by the link's timeout).
std::optional<json> run(redis_link& link, std::vector<std::string> argv) {
  std::promise<std::optional<json>> p;
  auto f = p.get_future();
  link.command(std::move(argv), [&p](std::optional<json> reply) { p.set_value(std::move(reply)); });
  if (f.wait_for(5s) != std::future_status::ready) return std::nullopt;
  return f.get();
}

std::int64_t numsub(redis_link& link, const std::string& channel) {
  auto reply = run(link, {"PUBSUB", "NUMSUB", channel});
  if (!reply || !reply->is_array() || reply->size() != 2) return -1;
  return (*reply)[1].get<std::int64_t>();
}

class RedisLink : public ::testing::Test {
 protected:
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  test::redis_server redis;
  caf::scoped_actor listener{sys};

  // Publishes `payload` until the listener receives it (a subscription is
  // asynchronous: the first publishes may precede it).
  bool round_trip(redis_link& link, const std::string& channel, const std::string& payload) {
    bool got = false;
    test::eventually(
        [&] {
          link.publish(channel, payload);
          listener->receive(
              [&](atoms::redis_message, const std::string& ch, const std::string& p) {
                got = got || (ch == channel && p == payload);
              },
              caf::after(std::chrono::milliseconds(50)) >> [] {});
          return got;
        },
        10s);
    return got;
  }
};

TEST_F(RedisLink, DeliversChannelAndPatternMessagesToTheListener) {
  auto link = redis_link::start(options_for(redis.port()));
  link->subscribe("a#", caf::actor_cast<caf::actor>(listener));
  link->psubscribe("p#*", caf::actor_cast<caf::actor>(listener));
  EXPECT_TRUE(round_trip(*link, "a#", "hello"));
  EXPECT_TRUE(round_trip(*link, "p#room#", std::string("\x00\xff bin", 6)));
  EXPECT_EQ(numsub(*link, "a#"), 1);
}

TEST_F(RedisLink, ResubscribesOnceAfterTheSubscriberIsKilled) {
  auto link = redis_link::start(options_for(redis.port()));
  link->subscribe("req#", caf::actor_cast<caf::actor>(listener));
  ASSERT_TRUE(round_trip(*link, "req#", "before"));
  auto killed = run(*link, {"CLIENT", "KILL", "TYPE", "pubsub"});
  ASSERT_TRUE(killed && killed->is_number_integer());
  EXPECT_EQ(killed->get<std::int64_t>(), 1);
  EXPECT_TRUE(round_trip(*link, "req#", "after"));
  // Exactly one subscription: another one would make Node requesters wait.
  EXPECT_EQ(numsub(*link, "req#"), 1);
  EXPECT_GE(link->stats().reconnects.load(), 1u);
}

TEST_F(RedisLink, ReconnectsBothConnectionsWhenRedisRestartsEmpty) {
  auto link = redis_link::start(options_for(redis.port()));
  link->subscribe("req#", caf::actor_cast<caf::actor>(listener));
  ASSERT_TRUE(round_trip(*link, "req#", "one"));
  redis.stop();
  EXPECT_TRUE(test::eventually([&] { return !link->stats().command_up; }));
  // Down: a command fails at once instead of hanging, a publish is counted.
  auto started = std::chrono::steady_clock::now();
  EXPECT_FALSE(run(*link, {"PING"}));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
  auto dropped = link->stats().publish_dropped.load();
  link->publish("req#", "lost");
  EXPECT_TRUE(test::eventually([&] { return link->stats().publish_dropped > dropped; }));
  redis.start();
  EXPECT_TRUE(round_trip(*link, "req#", "two"));
  EXPECT_EQ(numsub(*link, "req#"), 1);
}

TEST_F(RedisLink, ConnectsOnceRedisComesUpAfterTheStart) {
  redis.stop();
  auto link = redis_link::start(options_for(redis.port()));
  link->subscribe("req#", caf::actor_cast<caf::actor>(listener));
  EXPECT_FALSE(run(*link, {"PING"}));
  redis.start();
  EXPECT_TRUE(round_trip(*link, "req#", "late"));
  EXPECT_EQ(numsub(*link, "req#"), 1);
}

TEST_F(RedisLink, RetriesWithCappedBackoffWhileRedisIsDown) {
  auto link = redis_link::start(options_for(redis.port()));
  ASSERT_TRUE(test::eventually([&] { return link->stats().command_up.load(); }));
  redis.stop();
  ASSERT_TRUE(test::eventually([&] { return !link->stats().command_up; }));
  auto before = link->stats().reconnects.load();
  std::this_thread::sleep_for(3s);
  auto tries = link->stats().reconnects.load() - before;
  // Each of the two connections waits 20 ms doubling up to 200 ms, each wait
  // drawn between half and all of it: 17 to 31 tries each in 3 s. Without
  // the cap it would be at most 8 each, without backoff thousands.
  EXPECT_GE(tries, 24u) << tries;
  EXPECT_LE(tries, 70u) << tries;
  redis.start();
  // Back within one capped wait (plus slack for a loaded machine).
  auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(test::eventually([&] { return link->stats().command_up.load(); }));
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
}

TEST_F(RedisLink, ACommandToAPausedRedisEndsAtItsTimeout) {
  auto link = redis_link::start(options_for(redis.port()));
  ASSERT_TRUE(test::eventually([&] { return link->stats().command_up.load(); }));
  redis.pause();
  auto started = std::chrono::steady_clock::now();
  EXPECT_FALSE(run(*link, {"PING"}));
  auto took = std::chrono::steady_clock::now() - started;
  redis.resume();
  EXPECT_GE(took, 400ms);
  EXPECT_LT(took, 2s);
  auto pong = run(*link, {"PING"});
  ASSERT_TRUE(pong);
  EXPECT_EQ(*pong, "PONG");
}

TEST(RedisUrl, ParsesHostAndPort) {
  auto o = parse_redis_url("redis://10.0.0.2:7000");
  ASSERT_TRUE(o);
  EXPECT_EQ(o->host, "10.0.0.2");
  EXPECT_EQ(o->port, 7000);
  EXPECT_EQ(parse_redis_url("redis://localhost")->port, 6379);
  EXPECT_FALSE(parse_redis_url("http://x:1"));
  EXPECT_FALSE(parse_redis_url("redis://x:99999"));
  EXPECT_FALSE(parse_redis_url("redis://:1"));
}

}  // namespace
}  // namespace sio::cluster
