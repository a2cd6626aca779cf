// Options that contradict each other or cannot work are refused at the
// start, with a message that names the setting, before anything listens.
#include <chrono>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include <gtest/gtest.h>

#include "sio/server_options.hpp"
#include "sio/start.hpp"

namespace sio {
namespace {

using std::chrono::milliseconds;

struct bad_case {
  const char* names;  // what the message must name
  std::function<void(server_options&)> spoil;
};

const std::vector<bad_case>& bad_cases() {
  static const std::vector<bad_case> cases{
      {"engine.allow_polling",
       [](server_options& o) { o.engine.allow_polling = o.engine.allow_websocket = false; }},
      {"engine.max_payload", [](server_options& o) { o.engine.max_payload = 0; }},
      {"engine.ping_interval", [](server_options& o) { o.engine.ping_interval = milliseconds(0); }},
      {"engine.ping_timeout", [](server_options& o) { o.engine.ping_timeout = milliseconds(-1); }},
      {"engine.upgrade_timeout",
       [](server_options& o) { o.engine.upgrade_timeout = milliseconds(0); }},
      {"socketio.connect_timeout",
       [](server_options& o) { o.socketio.connect_timeout = milliseconds(0); }},
      {"socketio.default_ack_timeout",
       [](server_options& o) { o.socketio.default_ack_timeout = milliseconds(0); }},
      {"socketio.connection_state_recovery.max_disconnection_duration",
       [](server_options& o) {
         recovery_options r;
         r.max_disconnection_duration = milliseconds(0);
         o.socketio.connection_state_recovery = r;
       }},
      {"gateway.path", [](server_options& o) { o.gateway.path = "socket.io"; }},
      {"gateway.cors_credentials",
       [](server_options& o) {
         o.gateway.cors_credentials = true;
         o.gateway.cors_origin = "*";
       }},
      {"gateway.max_ws_outbound_bytes",
       [](server_options& o) { o.gateway.max_ws_outbound_bytes = o.engine.max_payload - 1; }},
      {"shutdown_timeout", [](server_options& o) { o.shutdown_timeout = milliseconds(-1); }},
      {"engine.shutdown_spread",
       [](server_options& o) {
         o.shutdown_timeout = milliseconds(1000);
         o.engine.shutdown_spread = milliseconds(1001);
       }},
  };
  return cases;
}

TEST(ServerOptions, TheDefaultsPass) { EXPECT_EQ(check_options(server_options{}), ""); }

TEST(ServerOptions, EachContradictionIsNamed) {
  for (const auto& c : bad_cases()) {
    server_options o;
    c.spoil(o);
    auto problem = check_options(o);
    EXPECT_NE(problem.find(c.names), std::string::npos)
        << "expected a message naming " << c.names << ", got \"" << problem << "\"";
  }
}

TEST(ServerOptions, AnUpgradeTimeoutMattersOnlyWithBothTransports) {
  server_options o;
  o.engine.upgrade_timeout = milliseconds(0);
  o.engine.allow_polling = false;
  EXPECT_EQ(check_options(o), "");
}

TEST(ServerOptions, TheStartRefusesThemBeforeListening) {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  server_options o;
  o.gateway.port = 0;
  o.engine.allow_polling = o.engine.allow_websocket = false;
  bool configured = false;
  try {
    start(sys, o, [&](server&) { configured = true; });
    ADD_FAILURE() << "start accepted a server without transports";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("engine.allow_websocket"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(configured) << "the configuration ran before the check";
}

}  // namespace
}  // namespace sio
