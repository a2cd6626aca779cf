// What a broadcast reports back to its caller: how many sockets it reached
// (emit, sockets_join, count_sockets), and each recipient's ack outcome
// (emit_with_socket_acks). On CAF's test_coordinator, with probe actors as
// connections.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

#include <gtest/gtest.h>

#include "actor_test_support.hpp"
#include "namespace_actor.hpp"
#include "sio/actors/atoms.hpp"
#include "sio/actors/broadcast.hpp"
#include "sio/actors/messages.hpp"

namespace sio::test {
namespace {

struct seen {
  std::vector<std::uint64_t> delivered;  // keys, per deliver or deliver_run
  std::vector<std::string> joined;       // sockets told they joined
};

// A connection that records deliveries and acks broadcasts when `acks`.
caf::behavior probe(caf::event_based_actor*, std::shared_ptr<seen> log, bool acks) {
  return {
      [log](atoms::deliver, std::uint64_t key, const frame_batch&, const event_ptr&) {
        log->delivered.push_back(key);
      },
      [log](atoms::deliver_run, std::uint64_t key, const delivery_run& run) {
        for (std::size_t i = 0; i < run->size(); ++i) log->delivered.push_back(key);
      },
      [log](atoms::socket_command, std::uint64_t key, const socket_command& cmd) {
        if (cmd.what == socket_command::kind::join) log->joined.push_back(std::to_string(key));
      },
      [acks](atoms::deliver_acks, std::uint64_t key,
             const std::shared_ptr<const broadcast_request>& req, const std::string& sid) {
        if (acks)
          caf::anon_send(req->ack_collector, atoms::reply::value,
                         socket_ack{sid, ack_status::acked, {json(key)}, {}});
      },
  };
}

class BroadcastOutcome : public actor_test {
 protected:
  BroadcastOutcome() : nsp(detail::spawn_namespace(sys, "/")) {
    track(nsp);
    run();
  }

  void add(const std::string& sid, bool acks = true) {
    auto c = sys.spawn(probe, log, acks);
    track(c);
    caf::anon_send(nsp, atoms::add_socket::value, sid, next_key_++, c);
  }

  void join(const std::string& sid, const std::string& room) {
    caf::anon_send(nsp, atoms::join::value, sid, room);
  }

  sio::broadcast all() const { return sio::broadcast(nsp, "/"); }

  caf::actor nsp;
  std::shared_ptr<seen> log = std::make_shared<seen>();

