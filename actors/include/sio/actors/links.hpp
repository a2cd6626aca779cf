#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>

/// The two handles the gateway gives a connection actor. They are the only
/// way an actor reaches the network: each call hands its arguments to the
/// I/O thread that owns the socket, so the actor never blocks and never
/// touches a socket.
namespace sio {

/// One outbound Engine.IO packet, encoded: for text packets the type
/// character and the data ("4" + Socket.IO text), for binary packets the raw
/// bytes. Immutable and shared, so a broadcast encoded once reaches every
/// recipient without a copy.
struct frame {
  bool binary = false;
  std::shared_ptr<const std::string> data;

  static frame text(std::string encoded) {
    return {false, std::make_shared<const std::string>(std::move(encoded))};
  }
  static frame bytes(std::string raw) {
    return {true, std::make_shared<const std::string>(std::move(raw))};
  }
};

/// A WebSocket owned by the gateway.
class ws_link {
 public:
  virtual ~ws_link() = default;
  /// Starts reading: every message and the close of the socket go to
  /// `owner` as (ws_text | ws_binary, id, data) and (ws_closed, id, error).
  virtual void attach(caf::actor owner) = 0;
  /// Queues frames; everything queued leaves in as few writes as possible.
  virtual void send(std::vector<frame> frames) = 0;
  /// Sends what is queued, then a close frame, then closes the socket.
  virtual void close() = 0;
  /// Refuses a WebSocket that was not attached yet: the upgrade request is
  /// answered with HTTP 400 and `message` instead of 101.
  virtual void refuse(std::string message) = 0;
  /// A number that tells links apart in logs and messages.
  virtual std::uint64_t id() const noexcept = 0;
  /// Bytes queued on this link and not yet taken by the kernel (read from
  /// any thread; a moment's value).
  virtual std::size_t buffered_amount() const noexcept { return 0; }
  /// The send queues of the whole process are past their memory budget:
  /// volatile packets are dropped (read from any thread; a moment's value).
  virtual bool over_budget() const noexcept { return false; }
  /// Stops reading the socket (true), so that TCP pushes back on the
  /// client, or reads it again (false). A message already read still
  /// arrives.
  virtual void pause_reading(bool /*paused*/) {}
};
using ws_link_ptr = std::shared_ptr<ws_link>;

/// The answer to one HTTP request the gateway holds open (a polling GET or
/// POST) until the connection actor decides what it is.
class http_reply {
 public:
  virtual ~http_reply() = default;
  /// 200 with `body` and `content_type`.
  virtual void ok(std::string body, std::string_view content_type) = 0;
  /// An error status; `json_body` empty means an empty body.
  virtual void fail(int status, std::string json_body) = 0;
};
using http_reply_ptr = std::shared_ptr<http_reply>;

}  // namespace sio
