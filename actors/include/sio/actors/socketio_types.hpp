#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "sio/actors/adapter.hpp"
#include "sio/actors/links.hpp"
#include "sio/protocol/json.hpp"

namespace sio {

/// The arguments of an event, as the client sent them (binary ones are
/// json::binary_t values).
using args = std::vector<json>;

/// Why a namespace middleware refused a socket; the client gets it as
/// CONNECT_ERROR {"message": ..., "data": ...}.
struct connect_error {
  std::string message;
  std::optional<json> data;
};

/// What a middleware calls when it is done: `next()` lets the socket (or
/// the packet) through, `next(connect_error{...})` refuses it.
class next_fn {
 public:
  next_fn() = default;
  template <class F,
            class = std::enable_if_t<std::is_invocable_v<F&, std::optional<connect_error>>>>
  next_fn(F f) : f_(std::move(f)) {}
  void operator()() const { f_(std::nullopt); }
  void operator()(connect_error error) const { f_(std::move(error)); }
  void operator()(std::optional<connect_error> error) const { f_(std::move(error)); }
  explicit operator bool() const noexcept { return static_cast<bool>(f_); }

 private:
  std::function<void(std::optional<connect_error>)> f_;
};

/// `socket.handshake` of the reference.
struct handshake {
  json headers = json::object();
  std::string time;
  std::string address;
  bool xdomain = false;
  bool secure = false;
  std::int64_t issued = 0;  // ms since the epoch
  std::string url;
  json query = json::object();
  json auth = json::object();

  /// As the reference's `socket.handshake` serializes: the same keys, in its order.
  json to_json() const {
    return json{{"headers", headers}, {"time", time},     {"address", address},
                {"xdomain", xdomain}, {"secure", secure}, {"issued", issued},
                {"url", url},         {"query", query},   {"auth", auth}};
  }
};

/// The frames of one encoded Socket.IO packet (its text, then one frame per
/// binary attachment), shared by every recipient of a broadcast.
using frame_batch = std::shared_ptr<const std::vector<frame>>;

/// Called with the client's reply to an emit_with_ack, or with nothing when
/// the timeout passed or the socket disconnected first.
using ack_callback = std::function<void(std::optional<args>)>;

/// How a server-to-client acknowledgement ended.
enum class ack_status : std::uint8_t {
  acked,         ///< the client answered; the reply holds its arguments
  timed_out,     ///< the timeout passed first
  disconnected,  ///< the socket left (or had left) first
  dropped,       ///< volatile, and the client could not take it: never sent
};

/// Called once with how an emit_with_ack ended, and the client's reply.
using ack_status_callback = std::function<void(ack_status, args reply)>;

/// `connectionStateRecovery` of the reference: a client whose connection
/// dropped comes back with its socket id, rooms, data and every event it
/// missed. Each namespace keeps the events it sent for a bounded time and
/// size, and the sessions of sockets that went away uncleanly.
struct recovery_options {
  /// How long a session that went away stays recoverable (maxDisconnectionDuration).
  std::chrono::milliseconds max_disconnection_duration{120000};
  /// Whether a recovered socket skips the namespace's middlewares (skipMiddlewares).
  bool skip_middlewares = true;
  /// How long a dead client may go unnoticed: ping interval + ping timeout.
  /// Events are kept this long even while no session waits, since what was
  /// sent into a connection that silently died must be replayed too.
  std::chrono::milliseconds undetected_loss_window{45000};
  /// The most bytes one namespace keeps for recovery, its sent events and
  /// waiting sessions together; past it the oldest go, and clients that
  /// needed them get a fresh socket.
  std::size_t max_buffered_bytes = 32 * 1024 * 1024;
};

/// One socket's leaving its namespace, as socketio_options::on_socket_closed
/// is told.
struct socket_closed {
  std::string_view sid;        ///< the Engine.IO session's id
  std::string_view nsp;        ///< the namespace
  std::string_view socket_id;  ///< the socket's id in it
  std::string_view reason;     ///< the reference's disconnect reason
};

/// Options of the Socket.IO layer, named after the reference's ServerOptions.
struct socketio_options {
  /// connectTimeout: a connection that joins no namespace in this time is closed.
  std::chrono::milliseconds connect_timeout{45000};
  /// Attachments one binary packet may carry (socket.io-parser's maxAttachments).
  std::size_t max_attachments = 10;
  /// Deepest JSON nesting accepted from clients.
  std::size_t max_json_depth = default_max_json_depth;
  /// The timeout of emit_with_ack when none is given (the reference waits
  /// forever; a server should not).
  std::chrono::milliseconds default_ack_timeout{30000};
  /// Namespaces one connection may join at once; past it CONNECT gets a
  /// CONNECT_ERROR "Too many namespaces" (0: no limit).
  std::size_t max_namespaces_per_connection = 0;
  /// How long a binary packet may wait for its attachments; then the
  /// connection is closed. Checked at each ping, so the cut comes up to a
  /// ping interval later (0: no limit).
  std::chrono::milliseconds binary_completion_timeout{60000};
  /// Events one connection may send per second, over all its namespaces,
  /// after a burst of `event_burst` (a token bucket); past it an event is
  /// dropped unseen by handlers, its ack never sent, and counted in
  /// socketio_events_rate_limited_total. The connection stays: a
  /// disconnected client would reconnect and go on (0: no limit).
  double max_events_per_second = 0;
  /// See max_events_per_second; 0: one second's worth.
  std::size_t event_burst = 0;
  /// connectionStateRecovery: off (empty) by default, as in the reference.
  std::optional<recovery_options> connection_state_recovery;
  /// The cluster adapter of every namespace (none: this node alone).
  adapter_factory adapter;
  /// Told of every socket that leaves its namespace and why (a debug log,
  /// say), on the thread of its connection: keep it quick and thread-safe.
  /// Empty: nothing.
  std::function<void(const socket_closed&)> on_socket_closed;
};

}  // namespace sio
