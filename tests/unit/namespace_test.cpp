// The namespace actor (room membership, broadcasts) and its room actors,
// driven on CAF's test_coordinator. "Connections" are probe actors that
// record every (deliver, key, frames, event) they get, and each broadcast of
// a room's (deliver_run, key, run).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <utility>
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

using strings = std::vector<std::string>;
using keys = std::multiset<std::uint64_t>;

struct delivery {
  caf::actor_addr connection;  // the probe it reached
  std::uint64_t key = 0;
  frame_batch frames;
  std::uint64_t message = 0;  // deliveries that came in one message share this
};

using delivery_log = std::vector<delivery>;

// A stand-in for a connection actor. The test_coordinator runs every actor on
// the test's thread, so the shared log needs no locking.
caf::behavior probe(caf::event_based_actor* self, std::shared_ptr<delivery_log> log) {
  static std::uint64_t messages = 0;
  return {
      [self, log](atoms::deliver, std::uint64_t key, const frame_batch& frames, const event_ptr&) {
        log->push_back({self->address(), key, frames, ++messages});
      },
      // Broadcasts that a room batched count one by one.
      [self, log](atoms::deliver_run, std::uint64_t key, const delivery_run& run) {
        ++messages;
        for (const auto& d : *run) log->push_back({self->address(), key, d.frames, messages});
      },
  };
}

frame_batch make_frames(const std::string& text) {
  return std::make_shared<const std::vector<frame>>(std::vector<frame>{frame::text(text)});
}

class Namespace : public actor_test {
 protected:
  Namespace() : nsp(detail::spawn_namespace(sys, "/")) {
    track(nsp);
    run();
  }

  /// A new connection actor (nothing joined yet).
  caf::actor connection() {
    auto c = sys.spawn(probe, log);
    track(c);
    return c;
  }

  /// Adds socket `sid` on a new connection (or on `c`); returns its key.
  std::uint64_t add(const std::string& sid, caf::actor c = {}) {
    if (!c) c = connection();
    auto key = next_key_++;
    key_of[sid] = key;
    connection_of[sid] = c;
    caf::anon_send(nsp, atoms::add_socket::value, sid, key, c);
    return key;
  }

  void remove(const std::string& sid) { caf::anon_send(nsp, atoms::remove_socket::value, sid); }
  void join(const std::string& sid, const std::string& room) {
    caf::anon_send(nsp, atoms::join::value, sid, room);
  }
  void leave(const std::string& sid, const std::string& room) {
    caf::anon_send(nsp, atoms::leave::value, sid, room);
  }

  /// Sends a broadcast; returns its frames (distinct per call).
  frame_batch broadcast(strings rooms, strings except = {}) {
    auto req = std::make_shared<broadcast_request>();
    req->rooms = std::move(rooms);
    req->except = std::move(except);
    req->frames = make_frames("42[\"b" + std::to_string(next_broadcast_++) + "\"]");
    caf::anon_send(nsp, atoms::broadcast::value, std::shared_ptr<const broadcast_request>(req));
    return req->frames;
  }

  /// The keys that got `frames`, once per copy; fails on a copy sent to the
  /// wrong connection for its key.
  keys recipients(const frame_batch& frames) const {
    keys out;
    for (const auto& d : *log) {
      if (d.frames != frames) continue;
      out.insert(d.key);
      for (const auto& [sid, key] : key_of)
        if (key == d.key) {
          EXPECT_EQ(d.connection, connection_of.at(sid).address()) << "key of " << sid;
        }
    }
    return out;
  }

  keys keys_of(const strings& sids) const {
    keys out;
    for (const auto& sid : sids) out.insert(key_of.at(sid));
    return out;
  }

  std::size_t running() { return sys.registry().running(); }

  caf::actor nsp;
  std::shared_ptr<delivery_log> log = std::make_shared<delivery_log>();
  std::map<std::string, std::uint64_t> key_of;
  std::map<std::string, caf::actor> connection_of;

