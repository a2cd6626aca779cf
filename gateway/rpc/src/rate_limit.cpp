#include "rate_limit.hpp"

#include <algorithm>

namespace sio::rpc {

rate_limiter::rate_limiter(double per_second, std::uint32_t burst, std::size_t slots) {
  if (per_second <= 0) return;
  interval_ns_ = static_cast<std::int64_t>(1e9 / per_second);
  tolerance_ns_ = interval_ns_ * (std::max<std::int64_t>(burst, 1) - 1);
  slots_ = slots;
  due_ = std::make_unique<std::atomic<std::int64_t>[]>(slots);
  for (std::size_t i = 0; i < slots; ++i) due_[i].store(0);
}

bool rate_limiter::admit(std::size_t slot, std::chrono::steady_clock::time_point now) noexcept {
  if (!due_ || slot >= slots_) return true;
  auto t = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
  auto& due = due_[slot];
  auto seen = due.load(std::memory_order_relaxed);
  for (;;) {
    auto at = std::max(seen, t);
    if (at - t > tolerance_ns_) return false;  // more than a burst ahead
    if (due.compare_exchange_weak(seen, at + interval_ns_, std::memory_order_relaxed)) return true;
  }
}

}  // namespace sio::rpc
