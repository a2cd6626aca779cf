#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <caf/event_based_actor.hpp>
#include <caf/message_handler.hpp>

#include "sio/actors/close_reason.hpp"
#include "sio/actors/links.hpp"
#include "sio/actors/request_info.hpp"

namespace sio {

/// What the layer above Engine.IO (Socket.IO, or a raw Engine.IO app) sees of
/// its session. Only valid inside the connection actor.
class engine_session {
 public:
  virtual ~engine_session() = default;
  virtual const std::string& sid() const noexcept = 0;
  virtual const request_info& request() const noexcept = 0;
  /// Queues one encoded packet (see `frame`).
  virtual void send(frame f) = 0;
  /// Queues several packets; they leave together.
  virtual void send_all(std::vector<frame> frames) = 0;
  /// Queues a text message: "4" + text.
  virtual void send_text(std::string_view text) = 0;
  /// Queues a binary message.
  virtual void send_binary(std::string bytes) = 0;
  /// Closes the session once what is queued has left ("forced close").
  virtual void close() = 0;
  /// The connection actor, for timers and messages of the layer above.
  virtual caf::event_based_actor* self() noexcept = 0;
  /// Whether a packet sent now can leave at once: over polling only while
  /// the client has a GET waiting. Volatile packets are dropped otherwise.
  virtual bool writable() const noexcept = 0;
};

/// The layer above Engine.IO. One instance per session; every call runs
/// inside the session's connection actor, one at a time.
class session_handler {
 public:
  virtual ~session_handler() = default;
  virtual void on_open(engine_session&) {}
  /// A message packet's data: text, or raw bytes when `binary`.
  virtual void on_message(engine_session& s, std::string data, bool binary) = 0;
  virtual void on_close(engine_session&, close_reason) {}
  /// Extra message handlers the connection actor should run, for messages
  /// the layer above sends to itself (timers, broadcasts).
  virtual caf::message_handler extra_behavior(engine_session&) { return {}; }
};

using handler_factory = std::function<std::unique_ptr<session_handler>()>;

}  // namespace sio
