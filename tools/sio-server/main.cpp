// sio-server: the standalone Socket.IO server.
#include <csignal>
#include <cstdio>
#include <string>
#include <system_error>

#include <CLI/CLI.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/send.hpp>

#include "apps.hpp"
#include "server_options.hpp"
#include "sio/actors/session_registry.hpp"
#include "sio/gateway/gateway.hpp"

namespace {

caf::actor_system_config scheduler_config(unsigned threads) {
  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", static_cast<std::size_t>(threads));
  // CAF's work-stealing workers spin while idle by default; on a machine this
  // size that doubles the CPU cost of a delivery (see the design notes).
  cfg.set("work-stealing.aggressive-poll-attempts", std::size_t{0});
  cfg.set("work-stealing.moderate-poll-attempts", std::size_t{0});
  return cfg;
}

}  // namespace

int main(int argc, char** argv) {
  sio::server_options options;
  CLI::App cli{"sio-server: a Socket.IO v5 / Engine.IO v4 server on CAF actors"};
  cli.set_version_flag("--version", std::string("sio-server ") + SIO_VERSION);
  sio::add_server_flags(cli, options);
  CLI11_PARSE(cli, argc, argv);

  auto apps = sio::examples::builtin_apps();
  const sio::examples::app* app = nullptr;
  for (const auto& a : apps)
    if (a.name == options.app) app = &a;
  if (!app) {
    std::fprintf(stderr, "sio-server: --app: unknown app '%s'; known:", options.app.c_str());
    for (const auto& a : apps) std::fprintf(stderr, " %s", a.name.c_str());
    std::fprintf(stderr, "\n");
    return 2;
  }

  // Every thread started from here on inherits this mask, so SIGINT and
  // SIGTERM reach only the sigwait below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto cfg = scheduler_config(options.actor_threads);
  caf::actor_system system{cfg};
  // A Socket.IO app configures namespaces on a server; an Engine.IO-only app
  // brings its own session handler.
  std::unique_ptr<sio::server> io;
  sio::handler_factory handlers = app->engine_handler;
  if (!handlers) {
    io = std::make_unique<sio::server>(system, sio::to_socketio_options(options));
    app->configure(*io);
    handlers = io->session_handlers();
  }
  auto registry = sio::spawn_session_registry(system, sio::to_engine_options(options), handlers);
  sio::gateway gateway{system, registry, sio::to_gateway_options(options)};
  try {
    gateway.start(options.gateway_threads);
  } catch (const std::system_error& e) {
    std::fprintf(stderr, "sio-server: cannot listen on %s:%u: %s\n", options.bind.c_str(),
                 static_cast<unsigned>(options.port), e.what());
    caf::anon_send_exit(registry, caf::exit_reason::user_shutdown);
    return 1;
  }
  std::printf("sio-server %s: app %s listening on http://%s:%u%s\n", SIO_VERSION,
              app->name.c_str(), options.bind.c_str(), static_cast<unsigned>(gateway.port()),
              options.path.c_str());
  std::fflush(stdout);

  int signal = 0;
  sigwait(&stop_signals, &signal);
  gateway.stop();
  caf::anon_send_exit(registry, caf::exit_reason::user_shutdown);
  io.reset();
  return 0;
}
