#pragma once

// Server streams on gRPC's callback API, written by an actor: the reactor
// turns gRPC's callbacks into messages to the actor, and the actor writes
// one message at a time (gRPC allows one write in flight).

#include <deque>

#include <caf/actor.hpp>
#include <caf/atom.hpp>
#include <caf/send.hpp>
#include <grpcpp/support/server_callback.h>

namespace sio::rpc {

namespace atoms {
/// reactor -> actor: (written, ok) once a write is done.
using written = caf::atom_constant<caf::atom("written")>;
/// reactor -> actor: the caller went away or the deadline passed.
using cancelled = caf::atom_constant<caf::atom("cancelled")>;
/// -> actor: end the call with UNAVAILABLE / SHUTTING_DOWN.
using shut_down = caf::atom_constant<caf::atom("shutdown")>;
/// -> actor: the reactor knows the actor now; the stream may begin.
using begin = caf::atom_constant<caf::atom("begin")>;
/// A watcher's heartbeat timer.
using beat = caf::atom_constant<caf::atom("beat")>;
/// To the call registry: (track, id, end), (untrack, id), (shut_down) -> true.
using track = caf::atom_constant<caf::atom("track")>;
using untrack = caf::atom_constant<caf::atom("untrack")>;
}  // namespace atoms

/// The reactor of one server stream. It lives until gRPC calls OnDone,
/// which comes after the actor called Finish (the only way a stream ends).
template <class Msg>
class stream_reactor final : public grpc::ServerWriteReactor<Msg> {
 public:
  /// Set before the reactor is handed to gRPC.
  caf::actor writer;

  void OnWriteDone(bool ok) override { caf::anon_send(writer, atoms::written::value, ok); }
  void OnCancel() override { caf::anon_send(writer, atoms::cancelled::value); }
  void OnDone() override { delete this; }
};

/// The writing side of a stream, kept in its actor's state.
template <class Msg>
class stream_out {
 public:
  explicit stream_out(grpc::ServerWriteReactor<Msg>* reactor = nullptr) : reactor_(reactor) {}

  /// Whether Finish was not asked for yet.
  bool open() const noexcept { return reactor_ != nullptr && !finishing_; }
  /// Messages not handed to gRPC yet.
  std::size_t queued() const noexcept { return queue_.size(); }
  bool idle() const noexcept { return queue_.empty() && !writing_; }

  void push(Msg m) {
    if (!open()) return;
    queue_.push_back(std::move(m));
    pump();
  }
  /// After `written`: the next message, or the deferred Finish.
  void on_written(bool ok) {
    writing_ = false;
    if (!ok) queue_.clear();  // the caller is gone: nothing more reaches it
    pump();
  }
  /// Ends the stream once the queued messages are written.
  void finish(grpc::Status status) {
    if (!open()) return;
    finishing_ = true;
    status_ = std::move(status);
    pump();
  }
  /// Ends it now, dropping what is queued (the write in flight completes first).
  void abort(grpc::Status status) {
    queue_.clear();
    finish(std::move(status));
  }
  /// Whether Finish was called: the reactor may be gone from here on.
  bool finished() const noexcept { return reactor_ == nullptr; }

 private:
  void pump() {
    if (!reactor_ || writing_) return;
    if (!queue_.empty()) {
      in_flight_ = std::move(queue_.front());
      queue_.pop_front();
      writing_ = true;
      reactor_->StartWrite(&in_flight_);
      return;
    }
    if (finishing_) {
      auto* r = reactor_;
      reactor_ = nullptr;
      r->Finish(status_);
    }
  }

  grpc::ServerWriteReactor<Msg>* reactor_;
  std::deque<Msg> queue_;
  Msg in_flight_;
  bool writing_ = false;
  bool finishing_ = false;
  grpc::Status status_;
};

}  // namespace sio::rpc
