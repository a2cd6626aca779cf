// eio-echo: every Engine.IO message goes back to its sender, text as text and
// binary as binary. It is the server the Engine.IO protocol's own test suite
// expects, and the peer of the engine.io-client integration tests.
#include "eio_echo.hpp"

namespace sio::examples {
namespace {

class echo_handler final : public session_handler {
 public:
  void on_message(engine_session& s, std::string data, bool binary) override {
    if (binary)
      s.send_binary(std::move(data));
    else
      s.send_text(data);
  }
};

}  // namespace

app eio_echo_app() {
  app a;
  a.name = "eio-echo";
  a.description = "Engine.IO echo (no Socket.IO): each message goes back to its sender";
  a.engine_handler = [] { return std::make_unique<echo_handler>(); };
  return a;
}

}  // namespace sio::examples