 private:
  std::uint64_t next_key_ = 100;
  int next_broadcast_ = 0;
};

// -- whole namespace ------------------------------------------------------------

TEST_F(Namespace, BroadcastReachesEverySocketOnce) {
  for (auto sid : {"a", "b", "c", "d"}) add(sid);
  join("a", "r");
  join("b", "r");
  join("b", "s");
  auto all = broadcast({});
  run();
  EXPECT_EQ(recipients(all), keys_of({"a", "b", "c", "d"}));
  EXPECT_EQ(log->size(), 4u);
}

TEST_F(Namespace, BroadcastExceptRoomSkipsItsMembers) {
  for (auto sid : {"a", "b", "c", "d"}) add(sid);
  join("a", "r");
  join("b", "r");
  join("c", "s");
  auto not_r = broadcast({}, {"r"});
  auto not_r_s = broadcast({}, {"r", "s"});
  auto not_missing = broadcast({}, {"no-such-room"});
  run();
  EXPECT_EQ(recipients(not_r), keys_of({"c", "d"}));
  EXPECT_EQ(recipients(not_r_s), keys_of({"d"}));
  EXPECT_EQ(recipients(not_missing), keys_of({"a", "b", "c", "d"}));
}

TEST_F(Namespace, BroadcastExceptSocketIdSkipsThatSocket) {
  for (auto sid : {"a", "b", "c"}) add(sid);
  join("a", "r");
  join("b", "r");
  auto not_b = broadcast({}, {"b"});
  auto r_not_a = broadcast({"r"}, {"a"});
  run();
  EXPECT_EQ(recipients(not_b), keys_of({"a", "c"}));
  EXPECT_EQ(recipients(r_not_a), keys_of({"b"}));
}

TEST_F(Namespace, EmptyNamespaceBroadcastsToNobody) {
  broadcast({});
  broadcast({"r"});
  broadcast({"r", "s"}, {"t"});
  run();
  EXPECT_TRUE(log->empty());
}

// -- rooms ----------------------------------------------------------------------

TEST_F(Namespace, OneRoomReachesExactlyItsMembersThroughTheRoomActor) {
  auto before = running();
  for (auto sid : {"a", "b", "c"}) add(sid);
  run();
  EXPECT_EQ(running(), before + 3) << "three connections, no room actors for own rooms";
  join("a", "r");
  join("c", "r");
  run();
  EXPECT_EQ(running(), before + 4) << "one room actor for r";
  auto to_r = broadcast({"r"});
  auto to_a = broadcast({"a"});  // a socket's own room
  auto to_nobody = broadcast({"empty"});
  run();
  EXPECT_EQ(recipients(to_r), keys_of({"a", "c"}));
  EXPECT_EQ(recipients(to_a), keys_of({"a"}));
  EXPECT_TRUE(recipients(to_nobody).empty());
}

TEST_F(Namespace, BroadcastsQueuedAtARoomReachEachMemberInOneMessage) {
  for (auto sid : {"a", "b", "c"}) add(sid);
  join("a", "r");
  join("b", "r");
  run();
  // Both broadcasts wait in the room's mailbox, and so does a join between
  // them: the first goes to the members before the join, in one message;
  // the second to all three.
  auto first = broadcast({"r"});
  join("c", "r");
  auto second = broadcast({"r"});
  auto third = broadcast({"r"});
  run();
  EXPECT_EQ(recipients(first), keys_of({"a", "b"}));
  EXPECT_EQ(recipients(second), keys_of({"a", "b", "c"}));
  EXPECT_EQ(recipients(third), keys_of({"a", "b", "c"}));
  for (auto sid : {"a", "b", "c"}) {
    std::vector<const delivery*> got;
    for (const auto& d : *log)
      if (d.key == key_of.at(sid)) got.push_back(&d);
    auto n = std::string(sid) == "c" ? 2u : 3u;
    ASSERT_EQ(got.size(), n) << sid;
    EXPECT_EQ(got[n - 2]->frames, second) << sid << ": in order";
    EXPECT_EQ(got[n - 1]->frames, third) << sid << ": in order";
    EXPECT_EQ(got[n - 2]->message, got[n - 1]->message) << sid << ": second and third together";
    if (n == 3) {
      EXPECT_NE(got[0]->message, got[1]->message) << sid << ": the join splits the run";
    }
  }
}

