// The connection actor's state machine (one Engine.IO session) and the
// session registry, driven message by message on virtual time.
#include <chrono>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <caf/send.hpp>

#include <gtest/gtest.h>

#include "actor_test_support.hpp"
#include "sio/actors/atoms.hpp"
#include "sio/actors/connection.hpp"
#include "sio/actors/heartbeat.hpp"
#include "sio/actors/session_registry.hpp"
#include "sio/protocol/engine_io.hpp"

namespace sio::test {
namespace {

using std::chrono::milliseconds;
using strings = std::vector<std::string>;

constexpr std::string_view polling_type = "text/plain; charset=UTF-8";
constexpr milliseconds ping_interval{300};
constexpr milliseconds ping_timeout{200};
constexpr milliseconds upgrade_timeout{100};
constexpr milliseconds polling_close_timeout{500};
constexpr char rs = engineio::record_separator;

engine_options test_options() {
  engine_options o;
  o.ping_interval = ping_interval;
  o.ping_timeout = ping_timeout;
  o.upgrade_timeout = upgrade_timeout;
  o.polling_close_timeout = polling_close_timeout;
  o.max_payload = 1000;
  return o;
}

std::string sid_of(const std::string& open_packet) {
  if (open_packet.empty() || open_packet.front() != '0') return {};
  auto h = engineio::decode_handshake(std::string_view(open_packet).substr(1));
  return h ? h->sid : std::string();
}

// -- connection actor ---------------------------------------------------------

class ConnectionActor : public actor_test {
 protected:
  static constexpr const char* sid = "AAAAAAAAAAAAAAAAAAAA";

  void spawn(transport_kind kind) {
    connection_args args;
    args.sid = sid;
    args.options = std::make_shared<const engine_options>(options);
    args.transport = kind;
    args.heartbeat = spawn_heartbeat(sys);
    track(args.heartbeat);
    args.handler = std::make_unique<fake_handler>(record);
    conn = spawn_connection(sys, std::move(args));
    track(conn);
    terminated = watch(conn);
  }

  /// A session opened by a polling GET; returns that GET.
  std::shared_ptr<fake_reply> open_polling() {
    spawn(transport_kind::polling);
    return get();
  }

  /// A session opened over WebSocket; returns its link.
  std::shared_ptr<fake_link> open_websocket() {
    spawn(transport_kind::websocket);
    auto link = make_link();
    ws_open(link);
    return link;
  }

  std::shared_ptr<fake_reply> get() {
    auto reply = make_reply();
    caf::anon_send(conn, atoms::poll_get::value, http_reply_ptr(reply));
    run();
    return reply;
  }

  std::shared_ptr<fake_reply> post(std::string body) {
    auto reply = make_reply();
    caf::anon_send(conn, atoms::poll_post::value, std::move(body), http_reply_ptr(reply));
    run();
    return reply;
  }

  void ws_open(const std::shared_ptr<fake_link>& link) {
    caf::anon_send(conn, atoms::ws_open::value, ws_link_ptr(link));
    run();
  }

  void ws_text(const std::shared_ptr<fake_link>& link, std::string text) {
    caf::anon_send(conn, atoms::ws_text::value, link->id(), std::move(text));
    run();
  }

  void ws_binary(const std::shared_ptr<fake_link>& link, std::string data) {
    caf::anon_send(conn, atoms::ws_binary::value, link->id(), std::move(data));
    run();
  }

  void ws_closed(const std::shared_ptr<fake_link>& link, bool error) {
    caf::anon_send(conn, atoms::ws_closed::value, link->id(), error);
    run();
  }

  void send(frame f) {
    caf::anon_send(conn, atoms::send::value, std::move(f));
    run();
  }

  void send_text(const std::string& text) { send(frame::text("4" + text)); }

  void server_close() {
    caf::anon_send(conn, atoms::close::value);
    run();
  }

