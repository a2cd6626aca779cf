// The adapter of one namespace against a real redis-server: what arrives on
// its channels that cannot be read or makes no sense is dropped and counted,
// one by one and logged once, and what comes after it still reaches the
// namespace.
#include "sio/cluster/redis_adapter.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include <atomic>
#include <future>

#include <gtest/gtest.h>

#include "redis_server.hpp"
#include "sio/actors/atoms.hpp"
#include "sio/actors/messages.hpp"
#include "sio/protocol/cluster_wire.hpp"

namespace sio::cluster {
namespace {

using namespace std::chrono_literals;
namespace wire = sio::cluster_wire;

std::int64_t numsub(redis_link& link, const std::string& channel) {
  std::promise<std::int64_t> p;
  auto f = p.get_future();
  link.command({"PUBSUB", "NUMSUB", channel}, [&p](std::optional<json> reply) {
    p.set_value(reply && reply->is_array() && reply->size() == 2 && (*reply)[1].is_number_integer()
                    ? (*reply)[1].get<std::int64_t>()
                    : -1);
  });
  return f.wait_for(5s) == std::future_status::ready ? f.get() : -1;
}

TEST(RedisAdapter, DropsAndCountsMalformedMessagesAndGoesOn) {
  test::redis_server redis;
  std::atomic<int> logged{0};  // outlives the actor system and the links
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  redis_adapter_options o;
  o.url = "redis://127.0.0.1:" + std::to_string(redis.port());
  o.log = [&logged](std::string_view event, std::string_view) {
    if (event == "cluster_message_dropped") ++logged;
  };
  redis_cluster cluster(o);
  caf::scoped_actor nsp{sys};
  auto adapter = cluster.adapter()(sys, "/", caf::actor_cast<caf::actor>(nsp));
  redis_link_options lo;
  lo.port = redis.port();
  lo.log = [](std::string_view, std::string_view) {};
  auto peer = redis_link::start(lo);
  // Subscribed (in this order) once the response channel counts it.
  ASSERT_TRUE(test::eventually([&] { return numsub(*peer, "socket.io-response#/#") == 1; }));

  const auto broadcasts = wire::broadcast_channel("socket.io", "/");
  const auto requests = wire::request_channel("socket.io", "/");
  const auto responses = wire::response_channel("socket.io", "/");
  peer->publish(broadcasts, "not msgpack");                                 // garbage
  peer->publish(broadcasts, std::string("\xdd\xff\xff\xff\xff", 5));        // a huge array
  peer->publish(broadcasts, std::string(5000, '\x91'));                     // nesting
  peer->publish(broadcasts, wire::encode_msgpack(json::array({1, 2, 3})));  // wrong types
  peer->publish(requests, R"({"type":42,"uid":"zzzzzz"})");                 // unknown type
  peer->publish(requests, R"({"type":2,"opts":{"rooms":"r"},"rooms":[1.5]})");
  peer->publish(responses, "\xc1");
  // One subscriber connection keeps the order: this comes after them all.
  peer->publish(broadcasts,
                wire::encode_broadcast("zzzzzz", "/", "msg", args{json("after")}, {}, {}));

  bool delivered = false;
  nsp->receive(
      [&](atoms::broadcast, const std::shared_ptr<const broadcast_request>& req) {
        delivered = req->event && req->event->name == "msg" && req->local;
      },
      caf::after(std::chrono::seconds(10)) >> [] {});
  EXPECT_TRUE(delivered);
  EXPECT_EQ(cluster.stats().malformed.load(), 7u);
  EXPECT_EQ(cluster.stats().received_broadcasts.load(), 1u);
  EXPECT_EQ(logged.load(), 1);  // at the first drop, then every thousandth
  caf::anon_send_exit(adapter, caf::exit_reason::user_shutdown);
}

}  // namespace
}  // namespace sio::cluster
