#include "allow_request.hpp"

#include <atomic>
#include <memory>
#include <utility>

#include <boost/asio/post.hpp>

#include "sio/protocol/engine_io.hpp"

namespace sio::detail {
namespace {

// One handshake's pending answer, shared by the copies of its callback.
class pending_answer {
 public:
  pending_answer(boost::asio::any_io_executor ex, std::function<void(bool, std::string)> resume)
      : ex_(std::move(ex)), resume_(std::move(resume)) {}
  pending_answer(const pending_answer&) = delete;
  pending_answer& operator=(const pending_answer&) = delete;

  // The last copy of the callback went away unanswered: the hook forgot it.
  ~pending_answer() { give(false, {}); }

  void give(bool allowed, std::string message) {
    if (answered_.exchange(true)) return;
    if (message.empty()) message = std::string(engineio::message(engineio::http_error::forbidden));
    boost::asio::post(ex_, [resume = std::move(resume_), allowed, message = std::move(message)] {
      resume(allowed, message);
    });
  }

 private:
  boost::asio::any_io_executor ex_;
  std::function<void(bool, std::string)> resume_;
  std::atomic<bool> answered_{false};
};

}  // namespace

void ask_allow_request(const gateway_options& options, const request_info& info,
                       boost::asio::any_io_executor ex,
                       std::function<void(bool allowed, std::string message)> resume) {
  auto pending = std::make_shared<pending_answer>(std::move(ex), std::move(resume));
  options.allow_request_async(info, [pending](bool allowed, std::string message) {
    pending->give(allowed, std::move(message));
  });
}

}  // namespace sio::detail
