#pragma once

#include <atomic>

namespace sio::detail {

/// A lock of one byte, for sections of a few instructions between two
/// threads: every WebSocket session holds one, and a std::mutex is 40 bytes.
/// A thread that finds it taken waits in the kernel (C++20 atomic wait), as
/// it would on a mutex, rather than spinning.
class flag_lock {
 public:
  void lock() noexcept {
    while (flag_.test_and_set(std::memory_order_acquire))
      flag_.wait(true, std::memory_order_relaxed);
  }
  void unlock() noexcept {
    flag_.clear(std::memory_order_release);
    flag_.notify_one();
  }

 private:
  std::atomic_flag flag_;
};

}  // namespace sio::detail
