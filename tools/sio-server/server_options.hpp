#pragma once

#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/asio/ip/address.hpp>

#include "sio/actors/engine_options.hpp"
#include "sio/actors/socketio_types.hpp"
#include "sio/gateway/gateway_options.hpp"
#include "sio/server_options.hpp"

namespace sio::cli {

/// Everything sio-server can be told, named after socket.io's ServerOptions;
/// to_server_options() turns it into the library's options.
struct server_options {
  std::string app = "chat";
  std::string bind = "0.0.0.0";
  std::uint16_t port = 3000;
  std::string path = "/socket.io/";
  std::uint32_t ping_interval_ms = 25000;
  std::uint32_t ping_timeout_ms = 20000;
  std::uint32_t upgrade_timeout_ms = 10000;
  std::uint32_t connect_timeout_ms = 45000;
  std::uint64_t max_payload = 1000000;
  bool per_message_deflate = false;
  std::string cors_origin;  // empty: CORS off, as in the reference
  std::string static_dir;   // empty: the app's own web directory
  std::string client_dir;   // empty: the client bundle of examples/web
  std::uint32_t shutdown_timeout_ms = 10000;
  unsigned gateway_threads = std::thread::hardware_concurrency();
  unsigned actor_threads = std::thread::hardware_concurrency();
  std::string ws_path;  // empty: no plain WebSocket endpoint
  std::string ws_namespace = "/";
  std::string metrics_listen;  // empty: /metrics on the main port only
  std::uint64_t send_queue_limit = 16 * 1024 * 1024;
  std::uint64_t max_total_buffered = 0;
  std::uint32_t write_stall_timeout_ms = 30000;
  std::uint32_t pre_stop_delay_ms = 0;
  std::uint64_t volatile_drop_bytes = 1024 * 1024;
  std::uint64_t max_connections = 0;
  std::uint64_t max_connections_per_ip = 0;
  double handshake_rate = 0;
  std::uint64_t handshake_burst = 10;
  std::vector<std::string> trusted_proxies;
  std::uint64_t max_namespaces = 0;
  std::uint32_t binary_timeout_ms = 60000;
  double max_events_per_second = 0;
  std::uint64_t event_burst = 0;
  std::uint32_t shutdown_spread_ms = 0;
  bool recovery = false;
  std::uint32_t recovery_max_disconnection_ms = 120000;
  bool recovery_skip_middlewares = true;
  std::string grpc_listen;  // empty: no gRPC API
  std::string grpc_tokens;  // empty: no auth, local addresses only
  bool grpc_reflection = false;
  std::uint64_t grpc_max_watchers = 64;
  std::uint64_t grpc_max_ack_recipients = 10000;
  std::uint64_t grpc_max_pending_acks = 100000;
  double grpc_rate_limit = 0;
  std::uint32_t grpc_rate_burst = 100;
  std::string adapter = "none";  // or "redis": a cluster through Redis
  std::string redis_url = "redis://127.0.0.1:6379";
  std::string redis_key = "socket.io";
  // The backend (socketio.v1.BackendService): every namespace of --app proxy, or what
  // another app's "/" has no handler for.
  std::string backend;       // empty: none
  std::string backend_token; // sent as `authorization: Bearer ...`
  std::uint32_t backend_connect_timeout_ms = 5000;
  std::uint32_t backend_event_timeout_ms = 10000;
  std::uint32_t backend_max_inflight = 1;
  std::uint32_t backend_queue = 64;
  bool backend_pause_reading = true;
  std::string backend_on_error = "reject";
  std::string backend_ack_on_error = "error_object";
  std::string backend_headers;  // allow-list, comma-separated
};

inline void add_server_flags(CLI::App& app, server_options& o) {
  app.add_option("--app", o.app, "Built-in app to run")->capture_default_str();
  app.add_option("--bind", o.bind, "Address to listen on")
      ->capture_default_str()
      ->check(
          [](const std::string& address) {
            boost::system::error_code ec;
            boost::asio::ip::make_address(address, ec);
            return ec ? "not an IP address: " + address : std::string();
          },
          "IP");
  app.add_option("--port", o.port, "TCP port to listen on")->capture_default_str();
  app.add_option("--path", o.path, "Path of the Engine.IO endpoint")->capture_default_str();
  app.add_option("--ping-interval", o.ping_interval_ms, "pingInterval, ms")->capture_default_str();
  app.add_option("--ping-timeout", o.ping_timeout_ms, "pingTimeout, ms")->capture_default_str();
  app.add_option("--upgrade-timeout", o.upgrade_timeout_ms, "upgradeTimeout, ms")
      ->capture_default_str();
  app.add_option("--connect-timeout", o.connect_timeout_ms, "connectTimeout, ms")
      ->capture_default_str();
  app.add_option("--max-payload", o.max_payload, "maxHttpBufferSize, bytes")->capture_default_str();
  app.add_option("--cors-origin", o.cors_origin, "cors.origin (default: CORS off)");
  app.add_flag("--per-message-deflate", o.per_message_deflate,
               "perMessageDeflate: compress WebSocket messages of 1024 bytes and more "
               "when the client offers it (default: off)");
  app.add_option("--static-dir", o.static_dir,
                 "Directory served at / (default: the app's page, examples/APP/public)")
      ->check(CLI::ExistingDirectory);
  app.add_option("--client-dir", o.client_dir,
                 "Directory of the socket.io client bundle served at PATH/socket.io.js "
                 "(default: examples/web/node_modules/socket.io-client/dist)")
      ->check(CLI::ExistingDirectory);
  app.add_option("--shutdown-timeout", o.shutdown_timeout_ms,
                 "On SIGTERM/SIGINT: ms to let sessions end before cutting them off")
      ->capture_default_str();
  app.add_option("--gateway-threads", o.gateway_threads, "Asio threads (default: all cores)")
      ->check(CLI::Range(1u, 1024u));
  app.add_option("--actor-threads", o.actor_threads, "CAF scheduler threads (default: all cores)")
      ->check(CLI::Range(1u, 1024u));
  app.add_option("--ws-path", o.ws_path,
                 "Path of a plain WebSocket endpoint, e.g. /ws (default: none)")
      ->check([](const std::string& p) {
        return p.empty() || p.front() == '/' ? std::string() : "a path starts with /: " + p;
      });
  app.add_option("--ws-namespace", o.ws_namespace,
                 "Namespace of the plain WebSocket clients' sockets")
      ->capture_default_str()
      ->check([](const std::string& n) {
        return !n.empty() && n.front() == '/' ? std::string() : "a namespace starts with /: " + n;
      });
  app.add_option("--metrics-listen", o.metrics_listen,
                 "ADDR:PORT of a separate listener for /metrics, /livez and /readyz "
                 "(default: the main port only)");
  app.add_option("--send-queue-limit", o.send_queue_limit,
                 "Bytes queued for one WebSocket client before it is disconnected as a slow "
                 "consumer (keep it at least twice --max-payload)")
      ->capture_default_str();
  app.add_option("--max-total-buffered", o.max_total_buffered,
                 "Bytes queued for all clients together (WebSocket and polling); past it volatile packets are "
                 "dropped and the clients with the largest queues are disconnected as slow "
                 "consumers (0: no budget)")
      ->capture_default_str();
  app.add_option("--write-stall-timeout", o.write_stall_timeout_ms,
                 "ms a WebSocket client may take no bytes while more wait before it is "
                 "disconnected as a slow consumer (0: no limit)")
      ->capture_default_str();
  app.add_option("--pre-stop-delay", o.pre_stop_delay_ms,
                 "On SIGTERM/SIGINT: ms during which /readyz answers 503 and clients are still "
                 "served, before sessions are closed")
      ->capture_default_str();
  app.add_option("--volatile-drop-bytes", o.volatile_drop_bytes,
                 "Bytes queued for a client past which volatile packets to it are dropped "
                 "(0: never)")
      ->capture_default_str();
  app.add_option("--max-connections", o.max_connections,
                 "Open connections in all; past it: HTTP 503 with Retry-After (0: no limit)")
      ->capture_default_str();
  app.add_option("--max-connections-per-ip", o.max_connections_per_ip,
                 "Open connections from one address; past it: HTTP 429 (0: no limit)")
      ->capture_default_str();
  app.add_option("--handshake-rate", o.handshake_rate,
                 "Handshakes per second from one address, after a burst of --handshake-burst; "
                 "past it: HTTP 429 (0: no limit)")
      ->capture_default_str();
  app.add_option("--handshake-burst", o.handshake_burst, "See --handshake-rate")
      ->capture_default_str();
  app.add_option("--trusted-proxy", o.trusted_proxies,
                 "Address of a proxy whose X-Forwarded-For is believed (repeatable)")
      ->check([](const std::string& address) {
        boost::system::error_code ec;
        boost::asio::ip::make_address(address, ec);
        return ec ? "not an IP address: " + address : std::string();
      });
  app.add_option("--max-namespaces", o.max_namespaces,
                 "Namespaces one connection may join; past it: CONNECT_ERROR (0: no limit)")
      ->capture_default_str();
  app.add_option("--shutdown-spread", o.shutdown_spread_ms,
                 "On SIGTERM/SIGINT: ms over which sessions are closed, in slices, rather than "
                 "all at once (within --shutdown-timeout)")
      ->capture_default_str();
  app.add_option("--binary-timeout", o.binary_timeout_ms,
                 "ms a binary packet may wait for its attachments before the connection is "
                 "closed (checked at each ping; 0: no limit)")
      ->capture_default_str();
  app.add_option("--max-events-per-second", o.max_events_per_second,
                 "Events one connection may send per second after a burst of --event-burst; "
                 "past it events are dropped and counted (0: no limit)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--event-burst", o.event_burst,
                 "See --max-events-per-second (0: one second's worth)")
      ->capture_default_str();
  app.add_flag("--recovery", o.recovery,
               "connectionStateRecovery: clients that lose their connection get back their "
               "socket id, rooms, data and missed events (default: off)");
  app.add_option("--recovery-max-disconnection", o.recovery_max_disconnection_ms,
                 "connectionStateRecovery.maxDisconnectionDuration, ms")
      ->capture_default_str();
  app.add_flag("--recovery-skip-middlewares", o.recovery_skip_middlewares,
               "connectionStateRecovery.skipMiddlewares (default: true; "
               "--recovery-skip-middlewares=false runs them for recovered sockets too)");
  app.add_option("--grpc-listen", o.grpc_listen,
                 "Serve the gRPC API (socketio.v1.ServerService) on ADDR: host:port or "
                 "unix:/path (default: off)");
  app.add_option("--grpc-tokens", o.grpc_tokens,
                 "Bearer tokens of the gRPC API, 'SECRET:SCOPES[:NAMESPACES]' separated by "
                 "spaces or ';' (better in the config file or SIO_GRPC_TOKENS than on the "
                 "command line); without tokens only loopback and unix: addresses are allowed");
  app.add_flag("--grpc-reflection", o.grpc_reflection, "Serve gRPC reflection (grpcurl)");
  app.add_option("--grpc-max-watchers", o.grpc_max_watchers,
                 "WatchEvents streams open at once (more: RESOURCE_EXHAUSTED; 0: WatchEvents off, "
                 "FAILED_PRECONDITION DISABLED)")
      ->capture_default_str();
  app.add_option("--grpc-max-ack-recipients", o.grpc_max_ack_recipients,
                 "Sockets one unary EmitWithAck may wait for (more: FAILED_PRECONDITION)")
      ->capture_default_str();
  app.add_option("--grpc-max-pending-acks", o.grpc_max_pending_acks,
                 "Acks awaited by all EmitWithAck calls together before new ones are refused")
      ->capture_default_str();
  app.add_option("--grpc-rate-limit", o.grpc_rate_limit,
                 "gRPC calls per second per token (0: no limit)")
      ->capture_default_str();
  app.add_option("--grpc-rate-burst", o.grpc_rate_burst,
                 "Calls a token may make at once within --grpc-rate-limit")
      ->capture_default_str();
  app.add_option("--adapter", o.adapter,
                 "none, or redis: join the cluster of nodes (ours or Node's "
                 "@socket.io/redis-adapter) that share --redis-url and --redis-key")
      ->check(CLI::IsMember({"none", "redis"}))
      ->capture_default_str();
  app.add_option("--redis-url", o.redis_url, "Redis of the cluster, redis://HOST:PORT")
      ->check(
          [](const std::string& url) {
            return url.rfind("redis://", 0) == 0 ? std::string() : "not a redis:// URL: " + url;
          },
          "URL")
      ->capture_default_str();
  app.add_option("--redis-key", o.redis_key, "Prefix of the cluster's Redis channels (key)")
      ->capture_default_str();
  app.add_option("--backend", o.backend,
                 "The gRPC address (host:port or unix:/path) of the socketio.v1.BackendService "
                 "that decides connects and answers events: every namespace with --app proxy, "
                 "the events of / no handler takes with another app");
  app.add_option("--backend-token", o.backend_token,
                 "Bearer token sent to the backend (better in the config file or "
                 "SIO_BACKEND_TOKEN)");
  app.add_option("--backend-connect-timeout", o.backend_connect_timeout_ms,
                 "Deadline of the backend's Connect, ms")
      ->capture_default_str()
      ->check(CLI::Range(1u, 600000u));
  app.add_option("--backend-event-timeout", o.backend_event_timeout_ms,
                 "Deadline of the backend's Event, ms")
      ->capture_default_str()
      ->check(CLI::Range(1u, 600000u));
  app.add_option("--backend-max-inflight", o.backend_max_inflight,
                 "Events of one socket at the backend at once (1: in order)")
      ->capture_default_str()
      ->check(CLI::Range(1u, 1024u));
  app.add_option("--backend-queue", o.backend_queue,
                 "Events of one socket waiting for the backend; past it they fail")
      ->capture_default_str()
      ->check(CLI::Range(0u, 100000u));
  app.add_flag("--backend-pause-reading", o.backend_pause_reading,
               "A socket's full queue stops the reading of its connection until half of it "
               "is done (default: true; =false answers the events past it with an error)");
  app.add_option("--backend-on-error", o.backend_on_error,
                 "A connect when the backend fails: reject (CONNECT_ERROR) or accept")
      ->capture_default_str()
      ->check(CLI::IsMember({"reject", "accept"}));
  app.add_option("--backend-ack-on-error", o.backend_ack_on_error,
                 "An event's ack when the backend fails: error_object or none")
      ->capture_default_str()
      ->check(CLI::IsMember({"error_object", "none"}));
  app.add_option("--backend-headers", o.backend_headers,
                 "Handshake headers the backend sees, comma-separated (default: none)");
}

inline engine_options to_engine_options(const server_options& o) {
  engine_options e;
  e.ping_interval = std::chrono::milliseconds(o.ping_interval_ms);
  e.ping_timeout = std::chrono::milliseconds(o.ping_timeout_ms);
  e.upgrade_timeout = std::chrono::milliseconds(o.upgrade_timeout_ms);
  e.max_payload = o.max_payload;
  e.volatile_drop_bytes = o.volatile_drop_bytes;
  e.shutdown_spread = std::chrono::milliseconds(o.shutdown_spread_ms);
  return e;
}

inline socketio_options to_socketio_options(const server_options& o) {
  socketio_options s;
  s.connect_timeout = std::chrono::milliseconds(o.connect_timeout_ms);
  s.max_namespaces_per_connection = o.max_namespaces;
  s.binary_completion_timeout = std::chrono::milliseconds(o.binary_timeout_ms);
  s.max_events_per_second = o.max_events_per_second;
  s.event_burst = o.event_burst;
  if (o.recovery) {
    recovery_options r;
    r.max_disconnection_duration = std::chrono::milliseconds(o.recovery_max_disconnection_ms);
    r.skip_middlewares = o.recovery_skip_middlewares;
    // A dead client goes unnoticed for a ping interval and a ping timeout;
    // twice that leaves room for a late timer or a busy machine.
    r.undetected_loss_window =
        2 * std::chrono::milliseconds(std::uint64_t{o.ping_interval_ms} + o.ping_timeout_ms);
    s.connection_state_recovery = r;
  }
  return s;
}

inline gateway_options to_gateway_options(const server_options& o) {
  gateway_options g;
  g.bind_address = o.bind;
  g.port = o.port;
  g.path = o.path;
  g.cors_origin = o.cors_origin;
  g.per_message_deflate = o.per_message_deflate;
  g.static_dir = o.static_dir;
  g.client_dir = o.client_dir;
  g.ws_path = o.ws_path;
  g.ws_namespace = o.ws_namespace;
  g.metrics_listen = o.metrics_listen;
  g.max_ws_outbound_bytes = o.send_queue_limit;
  g.max_total_buffered = o.max_total_buffered;
  g.max_write_stall = std::chrono::milliseconds(o.write_stall_timeout_ms);
  g.max_connections = o.max_connections;
  g.max_connections_per_ip = o.max_connections_per_ip;
  g.handshake_rate = o.handshake_rate;
  g.handshake_burst = o.handshake_burst;
  g.trusted_proxies = o.trusted_proxies;
  return g;
}

inline sio::server_options to_server_options(const server_options& o) {
  sio::server_options s;
  s.engine = to_engine_options(o);
  s.socketio = to_socketio_options(o);
  s.gateway = to_gateway_options(o);
  s.io_threads = o.gateway_threads;
  s.shutdown_timeout = std::chrono::milliseconds(o.shutdown_timeout_ms);
  s.pre_stop_delay = std::chrono::milliseconds(o.pre_stop_delay_ms);
  return s;
}

}  // namespace sio::cli
