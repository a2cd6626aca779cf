#include "proxy_app.hpp"

#include <sstream>

#include "log.hpp"

#ifdef SIO_WITH_GRPC
#include "sio/rpc/backend_proxy.hpp"
#endif

namespace sio {

std::string proxy_usage_error(const cli::server_options& o) {
  if (o.app != "proxy" && o.backend.empty()) return {};
#ifdef SIO_WITH_GRPC
  if (o.backend.empty()) return "--app proxy needs --backend ADDR (host:port or unix:/path)";
  return {};
#else
  return "--app proxy / --backend: this build has no gRPC (configured with SIO_ENABLE_GRPC=OFF)";
#endif
}

void configure_proxy([[maybe_unused]] server& io, [[maybe_unused]] const cli::server_options& o) {
#ifdef SIO_WITH_GRPC
  if (o.backend.empty()) return;
  rpc::backend_options b;
  b.endpoint = o.backend;
  if (!o.backend_token.empty())
    b.metadata.emplace_back("authorization", "Bearer " + o.backend_token);
  b.log = [](const std::string& event, const std::string& detail) {
    server_log::write(server_log::level::warn, event, {{"detail", detail}});
  };
  rpc::route_options r;
  r.connect_timeout = std::chrono::milliseconds(o.backend_connect_timeout_ms);
  r.event_timeout = std::chrono::milliseconds(o.backend_event_timeout_ms);
  r.max_inflight = o.backend_max_inflight;
  r.max_queue = o.backend_queue;
  r.on_error = o.backend_on_error == "accept" ? rpc::connect_on_error::accept
                                              : rpc::connect_on_error::reject;
  r.ack_error = o.backend_ack_on_error == "none" ? rpc::ack_on_error::none
                                                 : rpc::ack_on_error::error_object;
  r.max_payload_bytes = o.max_payload;
  std::stringstream headers{o.backend_headers};
  for (std::string h; std::getline(headers, h, ',');) {
    auto first = h.find_first_not_of(' ');
    if (first == std::string::npos) continue;
    h = h.substr(first, h.find_last_not_of(' ') - first + 1);
    for (auto& c : h) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    r.headers.push_back(h);
  }
  auto backend = rpc::make_backend(std::move(b));
  if (o.app != "proxy") {
    // Another app keeps its handlers: the backend decides its main
    // namespace's connects and answers the events it has no handler for.
    if (auto main = io.find("/")) rpc::proxy_namespace(io, *main, backend, r);
    return;
  }
  // "/" registered, so that the gRPC API (--grpc-listen) finds it; every
  // other name through a dynamic namespace.
  rpc::proxy_namespace(io, io.of("/"), backend, r);
  rpc::proxy_namespace(io, io.of([](const std::string&, const json&) { return true; }), backend,
                       r);
#endif
}

}  // namespace sio
