#pragma once

// The RPC edge: protobuf messages in, plain C++ values out, and back. No
// protobuf type goes further into the server than this.

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "rpc_error.hpp"
#include "sio/actors/remote_socket.hpp"
#include "sio/protocol/rpc_payload.hpp"
#include "socketio/v1/socketio.pb.h"

namespace sio::rpc {

namespace pb = ::socketio::v1;

/// The argument list of `p`, or INVALID_JSON / INVALID_PLACEHOLDER /
/// PAYLOAD_TOO_LARGE.
std::variant<args, rpc_error> to_args(const pb::Payload& p, std::size_t max_bytes);

/// `values` as a Payload (binary arguments as bytes, nested ones as
/// placeholders and attachments).
void to_payload(const args& values, pb::Payload& out);

/// An event name a caller may emit: not empty, not one socket.io reserves.
std::optional<rpc_error> check_event_name(const std::string& name);

/// `s` as SocketInfo: rooms without its own, sorted; data and handshake on request.
void to_socket_info(const remote_socket& s, bool with_data, bool with_handshake,
                    const std::string& node_id, pb::SocketInfo& out);

/// The opaque page token that resumes after `last` (a socket id or room
/// name), and back; nullopt when a token was not made by this server.
std::string make_page_token(const std::string& last);
std::optional<std::string> read_page_token(const std::string& token);

}  // namespace sio::rpc
