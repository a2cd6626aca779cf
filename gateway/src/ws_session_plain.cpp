// A plain WebSocket client's frames: what the connection actor writes as
// Engine.IO packets leaves as plain frames, and what the client sends arrives
// as the Engine.IO packets of a socket (see plain_websocket.hpp).
#include <caf/send.hpp>

#include "actor_runner.hpp"
#include "sio/actors/atoms.hpp"
#include "sio/protocol/plain_websocket.hpp"
#include "ws_session.hpp"

namespace sio::detail {
namespace {

namespace ws = sio::websocket;
namespace plain = sio::plain_websocket;

// The last packet this I/O thread translated, and what it became. A broadcast
// reaches every recipient as the same shared bytes, and the deliveries of one
// broadcast to the plain clients of a thread come one after another: so each
// broadcast is translated about once per thread, not once per plain client,
// and the recipients share the translated bytes as Socket.IO clients share
// the encoded ones. Socket.IO clients never come here. The memo holds the
// source, so its address cannot be reused by another packet while it is kept.
struct translation_memo {
  std::shared_ptr<const std::string> source;
  plain::outbound::kind what = plain::outbound::kind::drop;
  std::shared_ptr<const std::string> payload;
  std::uint16_t code = 0;
};

const translation_memo& translate(const std::shared_ptr<const std::string>& source) {
  thread_local translation_memo memo;
  if (memo.source == source) return memo;
  auto out = plain::translate(*source);
  memo.source = source;
  memo.what = out.what;
  memo.code = out.code;
  memo.payload = std::make_shared<const std::string>(std::move(out.payload));
  return memo;
}

}  // namespace

void ws_session::queue_plain(frame f) {
  if (f.binary) {  // an attachment: the bytes of a binary argument
    queue_frame(ws::opcode::binary, std::move(f.data));
    return;
  }
  if (*f.data == "2") {  // the heartbeat's ping, per session: not worth the memo's place
    static const auto no_payload = std::make_shared<const std::string>();
    queue_frame(ws::opcode::ping, no_payload);
    return;
  }
  const auto& t = translate(f.data);
  switch (t.what) {
    case plain::outbound::kind::text:
      queue_frame(ws::opcode::text, t.payload);
      break;
    case plain::outbound::kind::ping:
      queue_frame(ws::opcode::ping, t.payload);
      break;
    case plain::outbound::kind::close:
      plain_->waiting.clear();
      queue_close(t.code, *t.payload);
      break;
    case plain::outbound::kind::connected: {
      // What the client sent meanwhile goes to its socket now. Not through
      // the actor runner: no read follows to run what it woke.
      plain_->connected = true;
      auto waiting = std::move(plain_->waiting);
      plain_->waiting_bytes = 0;
      const auto& nsp = ctx_.options.ws_namespace;
      for (auto& [binary, data] : waiting) {
        if (binary) {
          caf::anon_send(owner_, atoms::ws_text::value, id_, plain::binary_event(nsp));
          caf::anon_send(owner_, atoms::ws_binary::value, id_, std::move(data));
        } else {
          caf::anon_send(owner_, atoms::ws_text::value, id_, plain::text_event(nsp, data));
        }
      }
      break;
    }
    case plain::outbound::kind::binary:  // the attachment follows
    case plain::outbound::kind::drop:
      break;
  }
}

// Until its socket is connected (a namespace's middlewares may take a while)
// a client's messages wait here, no more than one message's worth of bytes:
// the namespace would refuse events of a socket it has not admitted yet.
void ws_session::deliver_plain(bool binary, std::string data) {
  if (!plain_->connected) {
    plain_->waiting_bytes += data.size();
    if (plain_->waiting_bytes > ctx_.options.max_payload) {
      input_failed_ = true;
      notify_closed(true);
      if (!close_sent_) queue_close(ws::close_policy_violation, "too much sent before connect");
      return;
    }
    plain_->waiting.emplace_back(binary, std::move(data));
    return;
  }
  const auto& nsp = ctx_.options.ws_namespace;
  if (binary) {
    actor_runner::post(owner_, atoms::ws_text::value, id_, plain::binary_event(nsp));
    actor_runner::post(owner_, atoms::ws_binary::value, id_, std::move(data));
  } else {
    actor_runner::post(owner_, atoms::ws_text::value, id_, plain::text_event(nsp, data));
  }
}

}  // namespace sio::detail