 private:
  std::uint64_t next_key_ = 1;
};

TEST_F(BroadcastOutcome, CountSocketsCountsARoomLessItsExceptionsAndDeliversNothing) {
  for (auto sid : {"a", "b", "c", "d"}) add(sid);
  for (auto sid : {"a", "b", "c"}) join(sid, "r");
  std::optional<std::size_t> count;
  all().to("r").except("b").count_sockets([&](std::size_t n) { count = n; });
  run();
  EXPECT_EQ(count, 2u);
  EXPECT_TRUE(log->delivered.empty());
}

TEST_F(BroadcastOutcome, CountSocketsOfAnEmptySelectionIsZero) {
  add("a");
  std::optional<std::size_t> count;
  all().to("nobody").count_sockets([&](std::size_t n) { count = n; });
  run();
  EXPECT_EQ(count, 0u);
}

TEST_F(BroadcastOutcome, EmitReportsTheSocketsItWasHandedTo) {
  for (auto sid : {"a", "b", "c"}) add(sid);
  join("a", "r");
  join("b", "r");
  std::optional<std::size_t> room, everyone;
  all().to("r").emit("x", {}, [&](std::size_t n) { room = n; });
  all().except("a").emit("y", {}, [&](std::size_t n) { everyone = n; });
  run();
  EXPECT_EQ(room, 2u);
  EXPECT_EQ(everyone, 2u);
  EXPECT_EQ(log->delivered.size(), 4u);
}

// The count is what a caller waits for before it acts on the recipients
// (a proxied answer acks its sender after its emits): by then every
// recipient has the event in its mailbox, by a room's actor or not.
TEST_F(BroadcastOutcome, EmitReportsItsCountOnlyOnceTheRecipientsHaveTheEvent) {
  for (auto sid : {"a", "b", "c"}) add(sid);
  join("a", "r");
  join("b", "r");
  run();
  std::optional<std::size_t> through_room, direct;
  all().to("r").emit("x", {}, [&](std::size_t) { through_room = log->delivered.size(); });
  run();
  EXPECT_EQ(through_room, 2u);
  all().to("r").except("c").emit("y", {}, [&](std::size_t) { direct = log->delivered.size(); });
  run();
  EXPECT_EQ(direct, 4u);
}

TEST_F(BroadcastOutcome, SocketsJoinReportsOnceTheJoinTookEffect) {
  for (auto sid : {"a", "b", "c"}) add(sid);
  join("a", "r");
  join("b", "r");
  std::optional<std::size_t> joined, counted;
  all().to("r").sockets_join({"s"}, [&](std::size_t n) {
    joined = n;
    // Anything sent after the callback sees the new membership.
    all().to("s").count_sockets([&](std::size_t m) { counted = m; });
  });
  run();
  EXPECT_EQ(joined, 2u);
  EXPECT_EQ(counted, 2u);
}

TEST_F(BroadcastOutcome, SocketAcksNameEachRecipientInIdOrder) {
  add("c");
  add("a");
  add("b", false);  // never answers
  std::optional<std::vector<socket_ack>> acks;
  bool complete = true;
  all().timeout(std::chrono::milliseconds(500)).emit_with_socket_acks(
      "q", {}, [&](std::vector<socket_ack> got, bool all_answered) {
        acks = std::move(got);
        complete = all_answered;
      });
  run();
  EXPECT_FALSE(acks) << "called before the silent socket's timeout";
  advance(std::chrono::milliseconds(500));
  ASSERT_TRUE(acks);
  ASSERT_EQ(acks->size(), 3u);
  EXPECT_EQ(acks->at(0).socket_id, "a");
  EXPECT_EQ(acks->at(0).status, ack_status::acked);
  EXPECT_EQ(acks->at(0).reply, args{json(2)});
  EXPECT_EQ(acks->at(1).socket_id, "b");
  EXPECT_EQ(acks->at(1).status, ack_status::timed_out);
  EXPECT_EQ(acks->at(2).socket_id, "c");
  EXPECT_EQ(acks->at(2).status, ack_status::acked);
  EXPECT_FALSE(complete);
}

TEST_F(BroadcastOutcome, SocketAcksCompleteAsSoonAsEveryoneAnswered) {
  add("a");
  add("b");
  std::optional<bool> complete;
  all().timeout(std::chrono::milliseconds(500)).emit_with_socket_acks(
      "q", {}, [&](std::vector<socket_ack> got, bool all_answered) {
        EXPECT_EQ(got.size(), 2u);
        complete = all_answered;
      });
  run();
  EXPECT_EQ(complete, true);
}

TEST_F(BroadcastOutcome, SocketAcksOfNobodyCompleteAtOnce) {
  std::optional<bool> complete;
  all().to("empty").emit_with_socket_acks(
      "q", {}, [&](std::vector<socket_ack> got, bool all_answered) {
        EXPECT_TRUE(got.empty());
        complete = all_answered;
      });
  run();
  EXPECT_EQ(complete, true);
}

TEST_F(BroadcastOutcome, ListRoomsGivesSizesByNameAndHidesSocketsOwnRooms) {
  for (auto sid : {"a", "b", "c"}) add(sid);
  join("a", "z");
  join("b", "z");
  join("c", "m");
  join("b", "a");  // b joins a's own room: still a's own, not listed
  std::optional<std::vector<std::pair<std::string, std::size_t>>> rooms;
  sys.spawn([this, &rooms](caf::event_based_actor* self) {
    self->request(nsp, caf::infinite, atoms::list_rooms::value)
        .then([&rooms](std::vector<std::pair<std::string, std::size_t>>& got) { rooms = got; });
  });
  run();
  ASSERT_TRUE(rooms);
  EXPECT_EQ(*rooms, (std::vector<std::pair<std::string, std::size_t>>{{"m", 1}, {"z", 2}}));
}

}  // namespace
}  // namespace sio::test