  /// A polling session upgraded to the returned WebSocket.
  std::shared_ptr<fake_link> upgraded() {
    open_polling();
    auto link = make_link();
    ws_open(link);
    ws_text(link, "2probe");
    ws_text(link, "5");
    return link;
  }

  engine_options options = test_options();
  caf::actor conn;
  std::shared_ptr<bool> terminated;
};

TEST_F(ConnectionActor, AnswersPollingHandshakeWithOpenPacket) {
  auto handshake = open_polling();
  ASSERT_EQ(handshake->answers.size(), 1u);
  EXPECT_EQ(handshake->status(), 200);
  EXPECT_EQ(handshake->body(), std::string("0{\"sid\":\"") + sid +
                                   "\",\"upgrades\":[\"websocket\"],\"pingInterval\":300,"
                                   "\"pingTimeout\":200,\"maxPayload\":1000}");
  EXPECT_EQ(handshake->content_type(), polling_type);
  EXPECT_EQ(record->opens, 1);
}

TEST_F(ConnectionActor, OffersNoUpgradeWhenWebSocketIsNotAllowed) {
  options.allow_websocket = false;
  auto handshake = open_polling();
  EXPECT_NE(handshake->body().find("\"upgrades\":[]"), std::string::npos) << handshake->body();
}

TEST_F(ConnectionActor, AnswersWebSocketHandshakeWithoutUpgradesAndAttachesLink) {
  auto link = open_websocket();
  EXPECT_EQ(link->attach_calls, 1);
  EXPECT_EQ(link->owner, conn.address());
  EXPECT_EQ(link->frames(), strings{std::string("0{\"sid\":\"") + sid +
                                    "\",\"upgrades\":[],\"pingInterval\":300,"
                                    "\"pingTimeout\":200,\"maxPayload\":1000}"});
  EXPECT_FALSE(link->sent.at(0).binary);
  EXPECT_EQ(record->opens, 1);
}

// -- heartbeat ----------------------------------------------------------------

TEST_F(ConnectionActor, DoesNotPingBeforePingInterval) {
  auto link = open_websocket();
  advance(ping_interval - milliseconds(1));
  EXPECT_EQ(link->sent.size(), 1u);  // the open packet only
}

TEST_F(ConnectionActor, PingsAfterPingInterval) {
  auto link = open_websocket();
  advance(ping_interval - milliseconds(1));
  advance(milliseconds(1));
  ASSERT_EQ(link->sent.size(), 2u);
  EXPECT_EQ(link->frames().back(), "2");
}

TEST_F(ConnectionActor, PongPreventsPingTimeout) {
  auto link = open_websocket();
  advance(ping_interval);
  advance(ping_timeout - milliseconds(1));
  ws_text(link, "3");
  advance(milliseconds(1));
  EXPECT_TRUE(record->closes.empty());
  EXPECT_FALSE(*terminated);
  EXPECT_EQ(link->close_calls, 0);
}

TEST_F(ConnectionActor, PongSchedulesNextPingOnePingIntervalLater) {
  auto link = open_websocket();
  advance(ping_interval);
  advance(milliseconds(50));
  ws_text(link, "3");
  advance(ping_interval - milliseconds(1));
  EXPECT_EQ(link->frames(), (strings{link->frames().front(), "2"}));
  advance(milliseconds(1));
  EXPECT_EQ(link->frames(), (strings{link->frames().front(), "2", "2"}));
}

TEST_F(ConnectionActor, ClosesWithPingTimeoutWhenPongDoesNotCome) {
  auto link = open_websocket();
  advance(ping_interval);
  advance(ping_timeout - milliseconds(1));
  EXPECT_TRUE(record->closes.empty());
  advance(milliseconds(1));
  EXPECT_EQ(record->closes, strings{"ping timeout"});
  EXPECT_EQ(link->close_calls, 1);
  EXPECT_TRUE(*terminated);
}

TEST_F(ConnectionActor, AnswersHeldGetWithThePing) {
  open_polling();
  auto held = get();
  EXPECT_FALSE(held->answered());
  advance(ping_interval);
  EXPECT_EQ(held->status(), 200);
  EXPECT_EQ(held->body(), "2");
  EXPECT_EQ(held->content_type(), polling_type);
}

TEST_F(ConnectionActor, KeepsThePingForTheNextGet) {
  open_polling();
  advance(ping_interval);
  auto next = get();
  EXPECT_EQ(next->body(), "2");
}

TEST_F(ConnectionActor, ClosesWithTransportErrorWhenClientPings) {
  auto link = open_websocket();
  ws_text(link, "2");
  EXPECT_EQ(record->closes, strings{"transport error"});
}

// -- polling ------------------------------------------------------------------

TEST_F(ConnectionActor, DeliversPostedPacketsInOrderAndAnswersOk) {
  open_polling();
  auto reply = post(std::string("4one") + rs + "4two" + rs + "bAQID" + rs + "4three");
  EXPECT_EQ(reply->status(), 200);
  EXPECT_EQ(reply->body(), "ok");
  EXPECT_EQ(reply->content_type(), "text/html");
  using message = std::pair<std::string, bool>;
  EXPECT_EQ(record->messages,
            (std::vector<message>{
                {"one", false}, {"two", false}, {"\x01\x02\x03", true}, {"three", false}}));
}

TEST_F(ConnectionActor, AnswersGarbagePostWith400AndClosesWithParseError) {
  open_polling();
  auto reply = post("garbage");
  EXPECT_EQ(reply->status(), 400);
  EXPECT_EQ(reply->body(), R"({"code":3,"message":"Bad request"})");
  EXPECT_EQ(record->closes, strings{"parse error"});
  EXPECT_TRUE(*terminated);
}

TEST_F(ConnectionActor, RefusesPostLargerThanMaxPayload) {
  open_polling();
  auto reply = post("4" + std::string(options.max_payload, 'x'));
  EXPECT_EQ(reply->status(), 400);
  EXPECT_TRUE(record->messages.empty());
  EXPECT_EQ(record->closes, strings{"parse error"});
}

TEST_F(ConnectionActor, FailsConcurrentGetAndClosesWithTransportError) {
  open_polling();
  auto first = get();
  auto second = get();
  EXPECT_EQ(second->status(), 400);
  EXPECT_EQ(second->body(), "");
  EXPECT_EQ(first->status(), 200);
  EXPECT_EQ(first->body(), "1");
  EXPECT_EQ(record->closes, strings{"transport error"});
  EXPECT_TRUE(*terminated);
}

// The reference's "data request overlap from client": a POST while another
// one's body is still being received gets 400, and the session ends.
TEST_F(ConnectionActor, RefusesAPostWhileAnotherIsStillArriving) {
  open_polling();
  caf::anon_send(conn, atoms::poll_begin::value, std::uint64_t{7});
  run();
  auto second = post("4hi");
  EXPECT_EQ(second->status(), 400);
  EXPECT_TRUE(record->messages.empty());
  EXPECT_EQ(record->closes, strings{"transport error"});
  EXPECT_TRUE(*terminated);
}

TEST_F(ConnectionActor, TakesAnAnnouncedPostOnceItsBodyArrived) {
  using message = std::pair<std::string, bool>;
  open_polling();
  caf::anon_send(conn, atoms::poll_begin::value, std::uint64_t{7});
  auto reply = make_reply();
  caf::anon_send(conn, atoms::poll_post::value, std::string("4a"), http_reply_ptr(reply),
                 std::uint64_t{7});
  run();
  EXPECT_EQ(reply->status(), 200);
  auto next = post("4b");  // the next one is no overlap
  EXPECT_EQ(next->status(), 200);
  EXPECT_EQ(record->messages, (std::vector<message>{{"a", false}, {"b", false}}));
  EXPECT_FALSE(*terminated);
}

TEST_F(ConnectionActor, EndsWhenAnAnnouncedPostIsCutOff) {
  open_polling();
  caf::anon_send(conn, atoms::poll_begin::value, std::uint64_t{7});
  caf::anon_send(conn, atoms::poll_abort::value, std::uint64_t{7});
  run();
  EXPECT_EQ(record->closes, strings{"transport error"});
  EXPECT_TRUE(*terminated);
}

TEST_F(ConnectionActor, EndsPendingGetWithNoopWhenClientPostsClose) {
  open_polling();
  auto held = get();
  auto reply = post("1");
  EXPECT_EQ(reply->body(), "ok");
  EXPECT_EQ(held->answers.size(), 1u);
  EXPECT_EQ(held->body(), "6");
  EXPECT_EQ(record->closes, strings{"transport close"});
  EXPECT_TRUE(*terminated);
}

TEST_F(ConnectionActor, IgnoresPacketsPostedAfterClose) {
  open_polling();
  post(std::string("4before") + rs + "1" + rs + "4after");
  using message = std::pair<std::string, bool>;
  EXPECT_EQ(record->messages, (std::vector<message>{{"before", false}}));
}

TEST_F(ConnectionActor, ClosesWithTransportErrorWhenHeldGetIsDropped) {
  open_polling();
  auto held = get();
  caf::anon_send(conn, atoms::poll_gone::value, http_reply_ptr(held));
  run();
  EXPECT_EQ(record->closes, strings{"transport error"});
  EXPECT_FALSE(held->answered());
}

TEST_F(ConnectionActor, IgnoresDropOfAnAnsweredGet) {
  auto handshake = open_polling();
  caf::anon_send(conn, atoms::poll_gone::value, http_reply_ptr(handshake));
  run();
  EXPECT_TRUE(record->closes.empty());
  EXPECT_FALSE(*terminated);
}

TEST_F(ConnectionActor, ClosesAsSlowConsumerWhenPollingBufferExceedsLimit) {
  options.max_buffered_bytes = 10;
  open_polling();
  send_text("123456789");  // "4123456789": exactly the limit
  EXPECT_TRUE(record->closes.empty());
  send_text("x");
  EXPECT_EQ(record->closes, strings{"slow consumer"});
  EXPECT_TRUE(*terminated);
}

TEST_F(ConnectionActor, SendsBinaryOverPollingAsBase64) {
  open_polling();
  send(frame::bytes("\x01\x02\x03"));
  send_text("text");
  auto reply = get();
  EXPECT_EQ(reply->body(), std::string("bAQID") + rs + "4text");
  EXPECT_EQ(reply->content_type(), polling_type);
}

TEST_F(ConnectionActor, SendsBinaryOverWebSocketAsBinaryFrame) {
  auto link = open_websocket();
  send(frame::bytes("\x01\x02\x03"));
  ASSERT_EQ(link->sent.size(), 2u);
  EXPECT_TRUE(link->sent[1].binary);
  EXPECT_EQ(*link->sent[1].data, "\x01\x02\x03");
}

TEST_F(ConnectionActor, DeliversWebSocketBinaryMessageAsBinary) {
  auto link = open_websocket();
  ws_binary(link, std::string("\x00\xff", 2));
  using message = std::pair<std::string, bool>;
  EXPECT_EQ(record->messages, (std::vector<message>{{std::string("\x00\xff", 2), true}}));
}

TEST_F(ConnectionActor, EchoesHandlerReplyOverWebSocket) {
  record->react = [](engine_session& s, const std::string& data, bool) { s.send_text(data); };
  auto link = open_websocket();
  ws_text(link, "4hello");
  ASSERT_EQ(link->sent.size(), 2u);
  EXPECT_EQ(link->frames().back(), "4hello");
}

TEST_F(ConnectionActor, EchoesHandlerReplyToHeldGet) {
  record->react = [](engine_session& s, const std::string& data, bool) { s.send_text(data); };
  open_polling();
  auto held = get();
  post("4hello");
  EXPECT_EQ(held->body(), "4hello");
}

// -- WebSocket closing --------------------------------------------------------

TEST_F(ConnectionActor, ClosesWithTransportCloseWhenClientSendsClosePacket) {
  auto link = open_websocket();
  ws_text(link, "1");
  EXPECT_EQ(record->closes, strings{"transport close"});
  EXPECT_EQ(link->close_calls, 1);
  EXPECT_TRUE(*terminated);
}

TEST_F(ConnectionActor, ClosesWithTransportCloseWhenWebSocketCloses) {
  auto link = open_websocket();
  ws_closed(link, false);
  EXPECT_EQ(record->closes, strings{"transport close"});
  EXPECT_EQ(link->close_calls, 0);  // already closed
  EXPECT_TRUE(*terminated);
}

TEST_F(ConnectionActor, ClosesWithTransportErrorWhenWebSocketFails) {
  auto link = open_websocket();
  ws_closed(link, true);
  EXPECT_EQ(record->closes, strings{"transport error"});
}

TEST_F(ConnectionActor, ClosesWithParseErrorOnUndecodableWebSocketText) {
  auto link = open_websocket();
  ws_text(link, "x");
  EXPECT_EQ(record->closes, strings{"parse error"});
}

// -- upgrade ------------------------------------------------------------------

TEST_F(ConnectionActor, AttachesUpgradeWebSocket) {
  open_polling();
  auto candidate = make_link();
  ws_open(candidate);
  EXPECT_EQ(candidate->attach_calls, 1);
  EXPECT_EQ(candidate->owner, conn.address());
  EXPECT_TRUE(candidate->sent.empty());
}

TEST_F(ConnectionActor, AnswersProbeAndEndsPendingGetWithNoopAfterTheUpgradeCheck) {
  options.upgrade_timeout = milliseconds(1000);  // later than the checks
  open_polling();
  auto held = get();
  auto candidate = make_link();
  ws_open(candidate);
  ws_text(candidate, "2probe");
  EXPECT_EQ(candidate->frames(), strings{"3probe"});
  EXPECT_FALSE(held->answered()) << "the reference waits for its 100 ms upgrade check";
  advance(milliseconds(100));
  EXPECT_EQ(held->body(), "6");
  EXPECT_EQ(held->content_type(), polling_type);
}

TEST_F(ConnectionActor, AnswersGetDuringProbeWithNoopAtTheNextUpgradeCheck) {
  options.upgrade_timeout = milliseconds(1000);  // later than the checks
  open_polling();
  auto candidate = make_link();
  ws_open(candidate);
  ws_text(candidate, "2probe");
  advance(milliseconds(100));  // a check with no poll to end
  auto next = get();
  EXPECT_FALSE(next->answered());
  advance(milliseconds(100));
  EXPECT_EQ(next->body(), "6");
}

TEST_F(ConnectionActor, SendsAPacketQueuedJustAfterTheProbeOnThePendingGet) {
  options.upgrade_timeout = milliseconds(1000);  // later than the checks
  open_polling();
  auto held = get();
  auto candidate = make_link();
  ws_open(candidate);
  ws_text(candidate, "2probe");
  send_text("connect reply");
  EXPECT_EQ(held->body(), "4connect reply") << "not a noop, then the packet once more";
  advance(milliseconds(100));
  ws_text(candidate, "5");
  EXPECT_EQ(candidate->frames(), strings{"3probe"}) << "sent once, on the poll";
}

TEST_F(ConnectionActor, SendsOverWebSocketAfterUpgrade) {
  auto link = upgraded();
  send_text("after");
  EXPECT_EQ(link->frames(), (strings{"3probe", "4after"}));
}

TEST_F(ConnectionActor, ReceivesOverWebSocketAfterUpgrade) {
  auto link = upgraded();
  ws_text(link, "4hi");
  using message = std::pair<std::string, bool>;
  EXPECT_EQ(record->messages, (std::vector<message>{{"hi", false}}));
}

TEST_F(ConnectionActor, FlushesPacketsQueuedDuringUpgradeToWebSocket) {
  open_polling();
  auto candidate = make_link();
  ws_open(candidate);
  send_text("queued");
  ws_text(candidate, "2probe");
  ws_text(candidate, "5");
  EXPECT_EQ(candidate->frames(), (strings{"3probe", "4queued"}));
}

TEST_F(ConnectionActor, FailsGetAfterUpgradeWithBadRequest) {
  upgraded();
  auto late = get();
  EXPECT_EQ(late->status(), 400);
  EXPECT_EQ(late->body(), R"({"code":3,"message":"Bad request"})");
  EXPECT_FALSE(*terminated);
}

TEST_F(ConnectionActor, ClosesSecondWebSocketAfterUpgrade) {
  auto link = upgraded();
  auto second = make_link();
  ws_open(second);
  EXPECT_EQ(second->close_calls, 1);
  EXPECT_EQ(second->attach_calls, 0);
  EXPECT_EQ(link->close_calls, 0);
  EXPECT_FALSE(*terminated);
}

TEST_F(ConnectionActor, ClosesSecondWebSocketDuringUpgrade) {
  open_polling();
  auto candidate = make_link();
  ws_open(candidate);
  auto second = make_link();
  ws_open(second);
  EXPECT_EQ(second->close_calls, 1);
  EXPECT_EQ(candidate->close_calls, 0);
}

TEST_F(ConnectionActor, AbandonsUpgradeAfterUpgradeTimeout) {
  open_polling();
  auto candidate = make_link();
  ws_open(candidate);
  advance(upgrade_timeout - milliseconds(1));
  EXPECT_EQ(candidate->close_calls, 0);
  advance(milliseconds(1));
  EXPECT_EQ(candidate->close_calls, 1);
  EXPECT_TRUE(record->closes.empty());
}

TEST_F(ConnectionActor, KeepsPollingAfterUpgradeTimeout) {
  open_polling();
  auto candidate = make_link();
  ws_open(candidate);
  ws_text(candidate, "2probe");
  advance(upgrade_timeout);
  send_text("still polling");
  auto next = get();
  EXPECT_EQ(next->body(), "4still polling");
  EXPECT_EQ(candidate->frames(), strings{"3probe"});
}

TEST_F(ConnectionActor, IgnoresUpgradeTimeoutOfCompletedUpgrade) {
  auto link = upgraded();
  advance(upgrade_timeout);
  EXPECT_EQ(link->close_calls, 0);
  send_text("x");
  EXPECT_EQ(link->frames().back(), "4x");
}

TEST_F(ConnectionActor, AllowsNewUpgradeAfterCandidateClosed) {
  open_polling();
  auto candidate = make_link();
  ws_open(candidate);
  ws_closed(candidate, true);
  EXPECT_TRUE(record->closes.empty());
  auto retry = make_link();
  ws_open(retry);
  EXPECT_EQ(retry->attach_calls, 1);
  EXPECT_EQ(retry->close_calls, 0);
}

// -- server-side close --------------------------------------------------------

// As the reference: the queued packets leave first, the close packet in the
// answer after them (the official client reads a close packet in the same
// answer as a DISCONNECT as a transport close).
TEST_F(ConnectionActor, HandsQueuedPacketsThenCloseToNextGetsAfterServerClose) {
  open_polling();
  send_text("bye");
  server_close();
  EXPECT_TRUE(record->closes.empty());
  auto first = get();
  EXPECT_EQ(first->body(), "4bye");
  EXPECT_EQ(first->content_type(), polling_type);
  EXPECT_TRUE(record->closes.empty());
  auto last = get();
  EXPECT_EQ(last->body(), "1");
  EXPECT_EQ(record->closes, strings{"forced close"});
  EXPECT_TRUE(*terminated);
}

TEST_F(ConnectionActor, AnswersHeldGetWithCloseOnServerClose) {
  open_polling();
  auto held = get();
  server_close();
  EXPECT_EQ(held->body(), "1");
  EXPECT_EQ(record->closes, strings{"forced close"});
  EXPECT_TRUE(*terminated);
}

TEST_F(ConnectionActor, DropsSendsAfterServerClose) {
  open_polling();
  server_close();
  send_text("too late");
  auto last = get();
  EXPECT_EQ(last->body(), "1");
}

TEST_F(ConnectionActor, ClosesPollingSessionAfterCloseTimeout) {
  open_polling();
  server_close();
  advance(polling_close_timeout - milliseconds(1));
  EXPECT_FALSE(*terminated);
  advance(milliseconds(1));
  EXPECT_EQ(record->closes, strings{"forced close"});
  EXPECT_TRUE(*terminated);
}

TEST_F(ConnectionActor, SendsQueuedFramesThenClosesWebSocketOnServerClose) {
  auto link = open_websocket();
  send_text("bye");
  server_close();
  ASSERT_EQ(link->events.size(), 4u);
  EXPECT_EQ(link->events[0], "attach");
  EXPECT_EQ(link->events[2], "send 4bye");
  EXPECT_EQ(link->events[3], "close");
  EXPECT_EQ(record->closes, strings{"forced close"});
  EXPECT_TRUE(*terminated);
}

TEST_F(ConnectionActor, SendsHandlerFramesBeforeCloseWhenHandlerCloses) {
  record->react = [](engine_session& s, const std::string&, bool) {
    s.send_text("last words");
    s.close();
  };
  auto link = open_websocket();
  ws_text(link, "4bye");
  EXPECT_EQ(link->events.back(), "close");
  EXPECT_EQ(link->events.at(link->events.size() - 2), "send 4last words");
  EXPECT_EQ(record->closes, strings{"forced close"});
}

TEST_F(ConnectionActor, ReportsCloseOnlyOnce) {
  auto link = open_websocket();
  ws_text(link, "1");
  ws_closed(link, false);
  advance(ping_interval + ping_timeout);
  EXPECT_EQ(record->closes, strings{"transport close"});
}

// -- session registry ---------------------------------------------------------

class SessionRegistry : public actor_test {
 protected:
  SessionRegistry() {
    registry = spawn_session_registry(sys, test_options(), factory());
    track(registry);
  }

