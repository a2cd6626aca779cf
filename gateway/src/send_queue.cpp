#include "send_queue.hpp"

#include <iterator>

#include <boost/asio/post.hpp>

namespace sio::detail {
namespace {

template <class T>
void clear_keeping_some(std::vector<T>& v, std::size_t keep) {
  v.clear();
  if (v.capacity() > keep) std::vector<T>().swap(v);
}

}  // namespace

send_queue::send_queue(boost::asio::io_context& io) : io_(io) {}

void send_queue::push(std::shared_ptr<sink> to, std::span<frame> frames) {
  if (frames.empty()) return;
  bool post = false;
  {
    std::lock_guard lock(mutex_);
    batches_.push_back({std::move(to), frames_.size(), frames.size()});
    frames_.insert(frames_.end(), std::make_move_iterator(frames.begin()),
                   std::make_move_iterator(frames.end()));
    post = !drain_posted_;
    drain_posted_ = true;
  }
  if (post) boost::asio::post(io_, [this] { drain(); });
}

void send_queue::drain() {
  {
    std::lock_guard lock(mutex_);
    taken_batches_.swap(batches_);
    taken_frames_.swap(frames_);
    drain_posted_ = false;
  }
  // A sink writes right after its last batch, so that the sinks write one
  // after another and each can borrow the thread's spare chunk list (see
  // ws_session) rather than hold one of its own.
  for (std::size_t i = 0; i < taken_batches_.size(); ++i) taken_batches_[i].to->last_batch_ = i;
  for (std::size_t i = 0; i < taken_batches_.size(); ++i) {
    auto& b = taken_batches_[i];
    auto& to = *b.to;
    if (to.take_frames(std::span(taken_frames_).subspan(b.first, b.count))) to.write_due_ = true;
    if (to.last_batch_ == i && to.write_due_) {
      to.write_due_ = false;
      to.write_taken();
    }
  }
  // The batches kept every sink alive until here.
  clear_keeping_some(taken_batches_, kept_capacity);
  clear_keeping_some(taken_frames_, kept_capacity);
}

}  // namespace sio::detail