// A room's actor hands out its broadcasts a moment later than the
// namespace's own deliveries; a member still gets every broadcast in the
// order it was sent, whichever way each one took.
TEST_F(Namespace, BroadcastsReachAMemberInTheOrderSentWhicheverWayEachTook) {
  for (auto sid : {"a", "b", "c"}) add(sid);
  join("a", "r");
  join("b", "r");
  join("a", "s");
  run();
  std::vector<frame_batch> sent{
      broadcast({"r"}),         // through r's actor
      broadcast({"r"}, {"c"}),  // by the namespace: it has an exception
      broadcast({"s"}),         // through s's actor
      broadcast({"r"}),         // through r's actor again
      broadcast({}),            // by the namespace: everyone
  };
  run();
  std::vector<frame_batch> to_a;
  for (const auto& d : *log)
    if (d.key == key_of.at("a")) to_a.push_back(d.frames);
  EXPECT_EQ(to_a, sent);
}

TEST_F(Namespace, ASocketJoinsTheRoomOfItsIdThatOthersJoinedBeforeItCame) {
  add("a");
  join("a", "late");  // a room named like a socket that does not exist yet
  add("late");
  auto to_late = broadcast({"late"});
  auto except_late = broadcast({}, {"late"});
  leave("late", "late");
  auto after_leave = broadcast({"late"});
  remove("a");
  auto after_remove = broadcast({"late"});
  run();
  EXPECT_EQ(recipients(to_late), keys_of({"a", "late"}));
  EXPECT_TRUE(recipients(except_late).empty());
  EXPECT_EQ(recipients(after_leave), keys_of({"a"}));
  EXPECT_TRUE(recipients(after_remove).empty());
}

TEST_F(Namespace, OneRoomNamedAfterASocketReachesThatSocketAndWhoJoinedIt) {
  // io.to(socketId) after another socket joined the room named after that id:
  // the room holds both.
  for (auto sid : {"a", "b", "c"}) add(sid);
  join("a", "b");
  auto to_b = broadcast({"b"});
  auto to_b_except_a = broadcast({"b"}, {"a"});
  leave("b", "b");  // a socket may leave its own room
  auto to_b_later = broadcast({"b"});
  run();
  EXPECT_EQ(recipients(to_b), keys_of({"a", "b"}));
  EXPECT_EQ(recipients(to_b_except_a), keys_of({"b"}));
  EXPECT_EQ(recipients(to_b_later), keys_of({"a"}));
  // A room that a socket joined before one with its name was added.
  join("a", "late");
  add("late");
  auto to_late = broadcast({"late"});
  run();
  EXPECT_EQ(recipients(to_late), keys_of({"a", "late"}));
}

TEST_F(Namespace, SeveralRoomsReachEachIntendedSocketOnce) {
  // only1 in r1, only2 in r2, both in r1 and r2, neither in r3 only, none nowhere.
  for (auto sid : {"only1", "only2", "both", "neither", "none"}) add(sid);
  join("only1", "r1");
  join("only2", "r2");
  join("both", "r1");
  join("both", "r2");
  join("neither", "r3");
  auto r1_r2 = broadcast({"r1", "r2"});
  auto r2_r1 = broadcast({"r2", "r1"});
  auto r1_r1 = broadcast({"r1", "r1"});
  auto r1_r2_own = broadcast({"r1", "r2", "only1", "none"});
  run();
  EXPECT_EQ(recipients(r1_r2), keys_of({"only1", "only2", "both"}));
  EXPECT_EQ(recipients(r2_r1), keys_of({"only1", "only2", "both"}));
  EXPECT_EQ(recipients(r1_r1), keys_of({"only1", "both"}));
  EXPECT_EQ(recipients(r1_r2_own), keys_of({"only1", "only2", "both", "none"}));
}

