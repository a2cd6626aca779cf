#include "stop_signals.hpp"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <stdexcept>

namespace sio::detail {
namespace {

// The pipe of the one stop_signals alive, or -1.
std::atomic<int> signal_pipe{-1};

extern "C" void on_stop_signal(int signal) {
  int saved = errno;
  int fd = signal_pipe.load();
  if (fd >= 0) {
    auto byte = static_cast<unsigned char>(signal);
    [[maybe_unused]] auto n = ::write(fd, &byte, 1);
  }
  errno = saved;
}

}  // namespace

stop_signals::stop_signals(int pipe_write_end) {
  int expected = -1;
  if (!signal_pipe.compare_exchange_strong(expected, pipe_write_end))
    throw std::logic_error("sio: another running server already stops on SIGINT and SIGTERM");
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, &previous_int_);
  sigaction(SIGTERM, &action, &previous_term_);
}

stop_signals::~stop_signals() {
  sigaction(SIGINT, &previous_int_, nullptr);
  sigaction(SIGTERM, &previous_term_, nullptr);
  signal_pipe.store(-1);
}

}  // namespace sio::detail
