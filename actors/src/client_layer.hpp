#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "event_rate.hpp"
#include "recovery_store.hpp"
#include "server_state.hpp"
#include "sio/actors/session_handler.hpp"
#include "sio/actors/socket.hpp"
#include "sio/protocol/socket_io.hpp"

namespace sio::detail {

/// The Socket.IO layer of one Engine.IO session (the reference's
/// lib/client.ts): decodes packets, connects sockets to namespaces through
/// their middlewares, routes packets to sockets, and delivers broadcasts.
/// Runs inside the connection actor.
class client_layer final : public session_handler {
 public:
  explicit client_layer(std::shared_ptr<const server_state> server);
  /// Detaches the sockets that outlive it in a socket_ref.
  ~client_layer() override;

  void on_open(engine_session& s) override;
  void on_message(engine_session& s, std::string data, bool binary) override;
  void on_close(engine_session& s, close_reason reason) override;
  void on_ping(engine_session& s) override;
  const caf::message_handler* shared_behavior() const override;
  bool await_handout() override;

  // -- used by socket ---------------------------------------------------------

  /// Encodes and queues one packet for this client.
  void send_packet(const socketio::packet& p);
  /// The ACK of event `id` on `target`.
  void send_ack(const socket& target, std::uint64_t id, args reply);
  /// Frames of this connection's own (not a broadcast's): they wait while
  /// a broadcast it started is on its way (see await_handout).
  void send_frames(std::vector<frame> frames);
  /// Whether a broadcast reaches socket `s` (not a volatile packet that
  /// cannot leave now); tells its outgoing listeners.
  bool accepts_delivery(socket& s, const event_ptr& event);
  bool unstamped_only() const;
  void start_ack_timer(socket& s, std::uint64_t id, std::chrono::milliseconds timeout);
  /// A socket leaves its namespace (client or server namespace disconnect).
  void close_socket(socket& s, const std::string& reason);
  /// Ends the whole connection (`socket.disconnect(true)`).
  void disconnect_all();
  const socketio_options& options() const noexcept { return server_->options; }
  /// Bytes queued for the client and not yet sent.
  std::size_t buffered_amount() const noexcept {
    return session_ ? session_->buffered_amount() : 0;
  }
  /// A plain WebSocket client: no Engine.IO or Socket.IO framing.
  bool plain() const noexcept { return session_ && session_->request().plain; }
  /// Whether the connection takes a volatile packet now (see accepts_delivery).
  bool writable() const noexcept { return session_ && session_->writable(); }
  caf::event_based_actor* self() noexcept { return session_->self(); }
  void pause_reading() {
    if (session_) session_->pause_reading();
  }
  void resume_reading() {
    if (session_) session_->resume_reading();
  }
  std::string_view transport_name() const noexcept {
    return session_ ? session_->transport_name() : std::string_view{};
  }
  /// `socket.handshake` from the session's request.
  handshake make_handshake(const json& auth) const;

 private:
  // The client layer of the connection whose message is being handled.
  static client_layer& running() noexcept;
  void arm_connect_timeout_if_due(std::chrono::milliseconds next_ping_within);
  void on_connect_timeout();
  /// What the namespace sends (broadcasts, commands, replays): written at
  /// once, ahead of this connection's own frames that wait for a handout.
  void deliver_frames(std::vector<frame> frames);
  void write(frame f);
  void hold(frame f);
  void on_handed_out();
  /// Writes what waited for handouts (the connection is about to close).
  void release_held();
  /// Whether the socket took the event (a volatile one may be dropped).
  bool on_deliver(std::uint64_t key, const frame_batch& frames, const event_ptr& event);
  void on_deliver_run(std::uint64_t key, const delivery_run& run);
  void on_deliver_ack(std::uint64_t key, const frame_batch& frames, std::uint64_t id,
                      const caf::actor& collector);
  void on_deliver_acks(std::uint64_t key, const std::shared_ptr<const broadcast_request>& req,
                       const std::string& sid);
  void on_fetch(std::uint64_t key, const caf::actor& collector);
  void on_socket_command(std::uint64_t key, const socket_command& cmd);
  void on_ack_timeout(std::uint64_t key, std::uint64_t id);
  void on_packet(socketio::packet p);
  void connect(const std::string& nsp, json auth);
  void admit(namespace_entry entry, const std::string& nsp, json auth);
  void start_socket(namespace_entry entry, const std::string& nsp, json auth, claimed_ptr claimed);
  void forget_claim(const caf::actor& nsp_actor, const claimed_session& claimed);
  void on_replay(std::uint64_t key, std::vector<frame> missed);
  /// Reports a socket's connect to the observation hook, when someone watches.
  void observe_connect(const socket& s);
  void announce(std::shared_ptr<socket> s, const std::shared_ptr<const namespace_config>& config,
                std::vector<frame> before = {});
  void run_middlewares(std::shared_ptr<socket> s, std::shared_ptr<const namespace_config> config,
                       std::size_t index);
  void finish_connect(std::shared_ptr<socket> s, std::shared_ptr<const namespace_config> config);
  void on_event(socket& s, socketio::packet& p);
  void dispatch_event(socket& s, const std::string& name, args arguments, const ack_sender& ack);
  void on_ack(socket& s, socketio::packet& p);
  static void run_handlers(socket& s, const std::string& name, args& arguments,
                           const ack_sender& ack);
  void fail(const char* why);
  std::shared_ptr<socket>* by_key(std::uint64_t key);
  std::shared_ptr<socket>* by_nsp(const std::string& nsp);
  std::shared_ptr<socket>* connecting(const std::string& nsp);
  void stop_connecting(const std::string& nsp);
  /// Forgets the sockets still in their middlewares (the connection ends).
  void drop_connecting();

  std::shared_ptr<const server_state> server_;
  engine_session* session_ = nullptr;
  socketio::decoder decoder_;
  // A connection has a socket per namespace it joined, a few at most: flat
  // lists cost less memory than maps and are as quick to search.
  std::vector<std::shared_ptr<socket>> sockets_;  // connected
  // Sockets in their namespace's middlewares (null while the namespace is
  // being looked up).
  std::vector<std::pair<std::string, std::shared_ptr<socket>>> connecting_;
  // Recovered sockets whose missed events the namespace is about to send:
  // their CONNECT and connection handlers follow those.
  std::vector<std::pair<std::uint64_t, std::shared_ptr<const namespace_config>>> awaiting_replay_;
  caf::actor_clock::time_point connect_deadline_;
  /// When the binary packet the decoder holds began.
  caf::actor_clock::time_point binary_since_;
  event_rate<caf::actor_clock::time_point> event_rate_;
  // This connection's own frames written after it started broadcasts that
  // have not been handed out yet, in order; null while none waits.
  std::unique_ptr<std::vector<frame>> held_;
  std::uint32_t handouts_due_ = 0;
  bool closed_ = false;
  bool ever_connected_ = false;
  bool connect_timer_armed_ = false;
};

}  // namespace sio::detail