TEST_F(Namespace, SeveralRoomsExceptARoomRemoveItsMembers) {
  for (auto sid : {"only1", "only2", "both", "neither"}) add(sid);
  join("only1", "r1");
  join("only2", "r2");
  join("both", "r1");
  join("both", "r2");
  join("neither", "r3");
  join("both", "r3");
  join("only2", "r4");
  auto except_r3 = broadcast({"r1", "r2"}, {"r3"});
  auto except_r3_r4 = broadcast({"r1", "r2"}, {"r3", "r4"});
  auto one_room_except = broadcast({"r2"}, {"r3"});
  auto except_all = broadcast({"r1"}, {"r1"});
  run();
  EXPECT_EQ(recipients(except_r3), keys_of({"only1", "only2"}));
  EXPECT_EQ(recipients(except_r3_r4), keys_of({"only1"}));
  EXPECT_EQ(recipients(one_room_except), keys_of({"only2"}));
  EXPECT_TRUE(recipients(except_all).empty());
}

TEST_F(Namespace, EveryRecipientGetsTheSameFrames) {
  for (auto sid : {"a", "b", "c", "d"}) add(sid);
  join("a", "r");
  join("b", "r");
  join("c", "s");
  auto all = broadcast({});
  auto one_room = broadcast({"r"});
  auto two_rooms = broadcast({"r", "s"}, {"d"});
  run();
  ASSERT_EQ(log->size(), 4u + 2u + 3u);
  for (const auto& frames : {all, one_room, two_rooms}) {
    std::size_t copies = 0;
    for (const auto& d : *log)
      if (d.frames.get() == frames.get()) ++copies;
    EXPECT_GT(copies, 0u);
  }
  for (const auto& d : *log) {
    auto same = d.frames.get() == all.get() || d.frames.get() == one_room.get() ||
                d.frames.get() == two_rooms.get();
    EXPECT_TRUE(same) << "a recipient got a copy of the frames";
  }
}

TEST_F(Namespace, BroadcastBuilderEncodesOnceForEveryRecipient) {
  for (auto sid : {"a", "b", "c"}) add(sid);
  join("a", "r");
  join("b", "r");
  join("c", "r");
  sio::broadcast(nsp, "/").to("r").except("b").emit("hello", {json(1)});
  run();
  ASSERT_EQ(log->size(), 2u);
  EXPECT_EQ(log->at(0).frames.get(), log->at(1).frames.get());
  ASSERT_EQ(log->at(0).frames->size(), 1u);
  EXPECT_EQ(*log->at(0).frames->front().data, "42[\"hello\",1]");
  EXPECT_EQ(recipients(log->at(0).frames), keys_of({"a", "c"}));
}

// -- leaving --------------------------------------------------------------------

TEST_F(Namespace, LeaveRemovesFromDelivery) {
  for (auto sid : {"a", "b", "c"}) add(sid);
  join("a", "r");
  join("b", "r");
  join("b", "s");
  leave("a", "r");
  leave("c", "r");  // never joined: nothing happens
  auto to_r = broadcast({"r"});
  auto to_r_s = broadcast({"r", "s"});
  leave("b", "r");
  auto to_r_later = broadcast({"r"});
  auto to_s_later = broadcast({"s"});
  run();
  EXPECT_EQ(recipients(to_r), keys_of({"b"}));
  EXPECT_EQ(recipients(to_r_s), keys_of({"b"}));
  EXPECT_TRUE(recipients(to_r_later).empty());
  EXPECT_EQ(recipients(to_s_later), keys_of({"b"}));
}

