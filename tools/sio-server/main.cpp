// sio-server: the standalone Socket.IO server.
#include <csignal>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>

#include <CLI/CLI.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "apps.hpp"
#include "command_line.hpp"
#include "log.hpp"
#include "grpc_api.hpp"
#include "proxy_app.hpp"
#include "server_options.hpp"
#include "sio/actors/atoms.hpp"
#include "sio/actors/session_registry.hpp"
#include "sio/gateway/gateway.hpp"

#ifndef SIO_SOURCE_DIR
#define SIO_SOURCE_DIR "."
#endif

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

// Graceful shutdown: no new connections; every session ends with "server
// shutting down" after what is queued for it has left; then the I/O threads
// stop. Sessions that have not ended by the deadline are cut off.
void shut_down(sio::gateway& gateway, const caf::actor& registry,
               std::chrono::milliseconds deadline) {
  gateway.stop_accepting();
  {
    caf::scoped_actor self{registry.home_system()};
    self->request(registry, deadline, sio::atoms::shutdown::value)
        .receive([](bool) {},
                 [](caf::error&) {
                   sio::server_log::write(sio::server_log::level::warn, "shutdown_deadline_passed");
                 });
  }
  // The close frames and last polling answers are queued on the I/O threads;
  // give them a moment to leave before the threads stop.
  gateway.drain(std::chrono::milliseconds(200));
  gateway.stop();
  caf::anon_send_exit(registry, caf::exit_reason::user_shutdown);
}

}  // namespace

int main(int argc, char** argv) {
  sio::server_options options;
  CLI::App cli{"sio-server: a Socket.IO v5 / Engine.IO v4 server on CAF actors"};
  cli.set_version_flag("--version", std::string("sio-server ") + SIO_VERSION);
  sio::add_server_flags(cli, options);
  auto apps = sio::examples::builtin_apps();
  std::string app_names;
  for (const auto& a : apps) app_names += (app_names.empty() ? "" : ", ") + a.name;
  cli.get_option("--app")->description("Built-in app to run: " + app_names);
  cli.set_config("--config", "", "TOML file of flags without their dashes (port = 3000)");
  cli.allow_config_extras(CLI::config_extras_mode::error);
  std::string log_level = "info";
  cli.add_option("--log-level", log_level, "error, warn, info or debug (logs go to stderr)")
      ->check(CLI::IsMember({"error", "warn", "info", "debug"}))
      ->capture_default_str();
  try {
    auto arguments = sio::with_environment(cli, argc, argv);
    cli.parse(arguments);
  } catch (const CLI::ParseError& e) {
    // --help and --version end here with 0; a bad flag or value is a usage
    // error: CLI11 names the option, and the exit code is 2.
    return cli.exit(e) == 0 ? 0 : 2;
  }

  sio::server_log::threshold() = log_level == "error"  ? sio::server_log::level::error
                                : log_level == "warn" ? sio::server_log::level::warn
                                : log_level == "debug" ? sio::server_log::level::debug
                                                       : sio::server_log::level::info;

  const sio::examples::app* app = nullptr;
  for (const auto& a : apps)
    if (a.name == options.app) app = &a;
  if (!app) {
    std::fprintf(stderr, "sio-server: --app: unknown app '%s'; known:", options.app.c_str());
    for (const auto& a : apps) std::fprintf(stderr, " %s", a.name.c_str());
    std::fprintf(stderr, "\n");
    return 2;
  }

  // The app's page and the client bundle, from the source tree this binary
  // was built from, unless the flags say otherwise.
  const std::string source_dir = SIO_SOURCE_DIR;
  if (options.static_dir.empty() && !app->web_dir.empty()) {
    options.static_dir = source_dir + "/examples/" + app->web_dir;
    if (!std::filesystem::is_directory(options.static_dir))
      std::fprintf(stderr, "sio-server: the page of app %s is missing (%s); / answers 404\n",
                   app->name.c_str(), options.static_dir.c_str());
  }
  // As in the reference, Socket.IO serves its client and plain Engine.IO does not.
  if (options.client_dir.empty() && !app->engine_handler) {
    options.client_dir = source_dir + "/examples/web/node_modules/socket.io-client/dist";
    if (!std::filesystem::is_directory(options.client_dir))
      std::fprintf(stderr,
                   "sio-server: the client bundle is missing (%s; `npm ci` in examples/web "
                   "installs it); %ssocket.io.js answers 404\n",
                   options.client_dir.c_str(), options.path.c_str());
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
    sio::configure_proxy(*io, options);
    handlers = io->session_handlers();
  }
  if (auto why = sio::proxy_usage_error(options); !why.empty()) {
    std::fprintf(stderr, "sio-server: %s\n", why.c_str());
    return 2;
  }
  if (auto why = sio::grpc_api_usage_error(options, io.get()); !why.empty()) {
    std::fprintf(stderr, "sio-server: %s\n", why.c_str());
    return 2;
  }
  auto registry = sio::spawn_session_registry(system, sio::to_engine_options(options), handlers);
  sio::gateway gateway{system, registry, sio::to_gateway_options(options)};
  try {
    gateway.start(options.gateway_threads);
  } catch (const std::exception& e) {  // Asio throws boost::system::system_error
    std::fprintf(stderr, "sio-server: cannot listen on %s:%u: %s\n", options.bind.c_str(),
                 static_cast<unsigned>(options.port), e.what());
    caf::anon_send_exit(registry, caf::exit_reason::user_shutdown);
    return 1;
  }
  std::printf("sio-server %s: app %s listening on http://%s:%u%s\n", SIO_VERSION,
              app->name.c_str(), options.bind.c_str(), static_cast<unsigned>(gateway.port()),
              options.path.c_str());
  if (!options.static_dir.empty()) {
    bool any = options.bind == "0.0.0.0" || options.bind == "::";
    std::printf("sio-server: open http://%s:%u/ in a browser\n",
                any ? "localhost" : options.bind.c_str(), static_cast<unsigned>(gateway.port()));
  }
  std::shared_ptr<void> grpc_api;
  try {
    grpc_api = sio::start_grpc_api(io.get(), options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sio-server: %s\n", e.what());
    gateway.stop();
    caf::anon_send_exit(registry, caf::exit_reason::user_shutdown);
    return 1;
  }
  std::fflush(stdout);

  sio::server_log::write(sio::server_log::level::info, "listening",
                         {{"app", app->name},
                          {"address", options.bind},
                          {"port", std::to_string(gateway.port())},
                          {"path", options.path}});

  int signal = 0;
  sigwait(&stop_signals, &signal);
  sio::server_log::write(sio::server_log::level::info, "shutting_down",
                         {{"signal", signal == SIGINT ? "SIGINT" : "SIGTERM"}});
  auto started = std::chrono::steady_clock::now();
  grpc_api.reset();  // calls still running end first
  shut_down(gateway, registry, std::chrono::milliseconds(options.shutdown_timeout_ms));
  sio::server_log::write(
      sio::server_log::level::info, "stopped",
      {{"ms", std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::steady_clock::now() - started)
                                 .count())}});
  io.reset();
  return 0;
}
