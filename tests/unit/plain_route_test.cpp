// Which requests the plain WebSocket path takes.
#include <gtest/gtest.h>

#include "sio/gateway/plain_route.hpp"

using sio::route::decide_plain;
using sio::route::plain_action;

namespace {

sio::route::request_view upgrade(std::string_view target) {
  return {"GET", target, "", true};
}

sio::gateway_options with_path(std::string path) {
  sio::gateway_options o;
  o.ws_path = std::move(path);
  return o;
}

}  // namespace

TEST(PlainRoute, NothingIsPlainWithoutAPath) {
  EXPECT_EQ(decide_plain(upgrade("/ws"), sio::gateway_options{}), plain_action::not_plain);
}

TEST(PlainRoute, AnUpgradeToThePathWithOrWithoutSlashOrQueryIsPlain) {
  auto o = with_path("/ws");
  EXPECT_EQ(decide_plain(upgrade("/ws"), o), plain_action::upgrade);
  EXPECT_EQ(decide_plain(upgrade("/ws/"), o), plain_action::upgrade);
  EXPECT_EQ(decide_plain(upgrade("/ws?room=a&token=b"), o), plain_action::upgrade);
}

TEST(PlainRoute, OtherPathsAreNotPlain) {
  auto o = with_path("/ws");
  EXPECT_EQ(decide_plain(upgrade("/wsx"), o), plain_action::not_plain);
  EXPECT_EQ(decide_plain(upgrade("/ws/x"), o), plain_action::not_plain);
  EXPECT_EQ(decide_plain(upgrade("/socket.io/?EIO=4&transport=websocket"), o),
            plain_action::not_plain);
}

TEST(PlainRoute, EngineIoQueryOnThePlainPathIsRefused) {
  auto o = with_path("/ws");
  EXPECT_EQ(decide_plain(upgrade("/ws?EIO=4&transport=websocket"), o),
            plain_action::engine_io_query);
  EXPECT_EQ(decide_plain(upgrade("/ws/?transport=websocket"), o), plain_action::engine_io_query);
  EXPECT_EQ(decide_plain({"GET", "/ws/?EIO=4&transport=polling", "", false}, o),
            plain_action::engine_io_query);
  EXPECT_EQ(decide_plain(upgrade("/ws?sid=abc"), o), plain_action::engine_io_query);
}

TEST(PlainRoute, APlainRequestThatIsNoUpgradeFallsThrough) {
  auto o = with_path("/");
  EXPECT_EQ(decide_plain({"GET", "/", "", false}, o), plain_action::not_upgrade);
  EXPECT_EQ(decide_plain(upgrade("/"), o), plain_action::upgrade);
  EXPECT_EQ(decide_plain(upgrade("/index.html"), o), plain_action::not_plain);
}
