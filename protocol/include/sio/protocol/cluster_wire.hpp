#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sio/protocol/json.hpp"

/// The messages Socket.IO nodes exchange over Redis pub/sub, in the classic
/// format of `@socket.io/redis-adapter` 8 (and `@socket.io/redis-emitter`):
/// channel names, msgpack broadcasts `[uid, packet, opts]`, and requests and
/// responses that are JSON when their first byte is `{`, msgpack otherwise.
/// Pure: bytes in, values out; malformed input yields nothing, never throws.
namespace sio::cluster_wire {

/// The deepest nesting accepted in a message from the channels.
inline constexpr std::size_t max_depth = 100;

/// Decodes msgpack as notepack.io writes it: ints stay ints, floats floats,
/// bin becomes json::binary_t. Nothing when malformed, trailing bytes
/// included, or nested deeper than `depth`.
std::optional<json> decode_msgpack(std::string_view bytes, std::size_t depth = max_depth);
std::string encode_msgpack(const json& value);

/// A request or response: JSON if it starts with `{`, else msgpack. Only
/// objects are accepted.
std::optional<json> decode_message(std::string_view bytes);

/// Channel names for key prefix `key` and namespace `nsp` ("/" or "/name").
std::string broadcast_channel(std::string_view key, std::string_view nsp);  // P#N#
std::string room_channel(std::string_view key, std::string_view nsp, std::string_view room);
std::string broadcast_pattern(std::string_view key, std::string_view nsp);  // P#N#*
std::string request_channel(std::string_view key, std::string_view nsp);
std::string response_channel(std::string_view key, std::string_view nsp);
std::string response_channel(std::string_view key, std::string_view nsp, std::string_view uid);

/// The room a broadcast channel names ("" for the namespace-wide channel),
/// or nothing when `channel` is not a broadcast channel of this namespace.
std::optional<std::string> room_of_channel(std::string_view channel, std::string_view key,
                                           std::string_view nsp);

/// An event as the packet object of a message carries it:
/// `{type: 2, data: [event, ...args], nsp}`.
struct event_packet {
  std::string event;
  std::vector<json> arguments;
};

/// The event of a packet object for namespace `nsp`; nothing when it is not
/// an EVENT (type 2 or 5) of that namespace with a string event name.
std::optional<event_packet> decode_event_packet(const json& packet, std::string_view nsp);
json encode_event_packet(std::string_view nsp, std::string_view event,
                         const std::vector<json>& arguments);

/// Which sockets a message selects: `opts` of broadcasts and requests.
struct selection {
  std::vector<std::string> rooms;
  std::vector<std::string> except;
  bool is_volatile = false;
  std::optional<std::int64_t> timeout_ms;  // flags.timeout
};

/// Reads `{rooms, except, flags}`; room names that are numbers count as
/// their decimal text, as in JavaScript. Nothing when the shape is wrong.
std::optional<selection> decode_selection(const json& opts);
json encode_selection(const std::vector<std::string>& rooms,
                      const std::vector<std::string>& except);

/// A broadcast from the channels.
struct broadcast_message {
  std::string uid;
  event_packet packet;
  selection opts;
};

std::optional<broadcast_message> decode_broadcast(std::string_view bytes, std::string_view nsp);
std::string encode_broadcast(std::string_view uid, std::string_view nsp, std::string_view event,
                             const std::vector<json>& arguments,
                             const std::vector<std::string>& rooms,
                             const std::vector<std::string>& except);

/// Request types of the classic adapter.
enum class request_type : int {
  sockets = 0,
  all_rooms = 1,
  remote_join = 2,
  remote_leave = 3,
  remote_disconnect = 4,
  remote_fetch = 5,
  server_side_emit = 6,
  broadcast = 7,
  broadcast_client_count = 8,
  broadcast_ack = 9,
};

/// A random id of 6 characters from `A-Za-z0-9-_` (uid2), from `entropy`.
std::string make_uid(std::uint64_t entropy);

}  // namespace sio::cluster_wire
