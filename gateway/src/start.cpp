#include "sio/start.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <system_error>
#include <optional>
#include <stdexcept>
#include <thread>

#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "sio/actors/atoms.hpp"
#include "sio/actors/session_registry.hpp"
#include "sio/gateway/gateway.hpp"
#include "stop_signals.hpp"

namespace sio {

struct running_server::impl {
  impl(caf::actor_system& sys, const server_options& o) : system(sys), options(o) {
    if (::pipe2(wake, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category());
    ::fcntl(wake[1], F_SETFL, O_NONBLOCK);
  }

  ~impl() {
    if (signals) signals.reset();
    ::close(wake[0]);
    ::close(wake[1]);
  }

  // Graceful shutdown: no new connections; every session ends with "server
  // shutting down" after what is queued for it has left; then the I/O
  // threads stop. Sessions that have not ended by the deadline are cut off.
  bool shut_down() {
    gw->stop_accepting();
    bool in_time = true;
    {
      caf::scoped_actor self{system};
      self->request(registry, options.shutdown_timeout, atoms::shutdown::value)
          .receive([](bool) {}, [&](caf::error&) { in_time = false; });
    }
    // The close frames and last polling answers are queued on the I/O
    // threads; give them a moment to leave before the threads stop.
    gw->drain(std::chrono::milliseconds(200));
    gw->stop();
    caf::anon_send_exit(registry, caf::exit_reason::user_shutdown);
    return in_time;
  }

  // Readiness flips at once; during the pre-stop delay clients are still
  // served while load balancers take the server out. hurry() ends it early.
  void pre_stop() {
    gw->begin_drain();
    std::unique_lock<std::mutex> guard{hurry_mutex};
    hurry_cv.wait_for(guard, options.pre_stop_delay, [this] { return hurried; });
  }

  void hurry() {
    std::lock_guard<std::mutex> guard{hurry_mutex};
    hurried = true;
    hurry_cv.notify_all();
  }

  // The next byte on the wake pipe: a signal's number, or 0 from stop().
  int next_wake() {
    unsigned char byte = 0;
    while (::read(wake[0], &byte, 1) < 0 && errno == EINTR) {
    }
    return byte;
  }

  bool stop() {
    std::lock_guard<std::mutex> guard{stop_mutex};
    if (!stopped) {
      pre_stop();
      drained = shut_down();
      stopped = true;
      char byte = 0;  // wakes wait()
      [[maybe_unused]] auto n = ::write(wake[1], &byte, 1);
    }
    return drained;
  }

  caf::actor_system& system;
  server_options options;
  std::unique_ptr<server> io;  // none for an Engine.IO-only server
  caf::actor registry;
  std::unique_ptr<gateway> gw;
  // wait() sleeps on wake[0]; stop() and the signal handler write a byte:
  // 0 for stop(), the signal's number for a signal.
  int wake[2] = {-1, -1};
  std::unique_ptr<detail::stop_signals> signals;
  std::function<void(int)> on_signal;
  std::mutex stop_mutex;  // one stop at a time; guards no application state
  std::mutex hurry_mutex;
  std::condition_variable hurry_cv;
  bool hurried = false;
  bool stopped = false;
  bool drained = true;
};

running_server::running_server(std::unique_ptr<impl> i) : impl_(std::move(i)) {}
running_server::running_server(running_server&&) noexcept = default;
running_server& running_server::operator=(running_server&&) noexcept = default;

running_server::~running_server() {
  if (impl_) impl_->stop();
}

std::uint16_t running_server::port() const { return impl_->gw->port(); }

std::uint16_t running_server::metrics_port() const { return impl_->gw->metrics_port(); }

std::size_t running_server::open_sessions() const {
  std::size_t sessions = 0;
  caf::scoped_actor self{impl_->system};
  self->request(impl_->registry, std::chrono::seconds(1), atoms::count::value)
      .receive([&](std::size_t n) { sessions = n; }, [](caf::error&) {});
  return sessions;
}

server& running_server::io() {
  if (!impl_->io)
    throw std::logic_error("sio::running_server::io(): an Engine.IO server has no Socket.IO server");
  return *impl_->io;
}

bool running_server::stop() { return impl_->stop(); }

int running_server::wait() {
  auto& i = *impl_;
  {
    std::lock_guard<std::mutex> guard{i.stop_mutex};
    if (i.stopped) return 0;
  }
  int signal = i.next_wake();
  if (signal == 0) {  // stop() on another thread
    i.stop();
    return 0;
  }
  if (i.on_signal) i.on_signal(signal);
  // Signals during the stop: on_signal hears them, and the pre-stop delay
  // ends. stop() writes the 0 that ends this watcher.
  std::thread watcher([&i] {
    for (int later = i.next_wake(); later != 0; later = i.next_wake()) {
      if (i.on_signal) i.on_signal(later);
      i.hurry();
    }
  });
  i.stop();
  watcher.join();
  return signal;
}

void running_server::stop_on_signals(std::function<void(int)> on_signal) {
  impl_->on_signal = std::move(on_signal);
  if (!impl_->signals) impl_->signals = std::make_unique<detail::stop_signals>(impl_->wake[1]);
}

namespace {

std::unique_ptr<running_server::impl> listen(std::unique_ptr<running_server::impl> i,
                                             handler_factory handlers) {
  // One budget over every queue: the polling ones live in the actors.
  i->options.engine.max_total_buffered = i->options.gateway.max_total_buffered;
  i->registry = spawn_session_registry(i->system, i->options.engine, std::move(handlers));
  i->gw = std::make_unique<gateway>(i->system, i->registry, i->options.gateway, i->options.engine);
  auto threads = i->options.io_threads > 0 ? i->options.io_threads
                                           : std::max(1u, std::thread::hardware_concurrency());
  try {
    i->gw->start(threads);
  } catch (...) {
    i->gw.reset();
    caf::anon_send_exit(i->registry, caf::exit_reason::user_shutdown);
    throw;
  }
  return i;
}

void check(const server_options& options) {
  if (auto problem = check_options(options); !problem.empty())
    throw std::invalid_argument("sio::server_options: " + problem);
}

}  // namespace

running_server start(caf::actor_system& sys, const server_options& options,
                     const std::function<void(server&)>& configure) {
  check(options);
  auto i = std::make_unique<running_server::impl>(sys, options);
  i->io = std::make_unique<server>(sys, options.socketio, options.engine.max_payload);
  if (configure) configure(*i->io);
  auto handlers = i->io->session_handlers();
  return running_server{listen(std::move(i), std::move(handlers))};
}

running_server start_engine_io(caf::actor_system& sys, const server_options& options,
                               handler_factory handlers) {
  check(options);
  if (!handlers) throw std::invalid_argument("sio::start_engine_io: no session handler factory");
  auto i = std::make_unique<running_server::impl>(sys, options);
  return running_server{listen(std::move(i), std::move(handlers))};
}

}  // namespace sio
