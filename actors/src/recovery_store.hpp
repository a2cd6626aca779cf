#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <caf/actor_clock.hpp>
#include <caf/allowed_unsafe_message_type.hpp>

#include "sio/actors/broadcast.hpp"
#include "sio/actors/socketio_types.hpp"

namespace sio::detail {

/// The offset stamped on the next event a client may have to get again. One
/// counter for the process, so a socket's own emits (stamped by its
/// connection) and broadcasts (stamped by its namespace) never share one.
std::uint64_t next_offset();
/// The offset next_offset() gives next: every offset below it was issued.
std::uint64_t upcoming_offset();

/// What a socket that went away uncleanly leaves behind.
struct persisted_session {
  std::string sid;
  std::string pid;
  std::vector<std::string> rooms;  // its own id included
  json data;
  /// upcoming_offset() when the socket connected: its events start there.
  std::uint64_t first_offset = 0;
};

/// A session handed to a recovering socket before its middlewares run.
struct claimed_session {
  std::string sid;
  std::string pid;
  std::vector<std::string> rooms;
  json data;
  std::uint64_t first_offset = 0;
};
using claimed_ptr = std::shared_ptr<const claimed_session>;

/// The recovery state of one namespace (socket.io-adapter's
/// SessionAwareAdapter), owned by the namespace actor: the events that may
/// have to be sent again, and the sessions that wait for their client.
///
/// The log keeps what was sent during the last `undetected_loss_window` (a
/// client that died silently lost that much before anyone noticed), and
/// further back only as far as the oldest waiting session needs; never more
/// than `max_buffered_bytes`. Entries share the broadcast's frames, so an
/// entry costs its bookkeeping and the stamped text, not a copy per socket.
///
/// The log is sorted by offset, and a client's offset need not be in it: a
/// client that answered pings until `undetected_loss_window` before its
/// session ended got everything sent to it before then, so what it missed
/// is all still here, unless the byte bound dropped some of it. A client
/// that got no event at all recovers the same way, from the offset its
/// socket started at (the reference refuses both).
class recovery_store {
 public:
  using time_point = caf::actor_clock::time_point;

  explicit recovery_store(recovery_options options) : options_(options) {}

  /// A broadcast about to be delivered. Non-volatile events without an ack
  /// get an offset as their last argument and are kept; the request to
  /// deliver is returned (the same one when nothing was stamped).
  std::shared_ptr<const broadcast_request>
  stamp(const std::shared_ptr<const broadcast_request>& req, time_point now);

  /// A socket's own emit, already stamped with `offset` by its connection.
  void record_direct(const std::string& sid, std::uint64_t offset, frame_batch frames,
                     time_point now);

  /// Keeps the session of a socket that went away.
  void persist(persisted_session session, time_point now);

  /// Takes the session `pid` for a socket that recovers from `offset` (a
  /// string the client got last; absent when it got no event). Nothing when
  /// the session is unknown, expired or taken, or when the log no longer
  /// holds what the client missed: the socket then starts fresh.
  claimed_ptr claim(const std::string& pid, const json& offset, time_point now);

  /// Ends a claim: the frames the client missed (the events after its
  /// offset that reached any of its rooms), and its rooms. False when the
  /// claim is gone (it expired meanwhile).
  bool replay(const std::string& pid, std::vector<frame>& missed, std::vector<std::string>& rooms);

  /// Drops a claim whose socket was refused by a middleware.
  void forget(const std::string& pid);

  /// Drops session `pid` if its time is up, and whatever the log no longer needs.
  void expire(const std::string& pid, time_point now);

  const recovery_options& options() const noexcept { return options_; }
  std::size_t waiting_sessions() const noexcept { return waiting_.size() + claimed_.size(); }
  std::size_t entries() const noexcept { return log_.size(); }
  /// What the kept events and the waiting sessions hold, about.
  std::size_t bytes() const noexcept { return bytes_ + session_bytes_; }

 private:
  struct entry {
    std::uint64_t offset;
    time_point time;
    frame_batch frames;
    std::vector<std::string> rooms;
    std::vector<std::string> except;
    std::size_t bytes;
  };
  struct session {
    persisted_session state;
    std::uint64_t from_offset;  // claimed: where its missed events start
    time_point disconnected_at;
    std::size_t bytes;  // about what it holds
  };
  using session_map = std::unordered_map<std::string, session>;

  void append(entry e, time_point now);
  void erase(session_map& sessions, session_map::iterator it);
  // Drops the session that waited longest; false when none waits.
  bool drop_oldest_session();
  void prune(time_point now);
  bool expired(const session& s, time_point now) const {
    return s.disconnected_at + options_.max_disconnection_duration <= now;
  }
  // The oldest waiting or claimed session's disconnection, cleaning the
  // order of sessions that are gone.
  const time_point* oldest_session();

  recovery_options options_;
  std::deque<entry> log_;  // by offset
  std::size_t bytes_ = 0;
  // The highest offset the byte bound dropped: a client whose offset is
  // below it may have missed what is gone.
  std::uint64_t dropped_for_bytes_ = 0;
  session_map waiting_;  // pid -> session
  session_map claimed_;
  std::size_t session_bytes_ = 0;
  // (disconnected_at, pid) in the order sessions were persisted; entries of
  // sessions that are gone are skipped when they reach the front.
  std::deque<std::pair<time_point, std::string>> order_;
};

}  // namespace sio::detail

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sio::detail::claimed_ptr)
