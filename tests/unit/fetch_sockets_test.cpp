// fetch_sockets while members go away: a socket that leaves, or a connection
// that ends, between the namespace's selection and its own answer is left
// out at once instead of holding the caller until the timeout. Real
// connection actors on virtual time.
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

class FetchSockets : public SocketIoLayer {
 protected:
  FetchSockets() {
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

  std::vector<std::string> ids;  // of the connected sockets, in order
  std::optional<fetched> result;
};

TEST_F(FetchSockets, AnswersWithEveryMemberAtOnce) {
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
TEST_F(FetchSockets, ASocketThatLeftMeanwhileIsLeftOutWithoutWaiting) {
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
TEST_F(FetchSockets, AConnectionThatEndedMeanwhileIsLeftOutWithoutWaiting) {
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

}  // namespace
}  // namespace sio::test
