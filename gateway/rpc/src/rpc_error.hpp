#pragma once

#include <string>

#include <grpcpp/support/status.h>

namespace sio::rpc {

/// A failed call: its gRPC status, the stable machine reason sent in the
/// `sio-error-reason` trailer, and a message for people.
struct rpc_error {
  grpc::StatusCode code;
  std::string reason;
  std::string message;
};

inline rpc_error invalid(std::string reason, std::string message) {
  return {grpc::StatusCode::INVALID_ARGUMENT, std::move(reason), std::move(message)};
}

}  // namespace sio::rpc
