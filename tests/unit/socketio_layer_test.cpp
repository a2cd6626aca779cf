// The Socket.IO layer (client_layer, socket, server) in-process: a real
// connection actor carries it over a fake WebSocket, on virtual time. Each
// test configures a sio::server, opens clients and speaks Socket.IO frames.
#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <caf/send.hpp>

#include <gtest/gtest.h>

#include "socketio_layer_support.hpp"

namespace sio::test {
namespace {

TEST_F(SocketIoLayer, ConnectAnswersWithTheSocketIdAndRunsTheConnectionHandler) {
  std::string seen;
  io.of("/").on_connection([&](socket& s) { seen = s.id(); });
  auto c = open();
  say(c, "0");
  auto sent = taken(c);
  ASSERT_EQ(sent.size(), 1u);
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(sent[0], "0{\"sid\":\"" + seen + "\"}");
}

TEST_F(SocketIoLayer, MiddlewareRefusalSendsConnectErrorWithItsData) {
  io.of("/admin").use([](socket&, next_fn next) {
    next(connect_error{"not authorized", json{{"code", 7}}});
  });
  bool connected = false;
  io.of("/admin").on_connection([&](socket&) { connected = true; });
  auto c = open();
  say(c, "0/admin,");
  EXPECT_EQ(taken(c), strings{"4/admin,{\"message\":\"not authorized\",\"data\":{\"code\":7}}"});
  EXPECT_FALSE(connected);
}

TEST_F(SocketIoLayer, MiddlewaresRunInOrderAndMaySeeTheAuth) {
  strings order;
  io.of("/").use([&](socket& s, next_fn next) {
    order.push_back("first " + s.auth().value("token", std::string()));
    next(std::nullopt);
  });
  io.of("/").use([&](socket&, next_fn next) {
    order.push_back("second");
    next(std::nullopt);
  });
  auto c = open();
  say(c, "0{\"token\":\"t\"}");
  EXPECT_EQ(order, (strings{"first t", "second"}));
  auto sent = taken(c);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].substr(0, 8), "0{\"sid\":");
}

TEST_F(SocketIoLayer, UnknownNamespaceIsRefused) {
  auto c = open();
  say(c, "0/nowhere,");
  EXPECT_EQ(taken(c), strings{"4/nowhere,{\"message\":\"Invalid namespace\"}"});
}

TEST_F(SocketIoLayer, EventReachesItsHandlerAndTheAckGoesBackOnce) {
  args received;
  io.of("/").on_connection([&](socket& s) {
    s.on("add", [&](socket&, args& a, const ack_sender& ack) {
      received = a;
      ack.values(a.at(0).get<int>() + a.at(1).get<int>());
      ack.values(0);  // only the first call counts
    });
  });
  auto c = connected();
  say(c, "27[\"add\",1,2]");
  EXPECT_EQ(received, (args{1, 2}));
  EXPECT_EQ(taken(c), strings{"37[3]"});
}

TEST_F(SocketIoLayer, AnAckCalledTwiceIsReportedAndSentOnce) {
  io.of("/").on_connection([&](socket& s) {
    s.on("twice", [](socket&, args&, const ack_sender& ack) {
      ack.values(1);
      auto copy = ack;
      copy.values(2);
    });
  });
  auto c = connected();
  testing::internal::CaptureStderr();
  say(c, "25[\"twice\"]");
  auto logged = testing::internal::GetCapturedStderr();
  EXPECT_EQ(taken(c), strings{"35[1]"});
  EXPECT_NE(logged.find("the ack 5 of a socket in / was called again"), std::string::npos)
      << logged;
}

TEST_F(SocketIoLayer, AHandlerThatThrowsLosesItsOwnEventOnly) {
  io.of("/").on_connection([&](socket& s) {
    s.on("bad", [](socket&, args&, const ack_sender&) { throw std::runtime_error("oops"); });
    s.on("add", [&](socket&, args& a, const ack_sender& ack) {
      ack.values(a.at(0).get<int>() + a.at(1).get<int>());
    });
  });
  auto c = connected();
  say(c, "21[\"bad\",1]");
  say(c, "22[\"add\",1,2]");
  // The throw is logged; the connection and its socket go on.
  EXPECT_EQ(taken(c), strings{"32[3]"});
}

