#pragma once

#include <cstdint>
#include <string>
#include <thread>

#include <CLI/CLI.hpp>
#include <boost/asio/ip/address.hpp>

#include "sio/actors/engine_options.hpp"
#include "sio/actors/socketio_types.hpp"
#include "sio/gateway/gateway_options.hpp"

namespace sio {

/// Everything sio-server can be told, named after socket.io's ServerOptions.
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
  std::string grpc_listen;  // empty: no gRPC API
  std::string grpc_tokens;  // empty: no auth, local addresses only
  bool grpc_reflection = false;
  // The backend (socketio.v1.BackendService): every namespace of --app proxy, or what
  // another app's "/" has no handler for.
  std::string backend;       // empty: none
  std::string backend_token; // sent as `authorization: Bearer ...`
  std::uint32_t backend_connect_timeout_ms = 5000;
  std::uint32_t backend_event_timeout_ms = 10000;
  std::uint32_t backend_max_inflight = 1;
  std::uint32_t backend_queue = 64;
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
  app.add_option("--grpc-listen", o.grpc_listen,
                 "Serve the gRPC API (socketio.v1.ServerService) on ADDR: host:port or "
                 "unix:/path (default: off)");
  app.add_option("--grpc-tokens", o.grpc_tokens,
                 "Bearer tokens of the gRPC API, 'SECRET:SCOPES[:NAMESPACES]' separated by "
                 "spaces or ';' (better in the config file or SIO_GRPC_TOKENS than on the "
                 "command line); without tokens only loopback and unix: addresses are allowed");
  app.add_flag("--grpc-reflection", o.grpc_reflection, "Serve gRPC reflection (grpcurl)");
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
  return e;
}

inline socketio_options to_socketio_options(const server_options& o) {
  socketio_options s;
  s.connect_timeout = std::chrono::milliseconds(o.connect_timeout_ms);
  s.max_packet_bytes = o.max_payload;
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
  g.max_payload = o.max_payload;
  return g;
}

}  // namespace sio
