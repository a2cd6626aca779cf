#pragma once

#include <csignal>

namespace sio::detail {

/// While it lives, SIGINT and SIGTERM write their number as one byte to a
/// pipe (all a signal handler may safely do), whichever thread takes them.
/// The previous handlers come back when it is destroyed.
class stop_signals {
 public:
  explicit stop_signals(int pipe_write_end);
  ~stop_signals();
  stop_signals(const stop_signals&) = delete;
  stop_signals& operator=(const stop_signals&) = delete;

 private:
  struct sigaction previous_int_ {};
  struct sigaction previous_term_ {};
};

}  // namespace sio::detail
