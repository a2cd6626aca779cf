#include "allow_request.hpp"

#include <algorithm>
#include <utility>

#include <boost/asio/post.hpp>

#include "sio/protocol/engine_io.hpp"

namespace sio::detail {

// One handshake's pending answer, shared by the copies of its callback.
class pending_answer {
 public:
  pending_answer(std::shared_ptr<handshake_answers> answers, boost::asio::any_io_executor ex,
                 std::function<void(bool, std::string)> resume)
      : answers_(std::move(answers)), ex_(std::move(ex)), resume_(std::move(resume)) {}
  pending_answer(const pending_answer&) = delete;
  pending_answer& operator=(const pending_answer&) = delete;

  // The last copy of the callback went away unanswered: the hook forgot it.
  ~pending_answer() { give(false, {}); }

  void give(bool allowed, std::string message) {
    // Under the lock, so that close() cannot come between the check and the
    // post: after it, the executor's io_context may be gone.
    std::lock_guard<std::mutex> lock(answers_->mutex_);
    if (answered_ || answers_->closed_) return;
    answered_ = true;
    if (message.empty()) message = std::string(engineio::message(engineio::http_error::forbidden));
    boost::asio::post(ex_, [resume = std::move(resume_), allowed, message = std::move(message)] {
      resume(allowed, message);
    });
  }

  // Called with answers_->mutex_ held, by close(), which destroys what it
  // returns (and so the connection it held) once the lock is released.
  std::function<void(bool, std::string)> abandon() {
    answered_ = true;
    return std::move(resume_);
  }

 private:
  std::shared_ptr<handshake_answers> answers_;
  boost::asio::any_io_executor ex_;
  std::function<void(bool, std::string)> resume_;
  bool answered_ = false;  // under answers_->mutex_
};

void handshake_answers::close() {
  // Declared before the lock, so destroyed after it is released: the last
  // reference to a pending answer locks again, and a connection's end may
  // take its time.
  std::vector<std::shared_ptr<pending_answer>> still;
  std::vector<std::function<void(bool, std::string)>> released;
  std::lock_guard<std::mutex> lock(mutex_);
  closed_ = true;
  for (auto& w : waiting_)
    if (auto p = w.lock()) {
      released.push_back(p->abandon());
      still.push_back(std::move(p));
    }
  waiting_.clear();
}

void ask_allow_request(const std::shared_ptr<handshake_answers>& answers,
                       const gateway_options& options, const request_info& info,
                       boost::asio::any_io_executor ex,
                       std::function<void(bool allowed, std::string message)> resume) {
  auto pending = std::make_shared<pending_answer>(answers, std::move(ex), std::move(resume));
  {
    std::lock_guard<std::mutex> lock(answers->mutex_);
    if (answers->closed_) return;  // pending's end gives nothing: closed
    auto& waiting = answers->waiting_;
    if (waiting.size() >= answers->prune_at_) {
      std::erase_if(waiting, [](const auto& w) { return w.expired(); });
      answers->prune_at_ = std::max<std::size_t>(64, 2 * waiting.size());
    }
    waiting.push_back(pending);
  }
  options.allow_request_async(info, [pending](bool allowed, std::string message) {
    pending->give(allowed, std::move(message));
  });
}

}  // namespace sio::detail
