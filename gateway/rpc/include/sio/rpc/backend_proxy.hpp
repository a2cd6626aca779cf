#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sio/actors/server.hpp"

namespace sio::rpc {

/// One application backend serving socketio.v1 BackendService.
struct backend_options {
  /// gRPC target: `host:port`, `unix:/path`, `dns:///name:port`.
  std::string endpoint;
  /// Sent with every call (`authorization: Bearer ...` and the like).
  std::vector<std::pair<std::string, std::string>> metadata;
  /// TLS to the backend (off: plaintext, for loopback and unix: sockets).
  struct tls_options {
    bool enabled = false;
    /// PEM roots that sign the backend's certificate (empty: the system's).
    std::string root_certs;
    /// PEM certificate chain and key of this server, for mutual TLS.
    std::string cert_chain;
    std::string private_key;
    /// The name checked against the certificate, when it is not the
    /// endpoint's host (an IP address, a name only the certificate knows).
    std::string server_name;
  } tls;
  /// Event calls at this backend at once, over all sockets; an event past
  /// it fails as a backend error with RESOURCE_EXHAUSTED.
  std::size_t max_inflight = 10000;
  /// Gets one line per burst of failures (a backend down fails every call).
  std::function<void(const std::string& event, const std::string& detail)> log;
};

/// What a route does when the backend fails (down, slow past its timeout,
/// an error status, an answer that does not parse).
enum class connect_on_error {
  reject,  ///< CONNECT_ERROR "backend unavailable"
  accept,  ///< fail-open: the socket connects without data or rooms
};
enum class ack_on_error {
  error_object,  ///< ack `[{"error":{"code":...,"message":...}}]`
  none,          ///< no ack: the client's own timeout fires
};

/// Which parts of a namespace's sockets a backend plays.
struct route_options {
  /// The backend decides every connect (a namespace middleware).
  bool connect = true;
  /// Events the backend answers: "*" = every event no local handler takes.
  std::vector<std::string> events{"*"};
  /// Disconnect notices (best effort).
  bool disconnect = true;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds event_timeout{10000};
  std::chrono::milliseconds disconnect_timeout{5000};
  /// Whether socket.data and the socket's rooms travel with each event.
  bool with_data = true;
  bool with_rooms = true;
  /// Handshake headers the backend sees (lower-case names); others stay here.
  std::vector<std::string> headers;
  connect_on_error on_error = connect_on_error::reject;
  ack_on_error ack_error = ack_on_error::error_object;
  /// Events of one socket at the backend at once (1: in the client's order).
  std::size_t max_inflight = 1;
  /// Events of one socket waiting for a free slot. When the queue is full
  /// the socket's connection stops being read (TCP pushes back on the
  /// client) until it is half empty; the events the client had already sent
  /// still queue, up to `read_slack` more, and only past that (or at once
  /// with pause_reading off) an event is answered with a RESOURCE_EXHAUSTED
  /// error ack (or dropped).
  std::size_t max_queue = 64;
  bool pause_reading = true;
  std::size_t read_slack = 4096;
  /// Largest ack or emit payload taken from the backend.
  std::size_t max_payload_bytes = 1000000;
  std::string node_id;
};

class backend;

/// A connection (gRPC channel) to one backend, shared by the routes that
/// use it. Calls never block: their answers come back to the connection
/// actor of the socket that asked.
std::shared_ptr<backend> make_backend(backend_options options);

/// Lets `b` play `route`'s parts in namespace `nsp` (a registered or a
/// dynamic one) alongside its local handlers. Call before the server's
/// session_handlers(), after the namespace's own middlewares: the rooms of
/// an accept are joined as the socket connects, that is when the backend's
/// middleware is the last. `io` is used for emits to other namespaces.
void proxy_namespace(server& io, namespace_ref nsp, std::shared_ptr<backend> b,
                     route_options route);

}  // namespace sio::rpc
