// Requests that wait for each selected socket's answer (fetch_sockets,
// set_data) while sockets go away: a socket that leaves, or a connection that
// ends, between the namespace's selection and its own answer is left out at
// once instead of holding the caller until a timeout. Real connection actors
// on virtual time.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include <caf/send.hpp>

#include <gtest/gtest.h>

#include "socketio_layer_support.hpp"

namespace sio::test {
namespace {

struct fetched {
  std::vector<std::string> ids;
  bool complete = false;
};

class DepartingMembers : public SocketIoLayer {
 protected:
  DepartingMembers() {
    io.of("/").on_connection([this](socket& s) { ids.push_back(s.id()); });
  }

  /// fetch_sockets on every socket of "/"; the answer lands in `result`.
  void fetch_all() {
    io.of("/").all().fetch_sockets_checked(
        [this](std::vector<remote_socket> sockets, bool complete) {
          fetched f;
          for (const auto& s : sockets) f.ids.push_back(s.id);
          std::sort(f.ids.begin(), f.ids.end());
          f.complete = complete;
          result = std::move(f);
        });
  }

  /// set_data on socket `sid`; the answer lands in `data`.
  void set_data(const std::string& sid) {
    io.of("/").set_data(sid, json{{"k", 1}}, false,
                        [this](std::optional<json> d) { data = std::move(d); });
  }

  std::vector<std::string> ids;  // of the connected sockets, in order
  std::optional<fetched> result;
  std::optional<std::optional<json>> data;  // set_data's answer, once there
};

TEST_F(DepartingMembers, FetchAnswersWithEveryMemberAtOnce) {
  auto a = connected();
  auto b = connected();
  fetch_all();
  run();
  ASSERT_TRUE(result);
  auto want = ids;
  std::sort(want.begin(), want.end());
  EXPECT_EQ(result->ids, want);
  EXPECT_TRUE(result->complete);
}

// The client's DISCONNECT reaches its connection before the fetch reaches
// the namespace: the namespace still counts the socket when it selects.
TEST_F(DepartingMembers, ASocketThatLeftMeanwhileIsLeftOutWithoutWaiting) {
  auto a = connected();
  auto b = connected();
  ASSERT_EQ(ids.size(), 2u);
  caf::anon_send(a.conn, atoms::ws_text::value, a.link->id(), std::string("41"));
  fetch_all();
  run();
  ASSERT_TRUE(result) << "the fetch waits for the socket that left";
  EXPECT_EQ(result->ids, std::vector<std::string>{ids[1]});
  EXPECT_TRUE(result->complete);
}

// The connection ends (killed, no goodbye) before the namespace hears of
// it: the fetch it sends there lands in a closed mailbox.
TEST_F(DepartingMembers, AConnectionThatEndedMeanwhileIsLeftOutWithoutWaiting) {
  auto a = connected();
  auto b = connected();
  ASSERT_EQ(ids.size(), 2u);
  caf::anon_send_exit(a.conn, caf::exit_reason::kill);
  a.conn = caf::actor{};
  fetch_all();
  run();
  ASSERT_TRUE(result) << "the fetch waits for the connection that ended";
  EXPECT_EQ(result->ids, std::vector<std::string>{ids[1]});
  EXPECT_TRUE(result->complete);
}

TEST_F(DepartingMembers, SetDataAnswersWithTheNewData) {
  auto a = connected();
  set_data(ids[0]);
  run();
  ASSERT_TRUE(data);
  EXPECT_EQ(*data, std::optional<json>(json{{"k", 1}}));
}

TEST_F(DepartingMembers, SetDataOnASocketThatLeftMeanwhileAnswersNothingAtOnce) {
  auto a = connected();
  caf::anon_send(a.conn, atoms::ws_text::value, a.link->id(), std::string("41"));
  set_data(ids[0]);
  run();
  ASSERT_TRUE(data) << "set_data waits for the socket that left";
  EXPECT_EQ(*data, std::nullopt);
}

TEST_F(DepartingMembers, SetDataOnAConnectionThatEndedMeanwhileAnswersNothingAtOnce) {
  auto a = connected();
  caf::anon_send_exit(a.conn, caf::exit_reason::kill);
  a.conn = caf::actor{};
  set_data(ids[0]);
  run();
  ASSERT_TRUE(data) << "set_data waits for the connection that ended";
  EXPECT_EQ(*data, std::nullopt);
}

}  // namespace
}  // namespace sio::test
