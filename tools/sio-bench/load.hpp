#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "histogram.hpp"
#include "sio/protocol/websocket.hpp"

/// The load: many Socket.IO clients per thread, each a WebSocket over a raw
/// TCP socket, speaking Engine.IO v4 / Socket.IO v5 with the project's codecs.
namespace sio_bench {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

inline std::uint64_t now_ns() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::steady_clock::now().time_since_epoch())
                                        .count());
}

enum class scenario : std::uint8_t { fanout, echo, connect };

/// The run's phases, advanced by the control thread, read by the workers.
enum class phase : int { setup = 0, warmup = 1, measure = 2, drain = 3, done = 4 };

struct config {
  scenario kind = scenario::fanout;
  std::string host = "127.0.0.1";
  std::uint16_t port = 3000;
  std::string path = "/socket.io/";
  /// fanout: subscribers (the publisher comes on top); echo: clients;
  /// connect: connections to open.
  std::size_t connections = 1000;
  std::size_t payload = 100;
  std::size_t window = 10;
  double duration_s = 10;
  double warmup_s = 1;
  unsigned threads = 1;
  /// Handshakes in progress at once, over all threads.
  std::size_t concurrency = 100;
  double idle_s = 3;
  int server_pid = 0;
  std::uint32_t handshake_timeout_ms = 10000;
  double setup_timeout_s = 120;
  double drain_timeout_s = 10;
  /// Connections per source address (127.0.0.1, .2, ...) once there are more.
  std::size_t per_address = 4000;
  std::string room = "room1";
  /// fanout: when set, the subscribers are plain WebSocket clients of this
  /// path (`<path>?join=<room>`), with no Engine.IO or Socket.IO framing.
  std::string plain_path;
  /// fanout on a cluster: a second node's port; every other subscriber
  /// connects there (the publisher stays on `port`).
  std::uint16_t port2 = 0;
  /// More processes whose CPU counts as the server's (a cluster's other node).
  std::vector<int> more_server_pids;
  /// A Redis behind the servers: its CPU is reported on its own.
  int redis_pid = 0;
  std::string json_out;
  std::string label;
};

/// Precomputed packets and what is expected back, shared read-only.
struct templates {
  /// fanout: the Socket.IO text of a broadcast; seq and timestamp digits are
  /// written in place at these offsets.
  std::string broadcast;
  std::size_t seq_at = 0;
  std::size_t ts_at = 0;
  /// The body of the "msg" event every member receives, e.g.
  /// `["msg","S000..42T000..123:xxxx"]`: its size, and where the payload
  /// string starts inside it.
  std::size_t msg_body_size = 0;
  std::size_t msg_payload_at = 0;
  /// echo: the Socket.IO text after the ack id, `["echo","xxx"]`, and the
  /// body of the expected ack, `["xxx"]`.
  std::string echo_event_body;
  std::string echo_ack_body;
};

inline constexpr std::size_t digits = 20;

/// Written by one worker thread, read by the control thread.
struct alignas(64) counters {
  std::atomic<std::uint64_t> settled{0};      // connected (and joined, for fanout)
  std::atomic<std::uint64_t> last_settle_ns{0};
  std::atomic<std::uint64_t> errors{0};
  std::atomic<std::uint64_t> received{0};     // fanout: deliveries to subscribers, all phases
  std::atomic<std::uint64_t> window_ops{0};   // fanout: deliveries; echo: acks; in the window
  std::atomic<std::uint64_t> outstanding{0};  // echo: acks awaited
  // The publisher (worker 0 only).
  std::atomic<std::uint64_t> pub_sent{0};
  std::atomic<std::uint64_t> pub_inflight{0};
  std::atomic<std::uint64_t> pub_window{0};   // broadcasts completed in the window
};

class worker;

enum class role : std::uint8_t { subscriber, publisher, echo, idle };

class connection {
 public:
  connection(worker& w, std::size_t index, role r);

  /// Opens the TCP connection and runs the handshakes.
  void start();
  /// Closes the socket; nothing is reported any more.
  void stop();

