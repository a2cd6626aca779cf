#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

namespace sio::rpc {

/// Calls per second per caller, as a generic cell rate algorithm: each slot
/// keeps the time its next call is due, moved on by one interval per call;
/// a call that comes more than `burst - 1` intervals before that is refused. Lock-free, so any
/// gRPC thread may ask.
class rate_limiter {
 public:
  /// `per_second` 0: every call passes.
  rate_limiter(double per_second, std::uint32_t burst, std::size_t slots);

  /// Whether slot `slot` may make a call now; counts it if so.
  bool admit(std::size_t slot, std::chrono::steady_clock::time_point now =
                                   std::chrono::steady_clock::now()) noexcept;

 private:
  std::int64_t interval_ns_ = 0;
  std::int64_t tolerance_ns_ = 0;
  std::size_t slots_ = 0;
  std::unique_ptr<std::atomic<std::int64_t>[]> due_;
};

}  // namespace sio::rpc