TEST_F(Namespace, LastLeaveStopsTheRoomActor) {
  auto before = running();
  add("a");
  add("b");
  join("a", "r");
  join("b", "r");
  run();
  auto with_room = running();
  EXPECT_EQ(with_room, before + 3);
  leave("a", "r");
  run();
  EXPECT_EQ(running(), with_room) << "b is still in r";
  leave("b", "r");
  run();
  EXPECT_EQ(running(), with_room - 1) << "the room actor of r stopped";
  // The room comes back on the next join.
  join("a", "r");
  auto to_r = broadcast({"r"});
  run();
  EXPECT_EQ(running(), with_room);
  EXPECT_EQ(recipients(to_r), keys_of({"a"}));
}

TEST_F(Namespace, RemoveSocketLeavesEveryRoom) {
  auto before = running();
  for (auto sid : {"a", "b"}) add(sid);
  join("a", "r");
  join("a", "s");
  join("b", "r");
  run();
  EXPECT_EQ(running(), before + 2 + 2) << "two connections, rooms r and s";
  remove("a");
  auto all = broadcast({});
  auto to_r = broadcast({"r"});
  auto to_s = broadcast({"s"});
  auto to_own = broadcast({"a"});
  auto two_rooms = broadcast({"r", "s"});
  run();
  EXPECT_EQ(running(), before + 2 + 1) << "s had only a: its actor stopped";
  EXPECT_EQ(recipients(all), keys_of({"b"}));
  EXPECT_EQ(recipients(to_r), keys_of({"b"}));
  EXPECT_TRUE(recipients(to_s).empty());
  EXPECT_TRUE(recipients(to_own).empty());
  EXPECT_EQ(recipients(two_rooms), keys_of({"b"}));
  // A removed socket cannot join again without being added.
  join("a", "r");
  auto to_r_again = broadcast({"r"});
  run();
  EXPECT_EQ(recipients(to_r_again), keys_of({"b"}));
}

TEST_F(Namespace, DeadConnectionIsDroppedFromEveryRoom) {
  auto before = running();
  add("a");
  add("b");
  join("a", "r");
  join("b", "r");
  join("a", "solo");
  run();
  EXPECT_EQ(running(), before + 2 + 2);
  auto nsp_down = watch(nsp);
  auto dead = connection_of.at("a");
  auto dead_addr = dead.address();
  auto dead_down = watch(dead);
  caf::anon_send_exit(dead, caf::exit_reason::kill);
  dead = nullptr;
  connection_of.at("a") = nullptr;
  run();
  ASSERT_TRUE(*dead_down);
  EXPECT_EQ(running(), before + 1 + 1) << "the connection and the room solo are gone";
  auto all = broadcast({});
  auto to_r = broadcast({"r"});
  auto to_solo = broadcast({"solo"});
  auto to_own = broadcast({"a"});
  auto r_solo = broadcast({"r", "solo"}, {"x"});
  run();
  EXPECT_FALSE(*nsp_down) << "the namespace survived";
  for (const auto& d : *log) EXPECT_NE(d.connection, dead_addr);
  EXPECT_EQ(log->size(), 3u);
  EXPECT_EQ(recipients(all), keys_of({"b"}));
  EXPECT_EQ(recipients(to_r), keys_of({"b"}));
  EXPECT_TRUE(recipients(to_solo).empty());
  EXPECT_TRUE(recipients(to_own).empty());
  EXPECT_EQ(recipients(r_solo), keys_of({"b"}));
  // Leaving the last room later still stops the room actor.
  leave("b", "r");
  run();
  EXPECT_EQ(running(), before + 1);
}

