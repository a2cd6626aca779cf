#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "admission.hpp"
#include "context.hpp"
#include "send_queue.hpp"
#include "sio/actors/links.hpp"
#include "sio/protocol/deflate_codec.hpp"
#include "sio/protocol/permessage_deflate.hpp"
#include "sio/protocol/websocket.hpp"

namespace sio::detail {

/// One WebSocket after its upgrade request was read. Until attach() it has
/// not answered the upgrade; attach() writes the 101 and starts reading.
/// Frames are written by hand so that everything queued leaves in one
/// gather write.
class ws_session final : public ws_link,
                         public send_queue::sink,
                         public std::enable_shared_from_this<ws_session> {
 public:
  /// `deflate`: the permessage-deflate parameters agreed in the handshake,
  /// none when the connection is not compressed. `plain`: a plain WebSocket
  /// client, whose frames the session translates to and from the Engine.IO
  /// packets of a socket of the configured namespace (see plain_websocket.hpp).
  ws_session(const gateway_context& ctx, boost::beast::tcp_stream::socket_type socket,
             std::string handshake, std::string early_bytes,
             std::optional<websocket::deflate_params> deflate = std::nullopt, bool plain = false);
  ~ws_session() override;
  ws_session(const ws_session&) = delete;
  ws_session& operator=(const ws_session&) = delete;

  // ws_link; each call hands its work to the session's I/O thread: send()
  // through the thread's send_queue, the others by a post.
  void attach(caf::actor owner) override;
  void send(std::vector<frame> frames) override;
  void close() override;
  std::uint64_t id() const noexcept override { return id_; }
  std::size_t buffered_amount() const noexcept override {
    return queued_bytes_.load(std::memory_order_relaxed);
  }
  bool over_budget() const noexcept override;
  void pause_reading(bool paused) override;

  /// Holds the connection's place under the limits while the socket lives.
  void keep(admission::slot slot) { slot_ = std::move(slot); }

  /// Answers the upgrade with a 400 and `message`, as the reference's
  /// abortUpgrade does.
  void refuse(std::string message) override;

 private:
  struct chunk {
    std::array<char, websocket::max_server_header> head{};
    std::size_t head_size = 0;
    std::shared_ptr<const std::string> body;
  };

  // send_queue::sink
  bool take_frames(std::span<frame> frames) override;
  void write_taken() override;

  static std::vector<chunk>& spare_queue();
  void borrow_queue();
  void release_queue();
  void queue_raw(std::string bytes);
  void queue_message(frame f);
  void queue_frame(websocket::opcode op, std::shared_ptr<const std::string> payload,
                   bool compressed = false);
  void queue_close(std::uint16_t code, std::string_view reason = {});
  // A plain WebSocket client's side of the translation (ws_session_plain.cpp).
  void queue_plain(frame f);
  void deliver_plain(bool binary, std::string data);
  void do_write();
  void on_write(boost::system::error_code ec);
  struct readable_handler;  // do_read's, with an allocator of its own
  void do_read();
  void on_readable(boost::system::error_code ec);
  void consume(std::string_view bytes);
  void deliver(bool binary, std::string data);
  void fail(bool tell_owner);
  void drop_slow_consumer();
  // The global budget (see gateway_options::max_total_buffered).
  static std::vector<ws_session*>& backlogged_here();
  void backlog_began();
  void backlog_ended();
  void shed_over_budget();
  /// Changes queued_bytes_ and the send-queue gauge by `delta`.
  void account(std::int64_t delta);
  void notify_closed(bool error);

  const gateway_context& ctx_;
  // A bare socket: the heartbeat watches the connection, so the timers of a
  // beast::tcp_stream would only cost memory.
  boost::beast::tcp_stream::socket_type socket_;
  // Until attach(): the 101 response, and what the client sent after its
  // upgrade request.
  struct opening {
    std::string handshake;
    std::string early_bytes;
    std::vector<frame> early_frames;  // sent by the owner before the 101 left
  };
  std::unique_ptr<opening> opening_;
  std::uint64_t id_;
  caf::actor owner_;
  websocket::reader reader_;
  // Under permessage-deflate only.
  struct compression {
    websocket::deflater deflater;
    websocket::inflater inflater;
  };
  std::unique_ptr<compression> compression_;
  std::unique_ptr<boost::asio::steady_timer>
      close_timer_;  // while our close frame awaits its answer
  // A plain WebSocket client's (see ws_session_plain.cpp); null for Engine.IO.
  struct plain_state {
    // Its socket's CONNECT left: the namespace takes its events from now on.
    bool connected = false;
    // Messages read before that (while middlewares ran), and their size.
    std::vector<std::pair<bool, std::string>> waiting;
    std::size_t waiting_bytes = 0;
  };
  std::unique_ptr<plain_state> plain_;

  // The send_queue of the I/O thread that owns the socket.
  send_queue& send_queue_;

  std::vector<chunk> queued_;
  // Only while an asynchronous write is under way (see do_write).
  struct pending_write {
    std::vector<chunk> chunks;
    std::vector<boost::asio::const_buffer> buffers;
    std::chrono::steady_clock::time_point since;  // when the kernel stopped taking bytes
  };
  std::unique_ptr<pending_write> writing_;
  /// Bytes queued and not yet taken by the kernel, in writing_ or queued_.
  /// Written by the I/O thread only; read by the owner actor.
  std::atomic<std::size_t> queued_bytes_{0};
  admission::slot slot_;
  bool attached_ = false;
  bool backlogged_ = false;  // in backlogged_here(): a write waits for the kernel
  bool close_sent_ = false;  // our close frame is queued
  bool shut_down_ = false;   // the socket is closed
  bool owner_notified_ = false;
  bool input_failed_ = false;  // the peer broke the protocol; its bytes are ignored
  bool read_paused_ = false;   // the owner asked to stop reading (backpressure)
  bool read_waiting_ = false;  // a wait for readability is under way
};

}  // namespace sio::detail
