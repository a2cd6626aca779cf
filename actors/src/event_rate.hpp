#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>

namespace sio::detail {

/// The event rate of one connection, as a token bucket (in its GCRA form:
/// one time point instead of a count and a time): `burst` events at once,
/// then `rate` per second. Pure: the caller says what time it is.
template <class TimePoint>
class event_rate {
 public:
  /// Whether one more event at `now` fits; if it does, it is counted.
  bool admit(TimePoint now, double rate, std::size_t burst) noexcept {
    auto interval = std::chrono::duration_cast<typename TimePoint::duration>(
        std::chrono::duration<double>(1.0 / rate));
    auto tolerance = interval * static_cast<long>(burst > 0 ? burst - 1 : 0);
    if (next_ > now + tolerance) return false;
    next_ = std::max(next_, now) + interval;
    return true;
  }

 private:
  // When the bucket is full again: each event admitted moves it one
  // interval on.
  TimePoint next_{};
};

}  // namespace sio::detail