TEST_F(Namespace, DeadConnectionDropsAllItsSockets) {
  auto shared = connection();
  add("a", shared);
  add("b", shared);
  add("c");
  join("a", "r");
  join("b", "r");
  join("c", "r");
  run();
  auto shared_addr = shared.address();
  caf::anon_send_exit(shared, caf::exit_reason::kill);
  shared = nullptr;
  connection_of.clear();
  run();
  auto all = broadcast({});
  auto to_r = broadcast({"r"});
  run();
  for (const auto& d : *log) EXPECT_NE(d.connection, shared_addr);
  ASSERT_EQ(log->size(), 2u);
  for (const auto& d : *log) EXPECT_EQ(d.key, key_of.at("c"));
}

TEST_F(Namespace, RemovingOneSocketKeepsWatchingItsConnection) {
  auto shared = connection();
  add("a", shared);
  add("b", shared);
  remove("a");
  run();
  auto before = broadcast({});
  run();
  EXPECT_EQ(recipients(before), keys_of({"b"}));
  caf::anon_send_exit(shared, caf::exit_reason::kill);
  shared = nullptr;
  connection_of.erase("b");
  connection_of.erase("a");
  run();
  auto after = broadcast({});
  run();
  EXPECT_TRUE(recipients(after).empty()) << "b left with its connection";
}

TEST_F(Namespace, StopsItsRoomActorsWhenItStops) {
  auto before = running();
  add("a");
  join("a", "r");
  join("a", "s");
  run();
  EXPECT_EQ(running(), before + 3);
  caf::anon_send_exit(nsp, caf::exit_reason::user_shutdown);
  run();
  // The namespace and both room actors are gone; the connection is left.
  EXPECT_EQ(running(), before - 1 + 1);
}

// -- concurrent joins and broadcasts ---------------------------------------------

/// The namespace's membership, replayed in the order the namespace got the
/// messages.
struct membership_model {
  std::map<std::string, std::uint64_t> sockets;
  std::map<std::string, std::set<std::string>> rooms;  // room -> sids

  void add(const std::string& sid, std::uint64_t key) {
    sockets[sid] = key;
    rooms[sid].insert(sid);
  }
  void remove(const std::string& sid) {
    sockets.erase(sid);
    for (auto& [room, sids] : rooms) sids.erase(sid);
  }
  void join(const std::string& sid, const std::string& room) {
    if (sockets.count(sid)) rooms[room].insert(sid);
  }
  void leave(const std::string& sid, const std::string& room) { rooms[room].erase(sid); }

  keys recipients(const strings& to, const strings& except) const {
    std::set<std::string> excluded;
    for (const auto& room : except)
      if (auto it = rooms.find(room); it != rooms.end())
        excluded.insert(it->second.begin(), it->second.end());
    std::set<std::string> chosen;
    if (to.empty()) {
      for (const auto& [sid, key] : sockets) chosen.insert(sid);
    } else {
      for (const auto& room : to)
        if (auto it = rooms.find(room); it != rooms.end())
          chosen.insert(it->second.begin(), it->second.end());
    }
    keys out;
    for (const auto& sid : chosen)
      if (!excluded.count(sid)) out.insert(sockets.at(sid));
    return out;
  }
};

class NamespaceConcurrent : public Namespace {
 protected:
  struct expected_broadcast {
    frame_batch frames;
    keys recipients;
    std::string what;
  };

  /// Runs one job picked at random (each job handles one message).
  void run_random_job() {
    if (sched.jobs.empty()) return;
    auto pick = std::uniform_int_distribution<std::size_t>(0, sched.jobs.size() - 1)(rng);
    auto b = sched.jobs.begin();
    std::rotate(b, b + static_cast<std::ptrdiff_t>(pick),
                b + static_cast<std::ptrdiff_t>(pick) + 1);
    sched.run_once();
  }

