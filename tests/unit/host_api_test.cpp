// The host interface (sio::host::api) in-process, on virtual time: an actor of
// the host system joins rooms and hears what is broadcast there, emits,
// collects acks and fetches sockets by messages alone; and its message types
// survive CAF's serialization, as they must between processes.
#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <caf/binary_deserializer.hpp>
#include <caf/binary_serializer.hpp>
#include <caf/event_based_actor.hpp>

#include <gtest/gtest.h>

#include "sio/actors/host.hpp"
#include "socketio_layer_support.hpp"

namespace sio::test {
namespace {

/// What a member heard: the namespace and the event of each message.
struct heard {
  std::vector<std::pair<std::string, host::event>> events;
};

caf::behavior member(caf::event_based_actor*, std::shared_ptr<heard> log) {
  return {
      [log](host::event_atom, std::string& nsp, host::event& e) {
        log->events.emplace_back(std::move(nsp), std::move(e));
      },
  };
}

class HostApi : public SocketIoLayer {
 protected:
  HostApi() {
    io.of("/").on_connection([](socket& s) {
      s.on("join", [](socket& self, args& a) { self.join(a.at(0).get<std::string>()); });
      s.on("say", [](socket& self, args& a) { self.to(a.at(0).get<std::string>()).emit("said", {a.at(1)}); });
      s.on("name", [](socket& self, args& a) { self.data() = json{{"name", a.at(0)}}; });
    });
  }

  /// Starts the server's configuration as the start does, then the interface.
  void start() {
    open();
    api = host::spawn_api(io);
    track(caf::actor_cast<caf::actor>(api));
  }

  /// A member of the host system and what it heard.
  std::pair<caf::actor, std::shared_ptr<heard>> new_member() {
    auto log = std::make_shared<heard>();
    auto m = sys.spawn(member, log);
    track(m);
    return {m, log};
  }

  /// Sends one request to the interface from a short-lived actor; `on_reply`
  /// gets the response, `on_error` an error.
  template <class OnReply, class... Ts>
  void ask(OnReply on_reply, std::shared_ptr<caf::error> on_error, Ts... xs) {
    sys.spawn([=, this](caf::event_based_actor* self) {
      self->request(api, caf::infinite, xs...).then(on_reply, [on_error](caf::error& err) {
        if (on_error) *on_error = err;
      });
    });
    run();
  }

  void join(const caf::actor& m, const std::string& room, const std::string& nsp = "/") {
    bool ok = false;
    ask([&ok](caf::ok_atom) { ok = true; }, nullptr, host::join_atom::value, nsp, room, m);
    ASSERT_TRUE(ok);
  }

  void leave(const caf::actor& m, const std::string& room) {
    bool ok = false;
    ask([&ok](caf::ok_atom) { ok = true; }, nullptr, host::leave_atom::value, std::string("/"),
        room, m);
    ASSERT_TRUE(ok);
  }

  /// A connected client in `room`, called `name`.
  client in_room(const std::string& room, const std::string& name = "x") {
    auto c = connected();
    say(c, "2[\"join\",\"" + room + "\"]");
    say(c, "2[\"name\",\"" + name + "\"]");
    return c;
  }

