#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string_view>

#include "sio/actors/close_reason.hpp"

namespace sio {

/// One Engine.IO session's end, as engine_options::on_session_closed is told.
struct session_closed {
  std::string_view sid;
  std::string_view remote_address;
  std::string_view transport;  ///< "polling" or "websocket": the last one
  close_reason reason;
};

/// Engine.IO settings, named after the reference server's options.
struct engine_options {
  /// pingInterval: how long the server waits between pings.
  std::chrono::milliseconds ping_interval{25000};
  /// pingTimeout: how long it waits for the pong after a ping.
  std::chrono::milliseconds ping_timeout{20000};
  /// upgradeTimeout: how long a started WebSocket upgrade may take.
  std::chrono::milliseconds upgrade_timeout{10000};
  /// maxHttpBufferSize: the largest polling body or WebSocket message.
  std::size_t max_payload = 1000000;
  /// Packets a polling client has not fetched yet may hold at most this many
  /// bytes; past it the client is too slow and the session is closed.
  std::size_t max_buffered_bytes = 16 * 1024 * 1024;
  /// The soft bound of a client's send queue: past this many bytes queued
  /// and not yet sent, volatile packets to it are dropped (0: never).
  std::size_t volatile_drop_bytes = 1024 * 1024;
  /// The global budget over every client's queue (0: none), the same as
  /// gateway_options::max_total_buffered, which the server copies here: over
  /// it, a polling client holding more than its share of unfetched packets is
  /// closed as a slow consumer, as the largest WebSocket queues are.
  std::size_t max_total_buffered = 0;
  /// How long a server-closed polling session waits for the client's next
  /// GET to hand it the close packet (the reference's closeTimeout).
  std::chrono::milliseconds polling_close_timeout{30000};
  /// On shutdown, sessions are closed spread over this window rather than
  /// all in one instant, so that their clients do not reconnect elsewhere
  /// in one storm (0: all at once).
  std::chrono::milliseconds shutdown_spread{0};
  bool allow_polling = true;
  bool allow_websocket = true;
  /// Told of every session's end and why (a debug log, say), on the thread
  /// that runs the session: keep it quick and thread-safe. Empty: nothing.
  std::function<void(const session_closed&)> on_session_closed;
};

}  // namespace sio
