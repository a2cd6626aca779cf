// Connection state recovery in the namespace actor, on CAF's test_coordinator
// (virtual time): offsets stamped on broadcasts, sessions persisted, claimed
// and restored with what they missed, and the bounds on what is kept
// (recovery_store on its own, with explicit times).
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

#include <gtest/gtest.h>

#include "actor_test_support.hpp"
#include "namespace_actor.hpp"
#include "recovery_store.hpp"
#include "sio/actors/atoms.hpp"
#include "sio/actors/broadcast.hpp"
#include "sio/actors/messages.hpp"

namespace sio::test {
namespace {

using namespace std::chrono_literals;
using strings = std::vector<std::string>;

// What a stand-in connection got: the text of every frame delivered, and
// every replay (its texts), in order.
struct inbox {
  strings delivered;
  std::vector<strings> replays;
};

caf::behavior probe(caf::event_based_actor*, std::shared_ptr<inbox> in) {
  auto texts = [](const std::vector<frame>& frames) {
    strings out;
    for (const auto& f : frames) out.push_back(*f.data);
    return out;
  };
  return {
      [in](atoms::deliver, std::uint64_t, const frame_batch& frames, const event_ptr&) {
        for (const auto& f : *frames) in->delivered.push_back(*f.data);
      },
      [in](atoms::deliver_run, std::uint64_t, const delivery_run& run) {
        for (const auto& d : *run)
          for (const auto& f : *d.frames) in->delivered.push_back(*f.data);
      },
      [in, texts](atoms::replay, std::uint64_t, const std::vector<frame>& missed) {
        in->replays.push_back(texts(missed));
      },
  };
}

// Asks the namespace for a claim and keeps the answer.
caf::behavior claimer(caf::event_based_actor* self, caf::actor nsp, std::string pid, json offset,
                      std::shared_ptr<detail::claimed_ptr> out) {
  self->request(nsp, caf::infinite, atoms::claim::value, pid, offset)
      .then([self, out](detail::claimed_ptr& c) {
        *out = c;
        self->quit();
      });
  return {};
}

// The offset a client reads from a stamped event: its last argument.
std::string offset_of(const std::string& text) {
  auto end = text.rfind('"');
  auto begin = text.rfind('"', end - 1);
  return text.substr(begin + 1, end - begin - 1);
}

recovery_options test_options() {
  recovery_options o;
  o.max_disconnection_duration = 5000ms;
  o.undetected_loss_window = 1000ms;
  return o;
}

class Recovery : public actor_test {
 protected:
  explicit Recovery(recovery_options o = test_options())
      : nsp(detail::spawn_namespace(sys, "/", o)) {
    track(nsp);
    run();
  }

  caf::actor connection(std::shared_ptr<inbox> in) {
    auto c = sys.spawn(probe, std::move(in));
    track(c);
    return c;
  }

  void broadcast(strings rooms, const std::string& name, bool is_volatile = false) {
    auto req = std::make_shared<broadcast_request>();
    req->rooms = std::move(rooms);
    req->is_volatile = is_volatile;
    req->frames = encode_event("/", name, {});
    caf::anon_send(nsp, atoms::broadcast::value, std::shared_ptr<const broadcast_request>(req));
  }

  /// Socket `sid` connects: its events start here.
  void add(const std::string& sid, const caf::actor& c, std::uint64_t key) {
    first_offset_of[sid] = detail::upcoming_offset();
    caf::anon_send(nsp, atoms::add_socket::value, sid, key, c);
  }

  /// The socket goes away as after a transport close: persisted, then removed.
  void go_away(const std::string& sid, const std::string& pid, strings rooms) {
    caf::anon_send(nsp, atoms::persist::value, pid, sid, std::move(rooms),
                   json{{"foo", "bar"}}, first_offset_of[sid]);
    caf::anon_send(nsp, atoms::remove_socket::value, sid);
  }

