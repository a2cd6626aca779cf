#pragma once

#include <chrono>
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
  /// The first ping leaves this long after the open packet, and each next
  /// one this long after the client's pong.
  virtual std::chrono::milliseconds ping_interval() const noexcept = 0;
  /// How long the server waits for a pong before it ends the session.
  virtual std::chrono::milliseconds ping_timeout() const noexcept = 0;
  /// Bytes queued for the client and not yet sent.
  virtual std::size_t buffered_amount() const noexcept { return 0; }
  /// Stops reading the client until as many resume_reading() calls
  /// (backpressure: a WebSocket is not read, so TCP pushes back; a polling
  /// client's POST is answered only on resume, so it sends no next one).
  virtual void pause_reading() {}
  virtual void resume_reading() {}
  /// "websocket" or "polling": the transport in use now.
  virtual std::string_view transport_name() const noexcept { return "polling"; }
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
  /// The server pinged the client: a clock for deadlines that would cost
  /// each session a timer otherwise.
  virtual void on_ping(engine_session&) {}
  /// Message handlers for what the layer above sends to its connection actor
  /// (timers, broadcasts). One set serves every session with a handler of
  /// this type, so build it once (a function-local static); inside a case,
  /// `running_handler()` is the session's own handler. A set per session
  /// would cost each connection about 40 bytes per case.
  virtual const caf::message_handler* shared_behavior() const { return nullptr; }
  /// A handler of this session starts a broadcast: a handler that keeps its
  /// own writes behind it until told (atoms::handed_out) returns true.
  virtual bool await_handout() { return false; }
};

/// The handler of the session whose connection actor is handling a message
/// on this thread: valid only inside the cases of `shared_behavior`.
session_handler& running_handler() noexcept;

using handler_factory = std::function<std::unique_ptr<session_handler>()>;

}  // namespace sio