  host::api api;
};

TEST_F(HostApi, AMemberHearsEachBroadcastToItsRoomsOnceUntilItLeaves) {
  start();
  auto [m, log] = new_member();
  join(m, "r");
  join(m, "s");
  io.of("/").to("r").to("s").emit("news", {1});
  io.of("/").to("elsewhere").emit("other", {});
  run();
  ASSERT_EQ(log->events.size(), 1u);
  EXPECT_EQ(log->events[0].first, "/");
  EXPECT_EQ(log->events[0].second.name, "news");
  EXPECT_EQ(log->events[0].second.arguments, args{1});

  // A client's emit to the room reaches it as well.
  auto c = in_room("lobby");
  say(c, "2[\"say\",\"r\",\"hi\"]");
  ASSERT_EQ(log->events.size(), 2u);
  EXPECT_EQ(log->events[1].second.name, "said");
  EXPECT_EQ(log->events[1].second.arguments, args{"hi"});

  leave(m, "r");
  io.of("/").to("r").emit("gone", {});
  io.of("/").to("s").emit("still", {});
  run();
  ASSERT_EQ(log->events.size(), 3u);
  EXPECT_EQ(log->events[2].second.name, "still");

  leave(m, "s");
  io.of("/").emit("everyone", {});
  run();
  EXPECT_EQ(log->events.size(), 3u);
}

TEST_F(HostApi, AMemberThatEndsHearsNothingMoreAndOthersStillDo) {
  start();
  auto [gone, gone_log] = new_member();
  auto [stays, stays_log] = new_member();
  join(gone, "r");
  join(stays, "r");
  caf::anon_send_exit(gone, caf::exit_reason::user_shutdown);
  run();
  io.of("/").to("r").emit("news", {});
  run();
  EXPECT_TRUE(gone_log->events.empty());
  ASSERT_EQ(stays_log->events.size(), 1u);
}

TEST_F(HostApi, EmitReachesTheSelectedSocketsAndAnswersHowMany) {
  start();
  auto a = in_room("r");
  auto b = in_room("r");
  auto out = in_room("q");
  taken(a), taken(b), taken(out);
  std::optional<std::uint64_t> count;
  host::target to{"/", {"r"}, {}};
  ask([&count](std::uint64_t n) { count = n; }, nullptr, host::emit_atom::value, to,
      host::event{"news", {json{{"n", 1}}}});
  ASSERT_TRUE(count.has_value());
  EXPECT_EQ(*count, 2u);
  EXPECT_EQ(taken(a), strings{"2[\"news\",{\"n\":1}]"});
  EXPECT_EQ(taken(b), strings{"2[\"news\",{\"n\":1}]"});
  EXPECT_EQ(taken(out), strings{});
}

TEST_F(HostApi, EmitWithAckAnswersEverySocketsAckAsTheResponse) {
  start();
  auto quick = in_room("r", "quick");
  auto silent = in_room("r", "silent");
  taken(quick), taken(silent);
  std::optional<std::pair<std::vector<host::ack>, bool>> result;
  ask([&result](std::vector<host::ack>& acks, bool complete) {
        result.emplace(std::move(acks), complete);
      },
      nullptr, host::emit_ack_atom::value, host::target{"/", {"r"}, {}},
      host::event{"question", {"q"}}, caf::timespan{std::chrono::milliseconds(1000)});
  auto sent = taken(quick);
  ASSERT_EQ(sent.size(), 1u);
  auto id = sent[0].substr(1, sent[0].find('[') - 1);
  say(quick, "3" + id + "[\"yes\"]");
  EXPECT_FALSE(result.has_value());
  advance(std::chrono::milliseconds(1000));
  ASSERT_TRUE(result.has_value());
  EXPECT_FALSE(result->second);  // one did not answer in time
  ASSERT_EQ(result->first.size(), 2u);
  auto acked = std::count_if(result->first.begin(), result->first.end(), [](const host::ack& x) {
    return x.status == ack_status::acked && x.reply == args{"yes"};
  });
  auto timed_out = std::count_if(result->first.begin(), result->first.end(),
                                 [](const host::ack& x) { return x.status == ack_status::timed_out; });
  EXPECT_EQ(acked, 1);
  EXPECT_EQ(timed_out, 1);
}

TEST_F(HostApi, FetchAnswersTheSelectedSocketsWithTheirRoomsAndData) {
  start();
  in_room("r", "ana");
  in_room("r", "bo");
  in_room("q", "cy");
  std::vector<host::socket_info> sockets;
  ask([&sockets](std::vector<host::socket_info>& s) { sockets = std::move(s); }, nullptr,
      host::fetch_atom::value, host::target{"/", {"r"}, {}});
  ASSERT_EQ(sockets.size(), 2u);
  std::vector<std::string> names;
  for (const auto& s : sockets) {
    names.push_back(s.data.value("name", ""));
    EXPECT_EQ(s.nsp, "/");
    EXPECT_NE(std::find(s.rooms.begin(), s.rooms.end(), "r"), s.rooms.end());
    EXPECT_TRUE(s.handshake.contains("headers"));
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (strings{"ana", "bo"}));
}

TEST_F(HostApi, AnUnknownNamespaceIsAnError) {
  start();
  auto [m, log] = new_member();
  auto err = std::make_shared<caf::error>();
  ask([](caf::ok_atom) { FAIL() << "joined a namespace that does not exist"; }, err,
      host::join_atom::value, std::string("/nowhere"), std::string("r"), m);
  EXPECT_EQ(*err, caf::sec::invalid_argument);
}

TEST_F(HostApi, SpawningItBeforeTheStartThrows) {
  EXPECT_THROW(host::spawn_api(io), std::logic_error);
}

// -- serialization -----------------------------------------------------------------

template <class T>
T round_trip(caf::actor_system& sys, T x) {
  std::vector<char> buf;
  caf::binary_serializer sink{sys, buf};
  EXPECT_FALSE(sink(x));
  T y;
  caf::binary_deserializer source{sys, buf};
  EXPECT_FALSE(source(y));
  return y;
}

TEST_F(HostApi, ItsTypesSurviveSerializationBinaryValuesIncluded) {
  auto bytes = json::binary_t(std::vector<std::uint8_t>{0, 1, 255});
  host::event e{"evt", {1, "two", json{{"k", json::array({true, nullptr})}}, json(bytes)}};
  auto e2 = round_trip(sys, e);
  EXPECT_EQ(e2.name, "evt");
  EXPECT_EQ(e2.arguments, e.arguments);
  EXPECT_TRUE(e2.arguments[3].is_binary());

  host::ack a{"sid", ack_status::disconnected, {json{{"x", 1}}}, caf::timespan{42}};
  auto a2 = round_trip(sys, a);
  EXPECT_EQ(a2.socket_id, "sid");
  EXPECT_EQ(a2.status, ack_status::disconnected);
  EXPECT_EQ(a2.reply, a.reply);
  EXPECT_EQ(a2.latency, caf::timespan{42});

  host::socket_info s{"id", "/n", {"id", "r"}, json{{"name", "ana"}}, handshake{}.to_json()};
  auto s2 = round_trip(sys, s);
  EXPECT_EQ(s2.rooms, s.rooms);
  EXPECT_EQ(s2.data, s.data);
  EXPECT_EQ(s2.handshake, s.handshake);

  host::target t{"/n", {"a", "b"}, {"c"}};
  auto t2 = round_trip(sys, t);
  EXPECT_EQ(t2.rooms, t.rooms);
  EXPECT_EQ(t2.except, t.except);
}

TEST_F(HostApi, BytesThatAreNoCborAreAnErrorNotACrash) {
  std::vector<char> buf;
  caf::binary_serializer sink{sys, buf};
  std::string name = "evt";
  std::vector<std::uint8_t> garbage{0xff, 0x00, 0x13};
  ASSERT_FALSE(sink(name, garbage));
  host::event e;
  caf::binary_deserializer source{sys, buf};
  EXPECT_TRUE(source(e));
}

}  // namespace
}  // namespace sio::test
