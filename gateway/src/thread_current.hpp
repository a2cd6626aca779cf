#pragma once

namespace sio::detail {

/// The object of type T that the calling thread works for: each I/O thread
/// sets its actor runner and its send queue for as long as it runs, and
/// code on that thread finds them without being handed them.
template <class T>
class thread_current {
 public:
  /// The calling thread's; null on any other thread.
  static T* current() noexcept { return slot(); }

  /// Makes `t` the calling thread's until the guard goes.
  class scope {
   public:
    explicit scope(T& t) noexcept { slot() = &t; }
    ~scope() { slot() = nullptr; }
    scope(const scope&) = delete;
    scope& operator=(const scope&) = delete;
  };

 private:
  static T*& slot() noexcept {
    thread_local T* object = nullptr;
    return object;
  }
};

}  // namespace sio::detail