TEST_F(SocketIoLayer, EmitWithAckGetsTheClientsReply) {
  std::optional<args> reply;
  bool called = false;
  io.of("/").on_connection([&](socket& s) {
    s.emit_with_ack("question", {"q"}, [&](std::optional<args> r) {
      called = true;
      reply = std::move(r);
    });
  });
  auto c = open();
  say(c, "0");
  auto sent = taken(c);
  ASSERT_EQ(sent.size(), 2u);
  // "2<id>[\"question\",\"q\"]": answer with the same id.
  auto id = sent[1].substr(1, sent[1].find('[') - 1);
  say(c, "3" + id + "[42]");
  ASSERT_TRUE(called);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(*reply, args{42});
}

TEST_F(SocketIoLayer, EmitWithAckTimesOutOnVirtualTime) {
  int calls = 0;
  std::optional<args> reply = args{};
  io.of("/").on_connection([&](socket& s) {
    s.emit_with_ack(
        "question", {},
        [&](std::optional<args> r) {
          ++calls;
          reply = std::move(r);
        },
        milliseconds(1000));
  });
  connected();
  advance(milliseconds(999));
  EXPECT_EQ(calls, 0);
  advance(milliseconds(1));
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(reply.has_value());
}

TEST_F(SocketIoLayer, EmitWithAckWithoutTimeoutWaitsTheDefaultAckTimeout) {
  int calls = 0;
  io.of("/").on_connection([&](socket& s) {
    s.emit_with_ack("question", {}, [&](std::optional<args>) { ++calls; });
  });
  connected();
  advance(milliseconds(1999));
  EXPECT_EQ(calls, 0);
  advance(milliseconds(1));
  EXPECT_EQ(calls, 1);
}

TEST_F(SocketIoLayer, BroadcastAckWaitsTheServersDefaultAckTimeout) {
  connected();
  int calls = 0;
  bool timed_out = false;
  io.of("/").all().emit_with_ack("question", {}, [&](std::vector<args> replies, bool late) {
    ++calls;
    timed_out = late;
    EXPECT_TRUE(replies.empty());
  });
  run();
  advance(milliseconds(1999));
  EXPECT_EQ(calls, 0);
  advance(milliseconds(1));
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(timed_out);
}

TEST_F(SocketIoLayer, RoomBroadcastReachesMembersOnly) {
  io.of("/").on_connection([](socket& s) {
    s.on("join", [](socket& self, args& a, const ack_sender&) {
      self.join(a.at(0).get<std::string>());
    });
  });
  auto in = connected();
  auto out = connected();
  say(in, "2[\"join\",\"r\"]");
  io.of("/").to("r").emit("news", {1});
  run();
  EXPECT_EQ(taken(in), strings{"2[\"news\",1]"});
  EXPECT_EQ(taken(out), strings{});
}

// As in socket.io, where a broadcast is written to every recipient before
// the emitting handler goes on: what the handler sends its own client next
// (an emit, the ack) arrives after the broadcast, whichever way the
// broadcast took (a room's actor, or the namespace directly).
TEST_F(SocketIoLayer, WhatAHandlerSendsAfterABroadcastFollowsIt) {
  io.of("/").on_connection([this](socket& s) {
    s.join("r");
    s.on("say", [this](socket& self, args& a, const ack_sender& ack) {
      io.of("/").to("r").emit("said", a);
      self.emit("between");
      io.of("/").emit("everyone", a);
      self.emit("after");
      ack({"ok"});
    });
  });
  auto a = connected();
  auto b = connected();
  say(a, "21[\"say\",\"hi\"]");
  auto got = taken(a);
  ASSERT_EQ(got.size(), 5u);
  auto at = [&](const std::string& frame) {
    return std::find(got.begin(), got.end(), frame) - got.begin();
  };
  EXPECT_LT(at("2[\"said\",\"hi\"]"), at("2[\"between\"]"));
  EXPECT_LT(at("2[\"everyone\",\"hi\"]"), at("2[\"after\"]"));
  EXPECT_EQ(got.back(), "31[\"ok\"]");
  EXPECT_EQ(taken(b), (strings{"2[\"said\",\"hi\"]", "2[\"everyone\",\"hi\"]"}));
}

TEST_F(SocketIoLayer, SocketToExcludesTheSender) {
  io.of("/").on_connection([](socket& s) {
    s.join("r");
    s.on("say", [](socket& self, args& a, const ack_sender&) { self.to("r").emit("said", a); });
  });
  auto a = connected();
  auto b = connected();
  say(a, "2[\"say\",\"hi\"]");
  EXPECT_EQ(taken(a), strings{});
  EXPECT_EQ(taken(b), strings{"2[\"said\",\"hi\"]"});
}

