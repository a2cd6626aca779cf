#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sio/protocol/json.hpp"
#include "sio/protocol/result.hpp"

/// The argument lists of the RPC API (`socketio.v1.Payload`) in plain C++:
/// each argument is JSON text or bytes, and binary values nested inside JSON
/// are `{"_placeholder":true,"num":N}` pointing into `attachments`, as in
/// Socket.IO's own binary packets. The RPC edge copies the protobuf fields in
/// and out; this layer knows nothing of protobuf.
namespace sio::rpc_payload {

/// One argument: JSON text, or bytes the client receives as a Buffer.
struct arg {
  enum class kind : std::uint8_t { json, binary };
  kind type = kind::json;
  std::string data;

  friend bool operator==(const arg&, const arg&) = default;
};

struct payload {
  std::vector<arg> args;
  std::vector<bytes> attachments;

  friend bool operator==(const payload&, const payload&) = default;
};

/// What a caller may send in one payload.
struct limits {
  /// Bytes of JSON text, binary arguments and attachments together.
  std::size_t max_bytes = 1000000;
  std::size_t max_depth = default_max_json_depth;
  std::size_t max_attachments = 256;
};

/// The argument values of `p`, binary arguments and placeholders turned into
/// `json::binary_t`. Errors: errc::too_large (over max_bytes or
/// max_attachments), errc::invalid_json (not one JSON value, or nested deeper
/// than max_depth), errc::invalid_placeholder (a placeholder whose num is not
/// an index of `attachments`, or an attachment no placeholder names).
result<std::vector<json>> decode(const payload& p, const limits& lim = {});

/// The payload of `values`: a binary value at the top becomes a binary
/// argument, one nested in an array or object a placeholder and an
/// attachment. Fails (errc::value_too_deep) only when a value nests deeper
/// than `max_depth`.
result<payload> encode(const std::vector<json>& values, std::size_t max_depth = 1000);

}  // namespace sio::rpc_payload