  bool settled() const { return state_ == state::settled; }
  bool active() const { return state_ != state::idle && state_ != state::failed; }
  bool handshaking() const { return active() && state_ != state::settled; }
  std::uint64_t deadline_ns() const { return deadline_ns_; }
  const char* state_name() const;

  void fail(const std::string& why);

  // Scenario actions.
  void send_broadcast(std::uint64_t seq);
  void send_echo();

 private:
  enum class state : std::uint8_t { idle, connecting, http, eio_open, sio_connect, joining,
                                    settled, failed };

  void on_connect(const boost::system::error_code& ec);
  void read();
  void on_read(const boost::system::error_code& ec, std::size_t n);
  void process();
  bool handle_http(std::string_view head);
  void handle_frame(sio::websocket::opcode op, bool fin, std::string_view payload);
  void handle_message(bool binary, std::string_view payload);
  void handle_text(std::string_view text);
  void handle_socketio(std::string_view text);
  void handle_plain(std::string_view text);
  bool plain() const;
  void on_msg(std::string_view body);
  void on_ack(std::uint64_t id, std::string_view body);
  void settle();

  void send_engineio(std::string_view eio_text);
  void send_socketio(std::string_view sio_text);
  void send_frame(sio::websocket::opcode op, std::string_view payload);
  void flush();

  worker& w_;
  std::size_t index_;
  role role_;
  state state_ = state::idle;
  tcp::socket socket_;
  std::vector<char> in_;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  std::string fragments_;
  bool in_fragment_ = false;
  bool fragment_binary_ = false;
  std::string out_;
  std::string writing_;
  bool write_pending_ = false;
  std::string key_;
  std::uint64_t started_ns_ = 0;
  std::uint64_t deadline_ns_ = 0;
  // fanout: the next sequence number expected
  std::uint64_t next_seq_ = 0;
  // echo: the ack id awaited, and when its event left
  std::uint64_t ack_id_ = 0;
  std::uint64_t sent_ns_ = 0;
  bool awaiting_ack_ = false;
};

/// One thread: an io_context and the connections it drives.
class worker {
 public:
  worker(const config& cfg, const templates& t, const std::atomic<int>& ph, tcp::endpoint target,
         unsigned index, std::size_t max_handshakes);

  /// Adds connection `index` (global numbering) with role `r`.
  void add(std::size_t index, role r);
  /// Starts the handshakes (posted onto the thread).
  void begin();
  /// fanout: the publisher sends its first `window` broadcasts.
  void start_publishing();
  /// echo: every connection sends its first event.
  void start_echo();
  /// Closes every connection (posted), so the thread runs out of work.
  void close_all();

  void run();
  void stop() { ioc_.stop(); }

  // For connections.
  const config& cfg;
  const templates& tpl;
  phase current_phase() const { return static_cast<phase>(phase_.load(std::memory_order_relaxed)); }
  tcp::endpoint target;
  counters stats;
  histogram latency;    // fanout: publish to receipt; echo: event to ack
  histogram handshake;  // TCP connect to Socket.IO CONNECT (connect: and join)
  std::vector<std::string> error_log;
  std::uint32_t mask();
  std::string scratch;
  std::uint64_t full_checks = 0;

  void settled(connection& c);
  void failed(connection& c, const std::string& why, bool was_handshaking);
  void publisher_got(std::uint64_t seq);

  asio::io_context& io() { return ioc_; }

 private:
  void pump();
  void sweep();

  asio::io_context ioc_{1};
  const std::atomic<int>& phase_;
  unsigned index_;
  std::vector<std::unique_ptr<connection>> conns_;
  std::size_t next_ = 0;
  std::size_t handshaking_ = 0;
  std::size_t max_handshakes_;
  asio::steady_timer sweep_timer_;
  std::uint64_t rng_;
  connection* publisher_ = nullptr;
  std::uint64_t pub_next_seq_ = 0;     // the next broadcast's number
  std::uint64_t pub_oldest_ = 0;       // the oldest one not yet back
};

}  // namespace sio_bench
