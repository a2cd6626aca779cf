#include "sio/rpc/rpc_server.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/impl/server_builder_option.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>

#include "server_service.hpp"

namespace sio::rpc {

namespace {

// Loading grpc++_reflection registers its plugin with every ServerBuilder,
// so reflection is served unless this option takes the plugin out again.
class without_reflection final : public grpc::ServerBuilderOption {
 public:
  void UpdateArguments(grpc::ChannelArguments*) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>* plugins) override {
    std::erase_if(*plugins, [](const std::unique_ptr<grpc::ServerBuilderPlugin>& p) {
      return dynamic_cast<grpc::reflection::ProtoServerReflectionPlugin*>(p.get()) != nullptr;
    });
  }
};

}  // namespace

struct rpc_server::impl {
  impl(sio::server& io, rpc_options opts) : options(opts), service(io, std::move(opts)) {}
  rpc_options options;
  server_service service;
  std::unique_ptr<grpc::Server> server;
  int port = 0;
};

rpc_server::rpc_server(sio::server& io, rpc_options options)
    : impl_(std::make_unique<impl>(io, std::move(options))) {}

rpc_server::~rpc_server() { stop(); }

void rpc_server::start() {
  grpc::EnableDefaultHealthCheckService(true);
  if (impl_->options.reflection) grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  if (!impl_->options.reflection) builder.SetOption(std::make_unique<without_reflection>());
  builder.AddListeningPort(impl_->options.listen, grpc::InsecureServerCredentials(), &impl_->port);
  builder.RegisterService(&impl_->service);
  // Room for a payload well above the limit, so that it is answered
  // PAYLOAD_TOO_LARGE, and for a Batch of payloads within it.
  const auto& o = impl_->options;
  auto largest = std::max(o.max_message_bytes, o.max_payload_bytes + 65536);
  builder.SetMaxReceiveMessageSize(
      static_cast<int>(std::min<std::size_t>(largest, std::numeric_limits<int>::max())));
  impl_->server = builder.BuildAndStart();
  if (!impl_->server) throw std::runtime_error("cannot listen on " + impl_->options.listen);
}

int rpc_server::port() const noexcept { return impl_->port; }

void rpc_server::stop(std::chrono::milliseconds grace) {
  if (!impl_ || !impl_->server) return;
  // Calls still waiting end with UNAVAILABLE / SHUTTING_DOWN first, so
  // that none waits for the grace to run out.
  impl_->service.shut_down();
  if (auto* health = impl_->server->GetHealthCheckService()) health->Shutdown();
  impl_->server->Shutdown(std::chrono::system_clock::now() + grace);
  impl_->server->Wait();
  impl_->server.reset();
}

}  // namespace sio::rpc
