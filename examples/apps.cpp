#include "apps.hpp"

#include "chat/chat.hpp"
#include "client_suite/client_suite.hpp"
#include "contract/contract.hpp"
#include "demo/demo.hpp"
#include "eio_echo/eio_echo.hpp"
#include "features/features.hpp"
#include "ws_echo/ws_echo.hpp"
#include "recovery/recovery.hpp"
#include "proxy/proxy.hpp"

namespace sio::examples {

std::vector<app> builtin_apps() {
  return {chat_app(),    demo_app(),   contract_app(), eio_echo_app(),
          features_app(), ws_echo_app(), recovery_app(), proxy_app(),
          client_suite_app()};
}

}  // namespace sio::examples
