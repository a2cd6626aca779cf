#include "backend.hpp"

#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/channel_arguments.h>

#include "sio/actors/metrics.hpp"

namespace sio::rpc {

std::shared_ptr<backend> make_backend(backend_options options) {
  return std::make_shared<backend>(std::move(options));
}

backend::backend(backend_options options) : options_(std::move(options)) {
  grpc::ChannelArguments args;
  // Reconnects back off from 100 ms to 5 s, so that a backend coming back
  // is found quickly and a dead one is not hammered.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 5000);
  args.SetMaxReceiveMessageSize(64 * 1024 * 1024);
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (const auto& tls = options_.tls; tls.enabled) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = tls.root_certs;
    ssl.pem_cert_chain = tls.cert_chain;
    ssl.pem_private_key = tls.private_key;
    credentials = grpc::SslCredentials(ssl);
    if (!tls.server_name.empty()) args.SetSslTargetNameOverride(tls.server_name);
  } else {
    credentials = grpc::InsecureChannelCredentials();
  }
  channel_ = grpc::CreateCustomChannel(options_.endpoint, credentials, args);
  stub_ = pb::BackendService::NewStub(channel_);
  watcher_ = std::jthread([this](const std::stop_token& stop) { watch(stop); });
}

backend::~backend() = default;

void backend::watch(const std::stop_token& stop) {
  // How often the watcher looks at its stop token: the longest a server's
  // stop waits for it.
  constexpr auto tick = std::chrono::milliseconds(100);
  bool was_ready = false;
  bool lost = false;
  // The first call connects the channel; the watcher takes over once it
  // was ready.
  auto state = channel_->GetState(false);
  while (!stop.stop_requested()) {
    if (!channel_->WaitForStateChange(state, std::chrono::system_clock::now() + tick)) continue;
    auto next = channel_->GetState(false);
    switch (next) {
      case GRPC_CHANNEL_READY:
        if (lost) {
          metrics::add(metrics::counter::backend_reconnects);
          if (options_.log) options_.log("backend_reconnected", "endpoint=" + options_.endpoint);
        }
        was_ready = true;
        lost = false;
        break;
      case GRPC_CHANNEL_TRANSIENT_FAILURE:
        metrics::add(metrics::counter::backend_link_failures);
        [[fallthrough]];
      case GRPC_CHANNEL_IDLE:
        if (was_ready && !lost) {
          lost = true;
          if (options_.log) options_.log("backend_link_lost", "endpoint=" + options_.endpoint);
        }
        // An idle channel that was ready waits for the next call to
        // connect again; the next call should not be the one to pay for it.
        if (next == GRPC_CHANNEL_IDLE && was_ready) next = channel_->GetState(true);
        break;
      default:
        break;
    }
    state = next;
  }
}

void backend::prepare(grpc::ClientContext& context, std::chrono::milliseconds timeout) const {
  context.set_deadline(std::chrono::system_clock::now() + timeout);
  for (const auto& [key, value] : options_.metadata) context.AddMetadata(key, value);
}

void backend::connect(const std::shared_ptr<connect_call>& call, std::chrono::milliseconds timeout,
                      done_fn done) {
  prepare(call->context, timeout);
  stub_->async()->Connect(&call->context, &call->request, &call->response,
                          [call, done = std::move(done)](grpc::Status status) { done(status); });
}

void backend::event(const std::shared_ptr<event_call>& call, std::chrono::milliseconds timeout,
                    done_fn done) {
  prepare(call->context, timeout);
  stub_->async()->Event(&call->context, &call->request, &call->response,
                        [call, done = std::move(done)](grpc::Status status) { done(status); });
}

void backend::disconnect(const std::shared_ptr<disconnect_call>& call,
                         std::chrono::milliseconds timeout) {
  prepare(call->context, timeout);
  // Best effort: nobody waits for the answer; a failure is only logged.
  stub_->async()->Disconnect(&call->context, &call->request, &call->response,
                             [call, self = shared_from_this()](grpc::Status status) {
                               if (!status.ok())
                                 self->log_failure(failure::disconnect_failed, status);
                             });
}

bool backend::take_slot() {
  if (inflight_.fetch_add(1, std::memory_order_relaxed) < options_.max_inflight) return true;
  inflight_.fetch_sub(1, std::memory_order_relaxed);
  return false;
}

void backend::release_slot() { inflight_.fetch_sub(1, std::memory_order_relaxed); }

void backend::log_failure(failure kind, const grpc::Status& status) {
  static constexpr std::array<const char*, failure_kinds> names{
      "backend_connect_failed", "backend_connect_invalid", "backend_event_failed",
      "backend_event_invalid", "backend_disconnect_failed"};
  if (!options_.log) return;
  auto& slot = log_[static_cast<std::size_t>(kind)];
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::steady_clock::now().time_since_epoch())
                 .count();
  auto last = slot.last_ms.load(std::memory_order_relaxed);
  if (now - last < 1000 || !slot.last_ms.compare_exchange_strong(last, now)) {
    slot.suppressed.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  auto skipped = slot.suppressed.exchange(0, std::memory_order_relaxed);
  std::string detail = "endpoint=" + options_.endpoint + " code=" + code_name(status.error_code()) +
                       " message=\"" + status.error_message() + "\"";
  if (skipped > 0) detail += " more_failures=" + std::to_string(skipped);
  options_.log(names[static_cast<std::size_t>(kind)], detail);
}

std::string code_name(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return "UNKNOWN";
  }
}

}  // namespace sio::rpc
