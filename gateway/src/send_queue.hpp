#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "sio/actors/links.hpp"
#include "thread_current.hpp"

namespace sio::detail {

/// The frames that actors hand to the WebSocket sessions of one I/O thread.
///
/// A send appends its frames here under one lock, and only the first send
/// after a drain posts to the I/O thread. The drain hands every frame to its
/// session, then has each session write once. So a broadcast to a thousand
/// sessions costs one post and one wake-up of the I/O thread instead of a
/// thousand, and once the lists have grown to the size of a burst, nothing
/// is allocated: a list per session would be allocated by the actor's thread
/// and freed by the I/O thread, and glibc's arenas make threads that do
/// that wait for each other.
///
/// current() is the queue of the calling I/O thread (see thread_current).
class send_queue : public thread_current<send_queue> {
 public:
  /// What a session does with its frames, on the I/O thread.
  class sink {
   public:
    virtual ~sink() = default;
    /// Takes the frames (moving them out) and answers whether there is
    /// anything to write now.
    virtual bool take_frames(std::span<frame> frames) = 0;
    /// Writes what take_frames queued; called once per drain.
    virtual void write_taken() = 0;

   private:
    friend class send_queue;
    // During a drain: the index of this sink's last batch, and whether a
    // batch so far left something to write.
    std::size_t last_batch_ = 0;
    bool write_due_ = false;
  };

  /// Batches longer than this are not kept for the next burst.
  static constexpr std::size_t kept_capacity = 4096;

  explicit send_queue(boost::asio::io_context& io);
  send_queue(const send_queue&) = delete;
  send_queue& operator=(const send_queue&) = delete;

  /// From any thread: queues `frames` (moving them out) for `to`.
  void push(std::shared_ptr<sink> to, std::span<frame> frames);

  /// On the I/O thread: hands everything queued so far to its sinks, in the
  /// order it was pushed, then has each of them write once. Also the posted
  /// handler, and safe to call when nothing is queued.
  void drain();

 private:
  struct batch {
    std::shared_ptr<sink> to;
    std::size_t first;
    std::size_t count;
  };

  boost::asio::io_context& io_;

  std::mutex mutex_;
  bool drain_posted_ = false;
  std::vector<batch> batches_;
  std::vector<frame> frames_;

  // The drain's, swapped with the two above: both pairs keep their capacity.
  std::vector<batch> taken_batches_;
  std::vector<frame> taken_frames_;
};

}  // namespace sio::detail
