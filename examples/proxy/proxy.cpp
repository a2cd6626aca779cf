#include "proxy.hpp"

namespace sio::examples {

app proxy_app() {
  app a;
  a.name = "proxy";
  a.description = "every namespace played by a gRPC backend (--backend ADDR)";
  // The page of the chat: examples/chat_backend plays the chat from Python.
  a.web_dir = "chat/public";
  a.configure = [](server&) {};
  return a;
}

}  // namespace sio::examples
