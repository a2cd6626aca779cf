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

/// Neither registered nor matched by a dynamic-namespace rule.
inline rpc_error unknown_namespace(const std::string& name) {
  return {grpc::StatusCode::NOT_FOUND, "UNKNOWN_NAMESPACE", "no namespace " + name + " on this server"};
}

}  // namespace sio::rpc
