#include "grpc_api.hpp"

#include <cstdio>

#ifdef SIO_WITH_GRPC
#include "sio/rpc/rpc_server.hpp"
#endif

namespace sio {

std::string grpc_api_usage_error(const cli::server_options& o, bool socketio) {
  if (o.grpc_listen.empty()) return {};
#ifdef SIO_WITH_GRPC
  if (!socketio) return "--grpc-listen: the app has no Socket.IO server to drive";
  auto tokens = rpc::parse_tokens(o.grpc_tokens);
  if (!tokens.error.empty()) return "--grpc-tokens: " + tokens.error;
  if (tokens.tokens.empty() && !rpc::is_local_address(o.grpc_listen))
    return "--grpc-listen " + o.grpc_listen +
           ": without --grpc-tokens (or SIO_GRPC_TOKENS) the gRPC API listens only on a "
           "loopback address or unix:/path";
  return {};
#else
  (void)socketio;
  return "--grpc-listen: this build has no gRPC (configured with SIO_ENABLE_GRPC=OFF)";
#endif
}

std::shared_ptr<void> start_grpc_api([[maybe_unused]] server* io,
                                     [[maybe_unused]] const cli::server_options& o) {
#ifdef SIO_WITH_GRPC
  if (o.grpc_listen.empty() || !io) return nullptr;
  rpc::rpc_options r;
  r.listen = o.grpc_listen;
  r.tokens = rpc::parse_tokens(o.grpc_tokens).tokens;
  r.reflection = o.grpc_reflection;
  r.max_payload_bytes = o.max_payload;
  r.version = SIO_VERSION;
  r.max_watchers = o.grpc_max_watchers;
  r.max_ack_recipients = o.grpc_max_ack_recipients;
  r.max_pending_acks = o.grpc_max_pending_acks;
  r.rate_limit = o.grpc_rate_limit;
  r.rate_burst = o.grpc_rate_burst;
  auto api = std::make_shared<rpc::rpc_server>(*io, std::move(r));
  api->start();
  std::printf("sio-server: gRPC API on %s (port %d)\n", o.grpc_listen.c_str(), api->port());
  return api;
#else
  return nullptr;
#endif
}

}  // namespace sio