TEST_F(SocketIoLayer, SocketBroadcastIsEveryoneButTheSender) {
  io.of("/").on_connection([](socket& s) {
    s.on("say", [](socket& self, args& a) { self.broadcast().emit("said", a); });
  });
  auto a = connected();
  auto b = connected();
  auto c = connected();
  say(a, "2[\"say\",\"hi\"]");
  EXPECT_EQ(taken(a), strings{});
  EXPECT_EQ(taken(b), strings{"2[\"said\",\"hi\"]"});
  EXPECT_EQ(taken(c), strings{"2[\"said\",\"hi\"]"});
}

TEST_F(SocketIoLayer, VolatileEmitsAreDroppedWhileTheClientCannotTakeThem) {
  io.of("/").on_connection([](socket& s) {
    s.on("poke", [](socket& self, args&) {
      self.volatile_().emit("v", {1});
      self.emit("n", {2});
      self.broadcast().volatile_().emit("bv", {3});
      self.broadcast().emit("bn", {4});
    });
  });
  auto slow = connected();
  auto other = connected();
  // Far past any soft bound: neither connection takes volatile packets now.
  slow.link->backlog = other.link->backlog = std::size_t{1} << 40;
  say(slow, "2[\"poke\"]");
  EXPECT_EQ(taken(slow), strings{"2[\"n\",2]"});
  EXPECT_EQ(taken(other), strings{"2[\"bn\",4]"});
  slow.link->backlog = other.link->backlog = 0;
  say(slow, "2[\"poke\"]");
  EXPECT_EQ(taken(slow), (strings{"2[\"v\",1]", "2[\"n\",2]"}));
  EXPECT_EQ(taken(other), (strings{"2[\"bv\",3]", "2[\"bn\",4]"}));
}

TEST_F(SocketIoLayer, DisconnectReasonsNameWhoEndedIt) {
  strings reasons;
  io.of("/").on_connection([&](socket& s) {
    s.on_disconnect([&](socket&, const std::string& reason) { reasons.push_back(reason); });
    s.on("bye", [](socket& self, args&, const ack_sender&) { self.disconnect(); });
  });
  auto by_client = connected();
  say(by_client, "1");
  auto by_server = connected();
  say(by_server, "2[\"bye\"]");
  EXPECT_EQ(taken(by_server), strings{"1"});
  auto by_transport = connected();
  caf::anon_send(by_transport.conn, atoms::ws_closed::value, by_transport.link->id(), false);
  run();
  EXPECT_EQ(reasons, (strings{"client namespace disconnect", "server namespace disconnect",
                              "transport close"}));
}

TEST_F(SocketIoLayer, PendingAcksCallBackWithNothingOnDisconnect) {
  int calls = 0;
  bool got_reply = true;
  io.of("/").on_connection([&](socket& s) {
    s.emit_with_ack("question", {}, [&](std::optional<args> r) {
      ++calls;
      got_reply = r.has_value();
    });
  });
  auto c = connected();
  say(c, "1");
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(got_reply);
}

TEST_F(SocketIoLayer, SocketRefKeptPastItsConnectionIsInert) {
  socket_ref kept;
  io.of("/").on_connection([&](socket& s) { kept = s.shared_from_this(); });
  auto c = connected();
  ASSERT_TRUE(kept);
  // The connection actor goes away without a goodbye (killed), and with it
  // the client layer the socket belonged to.
  caf::anon_send_exit(c.conn, caf::exit_reason::kill);
  c.conn = caf::actor{};
  run();
  EXPECT_FALSE(kept->connected());
  kept->emit("late");
  kept->join("r");
  kept->leave("r");
  kept->to("r").emit("late");
  kept->disconnect(true);
  bool called = false;
  kept->emit_with_ack("late", {}, [&](std::optional<args> r) { called = !r.has_value(); });
  EXPECT_TRUE(called);
  EXPECT_TRUE(kept->handshake_info().headers.empty());
  run();
  EXPECT_EQ(taken(c), strings{});
}

