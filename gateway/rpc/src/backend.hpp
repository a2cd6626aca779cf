#pragma once

// The client side of socketio.v1 BackendService: one channel per backend,
// calls on gRPC's callback API. Nothing here waits: each answer comes back
// on a gRPC thread, and the proxy hands it to the socket's connection actor.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <thread>

#include <grpcpp/channel.h>
#include <grpcpp/client_context.h>

#include "sio/rpc/backend_proxy.hpp"
#include "socketio/v1/socketio.grpc.pb.h"

namespace sio::rpc {

namespace pb = ::socketio::v1;

/// One outgoing call: kept alive by whoever still needs it (the callback,
/// and the socket that may cancel it).
template <class Request, class Response>
struct backend_call {
  grpc::ClientContext context;
  Request request;
  Response response;
};

class backend : public std::enable_shared_from_this<backend> {
 public:
  explicit backend(backend_options options);
  ~backend();
  backend(const backend&) = delete;
  backend& operator=(const backend&) = delete;

  using connect_call = backend_call<pb::ConnectRequest, pb::ConnectResponse>;
  using event_call = backend_call<pb::EventRequest, pb::EventResponse>;
  using disconnect_call = backend_call<pb::DisconnectRequest, pb::DisconnectResponse>;
  using done_fn = std::function<void(grpc::Status)>;

  /// Starts a call with its deadline and the static metadata; `done` runs
  /// on a gRPC thread.
  void connect(const std::shared_ptr<connect_call>& call, std::chrono::milliseconds timeout,
               done_fn done);
  void event(const std::shared_ptr<event_call>& call, std::chrono::milliseconds timeout,
             done_fn done);
  void disconnect(const std::shared_ptr<disconnect_call>& call, std::chrono::milliseconds timeout);

  /// Takes one slot of the backend's global event cap; false when full.
  bool take_slot();
  void release_slot();

  /// What failed, each kind logged on its own.
  enum class failure : std::uint8_t {
    connect_failed,
    connect_invalid,
    event_failed,
    event_invalid,
    disconnect_failed,
  };
  static constexpr std::size_t failure_kinds = 5;

  /// Logs a failure, at most once a second per kind; the failures in
  /// between are counted into the next line.
  void log_failure(failure kind, const grpc::Status& status);

 private:
  void prepare(grpc::ClientContext& context, std::chrono::milliseconds timeout) const;
  /// Keeps the channel connected (an idle channel connects again at once,
  /// a failed one retries with gRPC's backoff) and counts its failures and
  /// reconnects.
  void watch(const std::stop_token& stop);

  backend_options options_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<pb::BackendService::Stub> stub_;
  std::atomic<std::size_t> inflight_{0};
  // The failure log's bookkeeping per kind: steady-clock ms of the last
  // line, and the failures not logged since.
  struct log_slot {
    std::atomic<std::int64_t> last_ms{-1000000};
    std::atomic<std::size_t> suppressed{0};
  };
  std::array<log_slot, failure_kinds> log_;
  // Last member: it stops (and joins) before the channel goes.
  std::jthread watcher_;
};

/// The gRPC code's name, as the client sees it in error objects.
std::string code_name(grpc::StatusCode code);

}  // namespace sio::rpc
