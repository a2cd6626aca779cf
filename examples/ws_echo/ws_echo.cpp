// ws-echo: the first server of the classic chat guide, written with the
// plain `ws` library there:
//
//   wss.on('connection', (ws) => {
//     console.log('새로운 클라이언트 접속');
//     ws.on('message', (message) => ws.send(`서버로부터 응답: ${message}`));
//     ws.on('close', () => console.log('클라이언트 접속 해제'));
//   });
//
// Here each plain WebSocket client is a socket of namespace "/" (served at
// "/" unless --ws-path says otherwise), so it is the same three handlers on
// the Socket.IO API: a frame arrives as the event "message", and
// emit("message", text) sends one text frame. A socket.io-client gets the
// same answers as "message" events.
#include "ws_echo.hpp"

#include "log.hpp"

namespace sio::examples {

app ws_echo_app() {
  app a;
  a.name = "ws-echo";
  a.description = "the chat guide's ws echo server: plain WebSocket clients at / (--ws-path)";
  a.ws_path = "/";
  a.configure = [](server& io) {
    io.of("/").on_connection([](socket& s) {
      server_log::write(server_log::level::info, "connection",
                        {{"id", s.id()}, {"msg", "새로운 클라이언트 접속"}});
      s.on("message", [](socket& self, sio::args& message, const ack_sender&) {
        // `${message}`: a string as it is, bytes as the text they spell.
        std::string text;
        if (!message.empty() && message.front().is_string())
          text = message.front().get<std::string>();
        else if (!message.empty() && message.front().is_binary())
          text.assign(message.front().get_binary().begin(), message.front().get_binary().end());
        else if (!message.empty())
          text = to_json_text(message.front());
        self.emit_values("message", "서버로부터 응답: " + text);
      });
      s.on_disconnect([](socket& self, const std::string& reason) {
        server_log::write(server_log::level::info, "disconnect",
                          {{"id", self.id()}, {"reason", reason}, {"msg", "클라이언트 접속 해제"}});
      });
    });
  };
  return a;
}

}  // namespace sio::examples
