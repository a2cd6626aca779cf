#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "sio/actors/request_info.hpp"
#include "sio/gateway/gateway_options.hpp"

namespace sio::detail {

class pending_answer;

/// The gateway's handshakes that wait for allow_request_async. The hook may
/// keep a callback past the gateway's stop, or past the gateway itself:
/// once closed, an answer does nothing, and close() lets go of the waiting
/// connections while their I/O contexts still exist.
class handshake_answers {
 public:
  /// From now on every answer is dropped; the connections still waiting
  /// are released (and close). Called by the gateway's stop.
  void close();

 private:
  friend class pending_answer;
  friend void ask_allow_request(const std::shared_ptr<handshake_answers>&,
                                const gateway_options&, const request_info&,
                                boost::asio::any_io_executor,
                                std::function<void(bool, std::string)>);
  std::mutex mutex_;
  bool closed_ = false;
  std::vector<std::weak_ptr<pending_answer>> waiting_;
  std::size_t prune_at_ = 64;  // answered entries are swept when it grows past this
};

/// Asks gateway_options::allow_request_async about a handshake. `resume`
/// runs once on `ex` (the connection's I/O thread) with the answer, whichever
/// thread gave it; a callback dropped unanswered counts as a refusal, and
/// only its first call counts. An empty message becomes "Forbidden". After
/// `answers` closed, `resume` never runs.
void ask_allow_request(const std::shared_ptr<handshake_answers>& answers,
                       const gateway_options& options, const request_info& info,
                       boost::asio::any_io_executor ex,
                       std::function<void(bool allowed, std::string message)> resume);

}  // namespace sio::detail
