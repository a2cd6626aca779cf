// Server-side emits of a node alone (no cluster): host listeners, the count
// of what an emit from outside reached, and an emit with acks that has no
// other node to wait for. On CAF's test_coordinator.
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "actor_test_support.hpp"
#include "sio/actors/server.hpp"

namespace sio::test {
namespace {

class ServerSideEmit : public actor_test {
 protected:
  server io{sys};
};

TEST_F(ServerSideEmit, FromOutsideItReachesEveryListenerOfTheEventHereWithoutAnAck) {
  std::vector<args> first;
  std::vector<args> second;
  bool ack_given = false;
  io.on_server_side_emit("hello", [&](const args& a, const server_side_ack& ack) {
    first.push_back(a);
    ack_given = ack_given || static_cast<bool>(ack);
  });
  io.on_server_side_emit("hello", [&](const args& a, const server_side_ack&) { second.push_back(a); });
  io.on_server_side_emit("other", [&](const args& a, const server_side_ack&) { second.push_back(a); });
  io.session_handlers();
  std::optional<std::size_t> reached;
  std::optional<std::size_t> nobody;
  io.of("/").server_side_emit_everywhere("hello", {json("x"), json(2)},
                                         [&](std::size_t n) { reached = n; });
  io.of("/").server_side_emit_everywhere("unheard", {}, [&](std::size_t n) { nobody = n; });
  run();
  EXPECT_EQ(reached, 2u);
  EXPECT_EQ(nobody, 0u);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0], (args{json("x"), json(2)}));
  EXPECT_EQ(second, first);
  EXPECT_FALSE(ack_given);
}

TEST_F(ServerSideEmit, AListenerThatThrowsLosesItsOwnCallOnly) {
  std::vector<args> heard;
  io.on_server_side_emit("boom", [](const args&, const server_side_ack&) {
    throw std::runtime_error("listener failed");
  });
  io.on_server_side_emit("boom", [&](const args& a, const server_side_ack&) { heard.push_back(a); });
  io.session_handlers();
  std::vector<std::size_t> reached;
  for (int i = 0; i < 2; ++i)
    io.of("/").server_side_emit_everywhere("boom", {json(i)},
                                           [&](std::size_t n) { reached.push_back(n); });
  run();
  // Both emits reached both listeners: the throw took neither the listeners'
  // actor nor, through its link, the namespace.
  EXPECT_EQ(reached, (std::vector<std::size_t>{2, 2}));
  EXPECT_EQ(heard, (std::vector<args>{args{json(0)}, args{json(1)}}));
}

TEST_F(ServerSideEmit, AloneAnEmitWithAcksEndsAtOnceWithNoAnswersAndOwnListenersStaySilent) {
  int ran = 0;
  io.on_server_side_emit("ping", [&](const args&, const server_side_ack& ack) {
    ++ran;
    if (ack) ack(json(1));
  });
  io.session_handlers();
  std::optional<std::pair<std::optional<std::string>, args>> outcome;
  io.server_side_emit("ping", {json(1)});
  io.server_side_emit_with_ack("ping", {json(1)}, [&](std::optional<std::string> error, args r) {
    outcome.emplace(std::move(error), std::move(r));
  });
  run();
  ASSERT_TRUE(outcome);
  EXPECT_FALSE(outcome->first);
  EXPECT_TRUE(outcome->second.empty());
  EXPECT_EQ(ran, 0);  // as socket.io: an emit never reaches its own node's listeners
}

TEST_F(ServerSideEmit, NothingRunsBeforeTheStartAndListenersAfterItAreRefused) {
  int ran = 0;
  io.on_server_side_emit("hello", [&](const args&, const server_side_ack&) { ++ran; });
  std::optional<std::size_t> reached;
  io.of("/").server_side_emit_everywhere("hello", {}, [&](std::size_t n) { reached = n; });
  run();
  EXPECT_EQ(reached, 0u);
  EXPECT_EQ(ran, 0);
  io.session_handlers();
  EXPECT_THROW(io.on_server_side_emit("late", [](const args&, const server_side_ack&) {}),
               std::logic_error);
}

}  // namespace
}  // namespace sio::test