  detail::claimed_ptr claim(const std::string& pid, json offset) {
    auto out = std::make_shared<detail::claimed_ptr>();
    sys.spawn(claimer, nsp, pid, std::move(offset), out);
    run();
    return *out;
  }

  void restore(const std::string& pid, const std::string& sid, const caf::actor& c,
               std::uint64_t key) {
    caf::anon_send(nsp, atoms::restore::value, pid, sid, key, c);
    run();
  }

  caf::actor nsp;
  std::map<std::string, std::uint64_t> first_offset_of;
};

TEST_F(Recovery, StampsAnOffsetOnBroadcastsWithoutAckThatAreNotVolatile) {
  auto in = std::make_shared<inbox>();
  add("a", connection(in), 1);
  broadcast({}, "one");
  broadcast({}, "quiet", true);
  run();
  ASSERT_EQ(in->delivered.size(), 2u);
  EXPECT_EQ(in->delivered[0], "42[\"one\",\"" + offset_of(in->delivered[0]) + "\"]");
  EXPECT_FALSE(offset_of(in->delivered[0]).empty());
  EXPECT_EQ(in->delivered[1], "42[\"quiet\"]");
}

TEST_F(Recovery, RestoresRoomsAndReplaysWhatReachedThemAfterTheOffset) {
  auto in = std::make_shared<inbox>();
  add("a", connection(in), 1);
  caf::anon_send(nsp, atoms::join::value, std::string("a"), std::string("r"));
  broadcast({}, "seen");
  run();
  auto offset = offset_of(in->delivered.at(0));
  go_away("a", "pid-a", {"a", "r"});
  broadcast({"r"}, "to-r");
  broadcast({}, "to-all");
  broadcast({"s"}, "to-s");
  broadcast({"a"}, "to-a");
  run();
  auto claimed = claim("pid-a", offset);
  ASSERT_TRUE(claimed);
  EXPECT_EQ(claimed->sid, "a");
  EXPECT_EQ(claimed->data, (json{{"foo", "bar"}}));
  auto back = std::make_shared<inbox>();
  auto c2 = connection(back);
  restore("pid-a", "a", c2, 2);
  ASSERT_EQ(back->replays.size(), 1u);
  ASSERT_EQ(back->replays[0].size(), 3u);
  EXPECT_EQ(back->replays[0][0].rfind("42[\"to-r\"", 0), 0u);
  EXPECT_EQ(back->replays[0][1].rfind("42[\"to-all\"", 0), 0u);
  EXPECT_EQ(back->replays[0][2].rfind("42[\"to-a\"", 0), 0u);
  // Back in its rooms: what goes to them now arrives live.
  broadcast({"r"}, "live");
  run();
  ASSERT_EQ(back->delivered.size(), 1u);
  EXPECT_EQ(back->delivered[0].rfind("42[\"live\"", 0), 0u);
}

TEST_F(Recovery, AClientThatGotNoEventRecoversEverythingSinceItConnected) {
  broadcast({}, "before");
  run();
  auto in = std::make_shared<inbox>();
  add("a", connection(in), 1);
  broadcast({}, "lost");  // sent, never read by the client
  go_away("a", "pid-a", {"a"});
  broadcast({}, "while-away");
  run();
  ASSERT_TRUE(claim("pid-a", json()));
  auto back = std::make_shared<inbox>();
  restore("pid-a", "a", connection(back), 2);
  ASSERT_EQ(back->replays.size(), 1u);
  ASSERT_EQ(back->replays[0].size(), 2u);
  EXPECT_EQ(back->replays[0][0].rfind("42[\"lost\"", 0), 0u);
  EXPECT_EQ(back->replays[0][1].rfind("42[\"while-away\"", 0), 0u);
}

TEST_F(Recovery, AClientWhoseOffsetLeftTheLogLongAgoStillRecovers) {
  auto in = std::make_shared<inbox>();
  add("a", connection(in), 1);
  broadcast({}, "seen");
  run();
  auto offset = offset_of(in->delivered.at(0));
  advance(10000ms);
  broadcast({}, "lost");  // drops "seen": no session waits
  go_away("a", "pid-a", {"a"});
  run();
  ASSERT_TRUE(claim("pid-a", offset));
  auto back = std::make_shared<inbox>();
  restore("pid-a", "a", connection(back), 2);
  ASSERT_EQ(back->replays.size(), 1u);
  ASSERT_EQ(back->replays[0].size(), 1u);
  EXPECT_EQ(back->replays[0][0].rfind("42[\"lost\"", 0), 0u);
}

TEST_F(Recovery, ASessionIsRestoredAtMostOnce) {
  auto in = std::make_shared<inbox>();
  add("a", connection(in), 1);
  go_away("a", "pid-a", {"a"});
  run();
  EXPECT_TRUE(claim("pid-a", json()));
  EXPECT_FALSE(claim("pid-a", json())) << "a second claim while the first restores";
  restore("pid-a", "a", connection(std::make_shared<inbox>()), 2);
  EXPECT_FALSE(claim("pid-a", json())) << "a claim after the restore";
}

TEST_F(Recovery, ForgedPidsAndOffsetsFindNothingAndTouchNoSession) {
  auto in = std::make_shared<inbox>();
  add("a", connection(in), 1);
  broadcast({}, "seen");
  run();
  auto offset = offset_of(in->delivered.at(0));
  go_away("a", "pid-a", {"a"});
  run();
  EXPECT_FALSE(claim("no-such-pid", offset));
  EXPECT_FALSE(claim("pid-a", "not-an-offset"));
  EXPECT_FALSE(claim("pid-a", "18446744073709551615"));
  EXPECT_FALSE(claim("pid-a", "99999999999999999999999"));
  EXPECT_FALSE(claim("pid-a", json(std::stoull(offset)))) << "an offset is a string";
  EXPECT_FALSE(claim("pid-a", "-1"));
  EXPECT_TRUE(claim("pid-a", offset)) << "the real session is still there";
}

TEST_F(Recovery, ASessionExpiresAfterTheMaxDisconnectionDuration) {
  auto in = std::make_shared<inbox>();
  add("a", connection(in), 1);
  add("b", connection(std::make_shared<inbox>()), 2);
  go_away("a", "pid-a", {"a"});
  run();
  advance(2000ms);
  go_away("b", "pid-b", {"b"});
  run();
  advance(3001ms);
  EXPECT_FALSE(claim("pid-a", json()));
  EXPECT_TRUE(claim("pid-b", json()));
}

TEST_F(Recovery, AForgottenClaimCannotBeRestored) {
  add("a", connection(std::make_shared<inbox>()), 1);
  go_away("a", "pid-a", {"a"});
  run();
  ASSERT_TRUE(claim("pid-a", json()));
  caf::anon_send(nsp, atoms::forget::value, std::string("pid-a"));
  run();
  EXPECT_FALSE(claim("pid-a", json()));
}

TEST_F(Recovery, ADirectEmitRecordedWhileAwayIsReplayed) {
  add("a", connection(std::make_shared<inbox>()), 1);
  go_away("a", "pid-a", {"a"});
  auto offset = detail::next_offset();
  caf::anon_send(nsp, atoms::record::value, std::string("a"), offset,
                 encode_event("/", "direct", {json(std::to_string(offset))}));
  caf::anon_send(nsp, atoms::record::value, std::string("b"), detail::next_offset(),
                 encode_event("/", "other", {}));
  run();
  ASSERT_TRUE(claim("pid-a", json()));
  auto back = std::make_shared<inbox>();
  restore("pid-a", "a", connection(back), 2);
  ASSERT_EQ(back->replays.size(), 1u);
  ASSERT_EQ(back->replays[0].size(), 1u);
  EXPECT_EQ(back->replays[0][0], "42[\"direct\",\"" + std::to_string(offset) + "\"]");
}

// -- what is kept ----------------------------------------------------------------

using time_point = detail::recovery_store::time_point;

std::shared_ptr<const broadcast_request> event_request(std::size_t size) {
  auto req = std::make_shared<broadcast_request>();
  req->frames = encode_event("/", "e", {json(std::string(size, 'x'))});
  return req;
}

TEST(RecoveryStore, KeepsOnlyTheUndetectedLossWindowWhileNoSessionWaits) {
  detail::recovery_store store(test_options());
  time_point t0{};
  for (int i = 0; i < 10; ++i) store.stamp(event_request(10), t0 + i * 200ms);
  // At 1.8 s, the window of 1 s holds the events of 0.8 s and later.
  EXPECT_EQ(store.entries(), 6u);
  store.stamp(event_request(10), t0 + 100s);
  EXPECT_EQ(store.entries(), 1u);
}

TEST(RecoveryStore, KeepsWhatTheOldestWaitingSessionNeedsThenLetsItGo) {
  detail::recovery_store store(test_options());
  time_point t0{};
  store.stamp(event_request(10), t0);
  store.persist({"a", "pid-a", {"a"}, json::object(), detail::upcoming_offset()}, t0 + 500ms);
  for (int i = 1; i <= 5; ++i) store.stamp(event_request(10), t0 + i * 1000ms);
  EXPECT_EQ(store.entries(), 6u) << "the session may need all since before it went";
  store.expire("pid-a", t0 + 5500ms);
  EXPECT_EQ(store.waiting_sessions(), 0u);
  EXPECT_EQ(store.entries(), 1u) << "only the last second now";
}

TEST(RecoveryStore, StaysUnderItsByteBoundAndThenRefusesWhatItLost) {
  auto o = test_options();
  o.max_buffered_bytes = 4096;
  detail::recovery_store store(o);
  time_point t0{};
  auto first = store.stamp(event_request(100), t0);
  auto text = *first->frames->front().data;
  auto offset = offset_of(text);
  store.persist({"a", "pid-a", {"a"}, json::object(), detail::upcoming_offset()}, t0);
  for (int i = 0; i < 100; ++i) store.stamp(event_request(100), t0);
  EXPECT_LE(store.bytes(), 4096u);
  EXPECT_GT(store.entries(), 0u);
  EXPECT_FALSE(store.claim("pid-a", offset, t0)) << "its offset was evicted";
  EXPECT_FALSE(store.claim("pid-a", json(), t0)) << "what it missed is partly gone";
}

TEST(RecoveryStore, WaitingSessionsShareTheByteBoundAndTheOldestGoFirst) {
  auto o = test_options();
  o.max_buffered_bytes = 8192;
  detail::recovery_store store(o);
  time_point t0{};
  for (int i = 0; i < 1000; ++i) {
    auto pid = "pid-" + std::to_string(i);
    store.persist({"s" + std::to_string(i), pid, {"s" + std::to_string(i)},
                   json{{"name", std::string(50, 'n')}}, detail::upcoming_offset()},
                  t0 + i * 1ms);
  }
  EXPECT_LE(store.bytes(), 8192u);
  EXPECT_GT(store.waiting_sessions(), 0u);
  EXPECT_LT(store.waiting_sessions(), 100u);
  EXPECT_FALSE(store.claim("pid-0", json(), t0 + 1s)) << "the oldest went";
  EXPECT_TRUE(store.claim("pid-999", json(), t0 + 1s)) << "the newest stays";
}

TEST(RecoveryStore, CostsNoEntryForVolatileOrAcknowledgedEvents) {
  detail::recovery_store store(test_options());
  auto req = std::make_shared<broadcast_request>(*event_request(1));
  req->is_volatile = true;
  auto out = store.stamp(req, time_point{});
  EXPECT_EQ(out, req) << "delivered as it came";
  EXPECT_EQ(store.entries(), 0u);
}

}  // namespace
}  // namespace sio::test
