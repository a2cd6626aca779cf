#pragma once

#include <memory>
#include <string>

#include "sio/actors/server.hpp"
#include "sio/rpc/rpc_options.hpp"

namespace sio::rpc {

/// The gRPC API of a Socket.IO server: socketio.v1.ServerService, the
/// standard grpc.health.v1 service, and reflection when asked for. Start it
/// once the server's namespaces are configured.
class rpc_server {
 public:
  rpc_server(sio::server& io, rpc_options options);
  ~rpc_server();
  rpc_server(const rpc_server&) = delete;
  rpc_server& operator=(const rpc_server&) = delete;

  /// Listens on options.listen; throws std::runtime_error when it cannot.
  void start();
  /// The TCP port listened on (the chosen one for port 0); 0 for unix:.
  int port() const noexcept;
  /// Refuses new calls, and ends those still running after `grace`.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(1000));

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace sio::rpc