  std::shared_ptr<fake_reply> create_polling() {
    auto reply = make_reply();
    caf::anon_send(registry, atoms::create::value, request_info{}, http_reply_ptr(reply));
    run();
    return reply;
  }

  std::shared_ptr<fake_reply> get(const std::string& sid) {
    auto reply = make_reply();
    caf::anon_send(registry, atoms::poll_get::value, sid, http_reply_ptr(reply));
    run();
    return reply;
  }

  std::shared_ptr<fake_reply> post(const std::string& sid, std::string body) {
    auto reply = make_reply();
    caf::anon_send(registry, atoms::poll_post::value, sid, std::move(body), http_reply_ptr(reply));
    run();
    return reply;
  }

  caf::actor registry;
};

TEST_F(SessionRegistry, CreatesPollingSessionThatAnswersHandshake) {
  auto handshake = create_polling();
  EXPECT_EQ(handshake->status(), 200);
  EXPECT_EQ(handshake->content_type(), polling_type);
  EXPECT_EQ(sid_of(handshake->body()).size(), 20u) << handshake->body();
  EXPECT_EQ(record->opens, 1);
}

TEST_F(SessionRegistry, CreatesWebSocketSessionThatAnswersHandshake) {
  auto link = make_link();
  caf::anon_send(registry, atoms::create::value, request_info{}, ws_link_ptr(link));
  run();
  EXPECT_EQ(link->attach_calls, 1);
  ASSERT_EQ(link->sent.size(), 1u);
  EXPECT_EQ(sid_of(link->frames()[0]).size(), 20u) << link->frames()[0];
  EXPECT_NE(link->frames()[0].find("\"upgrades\":[]"), std::string::npos);
}

TEST_F(SessionRegistry, ForwardsRequestsToTheSessionOfTheirSid) {
  auto sid = sid_of(create_polling()->body());
  auto reply = post(sid, "4hello");
  EXPECT_EQ(reply->body(), "ok");
  using message = std::pair<std::string, bool>;
  EXPECT_EQ(record->messages, (std::vector<message>{{"hello", false}}));
}

TEST_F(SessionRegistry, ForwardsWebSocketOfKnownSidAsUpgrade) {
  auto sid = sid_of(create_polling()->body());
  auto link = make_link();
  caf::anon_send(registry, atoms::ws_open::value, sid, ws_link_ptr(link));
  run();
  EXPECT_EQ(link->attach_calls, 1);
  EXPECT_TRUE(link->refusals.empty());
}

TEST_F(SessionRegistry, AnswersGetOfUnknownSidWithSessionIdUnknown) {
  auto reply = get("BBBBBBBBBBBBBBBBBBBB");
  EXPECT_EQ(reply->status(), 400);
  EXPECT_EQ(reply->body(), R"({"code":1,"message":"Session ID unknown"})");
}

TEST_F(SessionRegistry, AnswersPostOfUnknownSidWithSessionIdUnknown) {
  auto reply = post("BBBBBBBBBBBBBBBBBBBB", "4x");
  EXPECT_EQ(reply->status(), 400);
  EXPECT_EQ(reply->body(), R"({"code":1,"message":"Session ID unknown"})");
}

TEST_F(SessionRegistry, RefusesWebSocketOfUnknownSid) {
  auto link = make_link();
  caf::anon_send(registry, atoms::ws_open::value, std::string("BBBBBBBBBBBBBBBBBBBB"),
                 ws_link_ptr(link));
  run();
  EXPECT_EQ(link->refusals, strings{"Session ID unknown"});
  EXPECT_EQ(link->attach_calls, 0);
}

TEST_F(SessionRegistry, ForgetsSidOfEndedSession) {
  auto sid = sid_of(create_polling()->body());
  post(sid, "1");
  ASSERT_EQ(record->closes, strings{"transport close"});
  auto reply = get(sid);
  EXPECT_EQ(reply->status(), 400);
  EXPECT_EQ(reply->body(), R"({"code":1,"message":"Session ID unknown"})");
}

TEST_F(SessionRegistry, GivesEachSessionADifferentSid) {
  std::set<std::string> sids;
  for (int i = 0; i < 10; ++i) sids.insert(sid_of(create_polling()->body()));
  EXPECT_EQ(sids.size(), 10u);
  EXPECT_EQ(sids.count(""), 0u);
}

TEST(SessionId, IsTwentyUrlSafeCharacters) {
  for (int i = 0; i < 100; ++i) {
    auto sid = make_session_id();
    ASSERT_EQ(sid.size(), 20u) << sid;
    for (char c : sid) {
      bool url_safe = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_';
      EXPECT_TRUE(url_safe) << sid;
    }
  }
}

TEST(SessionId, DiffersFromCallToCall) {
  std::set<std::string> sids;
  for (int i = 0; i < 1000; ++i) sids.insert(make_session_id());
  EXPECT_EQ(sids.size(), 1000u);
}

// -- graceful shutdown ------------------------------------------------------------

TEST_F(ConnectionActor, EndsWebSocketSessionWithServerShuttingDown) {
  auto link = open_websocket();
  send_text("queued");
  caf::anon_send(conn, atoms::shutdown::value);
  run();
  ASSERT_GE(link->events.size(), 2u);
  EXPECT_EQ(link->events[link->events.size() - 2], "send 4queued");
  EXPECT_EQ(link->events.back(), "close");
  EXPECT_EQ(record->closes, strings{"server shutting down"});
  EXPECT_TRUE(*terminated);
}

TEST_F(ConnectionActor, AnswersHeldGetWithCloseOnShutdown) {
  open_polling();
  auto held = get();
  caf::anon_send(conn, atoms::shutdown::value);
  run();
  EXPECT_EQ(held->body(), "1");
  EXPECT_EQ(record->closes, strings{"server shutting down"});
  EXPECT_TRUE(*terminated);
}

}  // namespace
}  // namespace sio::test