  /// Sends `operations` random joins, leaves, socket additions and removals and
  /// broadcasts; after each, runs up to `max_steps` random jobs.
  void churn(int operations, int max_steps) {
    constexpr int socket_count = 24;
    const strings room_names{"r0", "r1", "r2", "r3", "r4", "r5"};
    std::vector<std::string> pool;
    for (int i = 0; i < socket_count; ++i) pool.push_back("s" + std::to_string(i));
    for (int i = 0; i < socket_count / 2; ++i) {
      model.add(pool[static_cast<std::size_t>(i)], add(pool[static_cast<std::size_t>(i)]));
    }
    auto pick = [this](std::size_t n) {
      return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
    };
    auto a_room = [&] {
      // Mostly named rooms, sometimes a socket's own room.
      return pick(5) == 0 ? pool[pick(pool.size())] : room_names[pick(room_names.size())];
    };
    for (int op = 0; op < operations; ++op) {
      auto sid = pool[pick(pool.size())];
      switch (pick(10)) {
        case 0:
        case 1:
        case 2: {
          auto room = a_room();
          join(sid, room);
          model.join(sid, room);
          break;
        }
        case 3:
        case 4: {
          auto room = a_room();
          leave(sid, room);
          model.leave(sid, room);
          break;
        }
        case 5:
          if (model.sockets.count(sid)) {
            remove(sid);
            model.remove(sid);
          } else {
            model.add(sid, add(sid));  // back with a new key and connection
          }
          break;
        default: {
          strings to;
          strings except;
          auto n_to = pick(4);
          for (std::size_t i = 0; i < n_to; ++i) to.push_back(a_room());
          auto n_except = pick(3);
          for (std::size_t i = 0; i < n_except; ++i) except.push_back(a_room());
          auto frames = broadcast(to, except);
          std::string what = "broadcast #" + std::to_string(expected.size()) + " to";
          for (const auto& r : to) what += " " + r;
          what += " except";
          for (const auto& r : except) what += " " + r;
          expected.push_back({frames, model.recipients(to, except), what});
          break;
        }
      }
      auto steps = max_steps > 0 ? pick(static_cast<std::size_t>(max_steps) + 1) : 0;
      for (std::size_t i = 0; i < steps; ++i) run_random_job();
    }
    if (!drain_in_order)
      while (!sched.jobs.empty()) run_random_job();
    run();
  }

  void check() {
    ASSERT_GT(expected.size(), 50u);
    std::size_t total = 0;
    std::size_t nonempty = 0;
    for (const auto& e : expected) {
      auto got = recipients(e.frames);
      std::set<std::uint64_t> distinct(got.begin(), got.end());
      EXPECT_EQ(distinct.size(), got.size()) << e.what << ": a socket got it twice";
      EXPECT_EQ(got, e.recipients) << e.what;
      total += e.recipients.size();
      if (!e.recipients.empty()) ++nonempty;
    }
    EXPECT_EQ(log->size(), total) << "deliveries of unknown broadcasts";
    EXPECT_GT(nonempty, expected.size() / 2) << "the workload should reach someone";
  }

  std::mt19937 rng{20240611};
  bool drain_in_order = false;
  membership_model model;
  std::vector<expected_broadcast> expected;
};

TEST_F(NamespaceConcurrent, EnqueuedInOneGoThenRunInOrder) {
  drain_in_order = true;
  churn(400, 0);
  EXPECT_NO_FATAL_FAILURE(check());
}

TEST_F(NamespaceConcurrent, EnqueuedInOneGoThenRunInRandomOrder) {
  rng.seed(7);
  churn(400, 0);  // nothing runs while sending; the drain picks jobs at random
  EXPECT_NO_FATAL_FAILURE(check());
}

TEST_F(NamespaceConcurrent, InterleavedWithRandomJobs) {
  rng.seed(12345);
  churn(400, 3);
  EXPECT_NO_FATAL_FAILURE(check());
}

TEST_F(NamespaceConcurrent, InterleavedWithManyRandomJobs) {
  rng.seed(99);
  churn(400, 12);
  EXPECT_NO_FATAL_FAILURE(check());
}

}  // namespace
}  // namespace sio::test
