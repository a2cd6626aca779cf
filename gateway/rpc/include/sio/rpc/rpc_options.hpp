#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sio::rpc {

/// What a token lets its caller do.
enum class scope : std::uint8_t {
  emit,    ///< Emit, EmitWithAck, EmitWithAckStream, ServerSideEmit
  manage,  ///< SocketsJoin, SocketsLeave, DisconnectSockets, SetSocketData
  read,    ///< FetchSockets, CountSockets, ListRooms, GetStats
  watch,   ///< WatchEvents
  admin,   ///< everything
};

/// One caller's bearer token, its scopes and the namespaces it may touch.
struct token {
  std::string secret;
  std::vector<scope> scopes;
  /// Globs (`*` matches any run of characters); empty: every namespace.
  std::vector<std::string> namespaces;
};

/// Parses the token list of sio-server: entries separated by white space or
/// `;`, each `SECRET:SCOPE,SCOPE[:GLOB,GLOB]`, e.g.
/// `s3cret:emit,read:/chat,/rooms/*`. The error names the bad entry.
struct parsed_tokens {
  std::vector<token> tokens;
  std::string error;  // empty: parsed
};
parsed_tokens parse_tokens(std::string_view text);

/// Whether gRPC address `address` is reachable only from this machine
/// (`unix:`, loopback IPs, `localhost`): without tokens nothing else is allowed.
bool is_local_address(std::string_view address);

/// The gRPC API's settings.
struct rpc_options {
  /// A gRPC address: `host:port` (port 0: any free one), `unix:/path`.
  std::string listen;
  /// Empty: every caller is trusted (then only a local address is allowed).
  std::vector<token> tokens;
  /// Serve grpc.reflection.v1alpha for tools such as grpcurl.
  bool reflection = false;
  /// Bytes of one payload (JSON text, binary arguments and attachments).
  std::size_t max_payload_bytes = 1000000;
  /// Bytes of one request as gRPC receives it (a Batch of several payloads
  /// included), at least max_payload_bytes and room for the rest. gRPC
  /// refuses a larger one itself, with RESOURCE_EXHAUSTED and no reason;
  /// a payload below this and above max_payload_bytes is PAYLOAD_TOO_LARGE.
  std::size_t max_message_bytes = 16 * 1024 * 1024;
  /// The longest EmitWithAck timeout a caller may ask for.
  std::chrono::milliseconds max_ack_timeout{120000};
  /// How long FetchSockets waits for the selected sockets to answer.
  std::chrono::milliseconds fetch_timeout{5000};
  /// How long an Emit idempotency key is remembered.
  std::chrono::milliseconds idempotency_window{300000};
  /// Reported as node_id.
  std::string node_id = "sio-1";
  /// Reported as version by GetStats.
  std::string version;
  /// WatchEvents streams open at once.
  std::size_t max_watchers = 64;
  /// A watcher's buffer when it asks for none, and the most it may ask for.
  std::uint32_t default_watch_buffer = 1000;
  std::uint32_t max_watch_buffer = 100000;
  /// Sockets one unary EmitWithAck may wait for (EmitWithAckStream has no bound).
  std::size_t max_ack_recipients = 10000;
  /// Acks awaited by all EmitWithAck calls together; a call that finds this
  /// many pending is refused.
  std::size_t max_pending_acks = 100000;
  /// Calls per second per token (every caller together without tokens);
  /// 0: no limit. Bursts of up to rate_burst calls pass.
  double rate_limit = 0;
  std::uint32_t rate_burst = 100;
};

}  // namespace sio::rpc
