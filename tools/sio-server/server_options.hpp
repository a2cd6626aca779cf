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
  std::string adapter = "none";  // or "redis": a cluster through Redis
  std::string redis_url = "redis://127.0.0.1:6379";
  std::string redis_key = "socket.io";
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
