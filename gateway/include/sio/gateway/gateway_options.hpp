#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sio/actors/request_info.hpp"

namespace sio {

/// Byte-level settings of the HTTP/WebSocket front end. The largest message
/// and the transports allowed are Engine.IO settings (`engine_options`), which
/// the gateway enforces too.
struct gateway_options {
  std::string bind_address = "0.0.0.0";
  /// 0 picks a free port; gateway::port() tells which.
  std::uint16_t port = 3000;
  /// The Engine.IO endpoint; like the reference, any target that starts
  /// with it is an Engine.IO request.
  std::string path = "/socket.io/";
  /// cors.origin: empty means no CORS headers at all (the reference's
  /// default); "*" or an origin otherwise.
  std::string cors_origin;
  bool cors_credentials = false;
  /// Plain files for requests outside the Engine.IO path ("/" is its
  /// index.html); empty: such requests get 404.
  std::string static_dir;
  /// The official client bundle (socket.io-client's dist/ directory), served
  /// at <path>socket.io.js, socket.io.min.js and the like, as the reference's
  /// serveClient does; empty: not served.
  std::string client_dir;
  /// Largest request head (request line and headers).
  std::size_t max_header_bytes = 16 * 1024;
  /// How long a client may take to send a request head, and a WebSocket
  /// close handshake may take.
  std::chrono::milliseconds request_timeout{30000};
  /// The hard bound of one WebSocket's send queue: bytes queued and not yet
  /// taken by the kernel before its client counts as a slow consumer and is
  /// disconnected (close reason "slow consumer"), its queue freed at once.
  /// Keep it at least twice max_payload, so that one big message fits.
  std::size_t max_ws_outbound_bytes = 16 * 1024 * 1024;
  /// A WebSocket whose kernel buffer took nothing for this long while more
  /// is queued is a slow consumer too; 0: no such limit.
  std::chrono::milliseconds max_write_stall{30000};
  /// A memory budget over the send queues of every client of the process
  /// (bytes not yet taken by the kernel; for polling clients, packets not yet
  /// fetched, whose largest holders go the same way); 0: none. Over it, volatile packets
  /// are dropped for every client, and on each I/O thread the connection with
  /// the largest queue is disconnected as a slow consumer, as long as it holds
  /// more than its share (the budget divided among the connections with a
  /// backlog). New connections are still accepted: they hold no backlog.
  std::size_t max_total_buffered = 0;
  /// perMessageDeflate: compress WebSocket messages (RFC 7692) when the
  /// client offers it. Off by default, as in the reference: it costs CPU and
  /// a zlib state (up to ~300 KB) per connection.
  bool per_message_deflate = false;
  /// perMessageDeflate.threshold: messages smaller than this many bytes go
  /// out uncompressed.
  std::size_t per_message_deflate_threshold = 1024;
  /// allowRequest: decides on each handshake; false answers 403 with
  /// `message` (default "Forbidden").
  std::function<bool(const request_info&, std::string& message)> allow_request;
  /// allowRequest that answers later: it gets the handshake and a callback
  /// to call once, from any thread, with whether to allow it and (when not)
  /// the message of the 403 (empty: "Forbidden"). It must return at once: it
  /// runs on an I/O thread, which serves other connections while this one
  /// waits. A callback dropped unanswered refuses. After allow_request, when
  /// both are set.
  using allow_request_callback = std::function<void(bool allowed, std::string message)>;
  std::function<void(const request_info&, allow_request_callback)> allow_request_async;
  /// A plain WebSocket endpoint (RFC 6455 only, no Engine.IO or Socket.IO)
  /// at exactly this path, next to the Engine.IO one; empty: none. Each
  /// client there is a socket of `ws_namespace` (see plain_websocket.hpp).
  std::string ws_path;
  /// The namespace whose sockets the plain WebSocket clients are.
  std::string ws_namespace = "/";
  /// Where /metrics, /livez and /readyz are served besides the main port:
  /// "ADDR:PORT" (port 0: any free port), empty for the main port only.
  std::string metrics_listen;

  // Limits, answered before any work; 0 turns each off.
  /// Open TCP connections in all; past it a new one gets HTTP 503 with
  /// Retry-After before its request is read.
  std::size_t max_connections = 0;
  /// Open TCP connections from one address (not counted for trusted
  /// proxies); past it: HTTP 429 with Retry-After.
  std::size_t max_connections_per_ip = 0;
  /// Handshakes per second from one client address (token bucket: a burst of
  /// handshake_burst, then this rate); past it: HTTP 429 with Retry-After.
  double handshake_rate = 0;
  std::size_t handshake_burst = 10;
  /// Seconds a refused client is told to wait (Retry-After).
  unsigned retry_after_seconds = 1;
  /// Proxies whose X-Forwarded-For is believed: the client address is then
  /// the last address in that header that is not itself a trusted proxy.
  /// From anyone else the header is ignored.
  std::vector<std::string> trusted_proxies;
};

}  // namespace sio
