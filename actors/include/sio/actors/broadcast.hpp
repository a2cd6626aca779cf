#pragma once

#include <string>
#include <utility>
#include <vector>

#include <caf/actor.hpp>

#include "sio/actors/socketio_types.hpp"

namespace sio {

/// What a broadcast asks the namespace actor for.
struct broadcast_request {
  std::vector<std::string> rooms;   // none: every socket of the namespace
  std::vector<std::string> except;  // rooms (socket ids count as rooms) left out
  frame_batch frames;
  bool is_volatile = false;
};

/// `io.to(room).except(other).emit(...)`: a description of recipients, then
/// one emit. The packet is encoded once, here, and the namespace and room
/// actors pass the same bytes to every recipient. Usable from any thread or
/// actor: it only sends a message.
class broadcast {
 public:
  broadcast(caf::actor nsp, std::string nsp_name)
      : nsp_(std::move(nsp)), nsp_name_(std::move(nsp_name)) {}

  broadcast& to(std::string room) & {
    rooms_.push_back(std::move(room));
    return *this;
  }
  broadcast&& to(std::string room) && { return std::move(to(std::move(room))); }
  broadcast& in(std::string room) & { return to(std::move(room)); }
  broadcast&& in(std::string room) && { return std::move(to(std::move(room))); }
  broadcast& except(std::string room) & {
    except_.push_back(std::move(room));
    return *this;
  }
  broadcast&& except(std::string room) && { return std::move(except(std::move(room))); }
  /// Dropped for clients that cannot take it right now.
  broadcast& volatile_() & {
    volatile_flag_ = true;
    return *this;
  }
  broadcast&& volatile_() && { return std::move(volatile_()); }
  /// Accepted for API parity; this server sends uncompressed frames.
  broadcast& compress(bool) & { return *this; }
  broadcast&& compress(bool) && { return std::move(*this); }
  /// This node only (there is one node until a cluster adapter exists).
  broadcast& local() & { return *this; }
  broadcast&& local() && { return std::move(*this); }

  /// Emits `event` with `arguments` to every selected socket.
  void emit(std::string_view event, args arguments = {}) const;

  template <class... Ts>
  void emit_values(std::string_view event, Ts&&... xs) const {
    emit(event, args{json(std::forward<Ts>(xs))...});
  }

 private:
  caf::actor nsp_;
  std::string nsp_name_;
  std::vector<std::string> rooms_;
  std::vector<std::string> except_;
  bool volatile_flag_ = false;
};

/// Encodes EVENT `event` with `arguments` for namespace `nsp` into the frames
/// a client receives ("4" + packet text, then the attachments).
frame_batch encode_event(std::string_view nsp, std::string_view event, args arguments);

}  // namespace sio