TEST_F(SocketIoLayer, SocketRefKeptPastADisconnectIsInert) {
  socket_ref kept;
  io.of("/").on_connection([&](socket& s) { kept = s.shared_from_this(); });
  auto c = connected();
  say(c, "1");
  ASSERT_TRUE(kept);
  EXPECT_FALSE(kept->connected());
  kept->emit("late");
  kept->to("r").emit("late");
  run();
  EXPECT_EQ(taken(c), strings{});
}

TEST_F(SocketIoLayer, NewNamespaceAfterTheStartIsRefusedClearly) {
  io.of("/chat");
  open();
  EXPECT_NO_THROW(io.of("/chat"));
  try {
    io.of("/late");
    FAIL() << "of() made a namespace after the start";
  } catch (const std::logic_error& e) {
    EXPECT_NE(std::string(e.what()).find("/late"), std::string::npos) << e.what();
  }
  EXPECT_THROW(io.of("/chat").on_connection([](socket&) {}), std::logic_error);
  EXPECT_THROW(io.of(std::regex("^/dyn-\\d+$")), std::logic_error);
}


TEST_F(SocketIoLayer, HandlersWithoutAnAckAndMiddlewaresCallingPlainNext) {
  args received;
  io.of("/").use([](socket&, next_fn next) { next(); });
  io.of("/").on_connection([&](socket& s) {
    s.use([](socket&, const std::string& event, args&, next_fn next) {
      if (event == "blocked")
        next(connect_error{"blocked", std::nullopt});
      else
        next();
    });
    s.on("note", [&](socket&, args& a) { received = a; });
    s.on("blocked", [&](socket&, args& a) { received = a; });
  });
  auto c = connected();
  say(c, "2[\"note\",1]");
  EXPECT_EQ(received, args{1});
  say(c, "2[\"blocked\",2]");
  EXPECT_EQ(received, args{1});
}

TEST_F(SocketIoLayer, AckStatusTellsTimeoutFromDisconnect) {
  std::vector<ack_status> seen;
  io.of("/").on_connection([&](socket& s) {
    s.timeout(milliseconds(500)).emit_with_ack("a", {}, [&](ack_status st, args) {
      seen.push_back(st);
    });
    s.emit_with_ack("b", {}, [&](ack_status st, args) { seen.push_back(st); });
  });
  auto c = connected();
  advance(milliseconds(500));
  ASSERT_EQ(seen, std::vector<ack_status>{ack_status::timed_out});
  say(c, "1");
  EXPECT_EQ(seen, (std::vector<ack_status>{ack_status::timed_out, ack_status::disconnected}));
}

TEST_F(SocketIoLayer, AckStatusCarriesTheReply) {
  std::optional<ack_status> status;
  args reply;
  io.of("/").on_connection([&](socket& s) {
    s.emit_with_ack("q", {}, [&](ack_status st, args r) {
      status = st;
      reply = std::move(r);
    });
  });
  auto c = open();
  say(c, "0");
  auto sent = taken(c);
  ASSERT_EQ(sent.size(), 2u);
  auto id = sent[1].substr(1, sent[1].find('[') - 1);
  say(c, "3" + id + "[\"yes\"]");
  EXPECT_EQ(status, ack_status::acked);
  EXPECT_EQ(reply, args{"yes"});
}

TEST_F(SocketIoLayer, HandshakeToJsonHasTheReferencesKeys) {
  json seen;
  io.of("/").on_connection([&](socket& s) { seen = s.handshake_info().to_json(); });
  auto c = open();
  say(c, "0{\"token\":\"t\"}");
  ASSERT_TRUE(seen.is_object());
  std::vector<std::string> keys;
  for (const auto& [key, value] : seen.items()) keys.push_back(key);
  EXPECT_EQ(keys, (strings{"headers", "time", "address", "xdomain", "secure", "issued", "url",
                           "query", "auth"}));
  EXPECT_EQ(seen["auth"], (json{{"token", "t"}}));
}

TEST_F(SocketIoLayer, ListNamespacesNamesTheRegisteredOnesAndThoseDynamicRulesMade) {
  io.of("/chat");
  io.of(std::regex("^/dyn-\\d+$"));
  connected("/dyn-7");  // the rule makes /dyn-7
  std::optional<strings> names;
  io.list_namespaces([&](strings n) { names = std::move(n); });
  run();
  ASSERT_TRUE(names);
  EXPECT_EQ(*names, (strings{"/", "/chat", "/dyn-7"}));
}

}  // namespace
}  // namespace sio::test
