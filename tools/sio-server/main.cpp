// sio-server: the standalone Socket.IO server.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

#include "apps.hpp"
#include "cluster_setup.hpp"
#include "command_line.hpp"
#include "config_sections.hpp"
#include "log.hpp"
#include "grpc_api.hpp"
#include "proxy_app.hpp"
#include "server_options.hpp"
#include "sio/sio.hpp"

#ifndef SIO_SOURCE_DIR
#define SIO_SOURCE_DIR "."
#endif

namespace {

// A second signal during the drain: no more waiting.
[[noreturn]] void stop_now() {
  sio::server_log::write(sio::server_log::level::warn, "stopped_at_once",
                         {{"why", "second signal"}});
  std::fflush(stderr);
  std::_Exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  sio::cli::server_options options;
  CLI::App cli{"sio-server: a Socket.IO v5 / Engine.IO v4 server on CAF actors"};
  cli.set_version_flag("--version", std::string("sio-server ") + SIO_VERSION);
  sio::cli::add_server_flags(cli, options);
  auto apps = sio::examples::builtin_apps();
  std::string app_names;
  for (const auto& a : apps) app_names += (app_names.empty() ? "" : ", ") + a.name;
  cli.get_option("--app")->description("Built-in app to run: " + app_names);
  cli.set_config("--config", "", "TOML file of flags without their dashes (port = 3000)");
  cli.allow_config_extras(CLI::config_extras_mode::error);
  cli.config_formatter(std::make_shared<sio::flags_config>());
  std::string log_level = "info";
  std::string log_format = "logfmt";
  cli.add_option("--log-format", log_format, "logfmt or json (one object per line)")
      ->check(CLI::IsMember({"logfmt", "json"}))
      ->capture_default_str();
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
  if (log_format == "json") sio::server_log::output_format() = sio::server_log::format::json;

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

  // An app made for plain WebSocket clients serves them unless told otherwise.
  if (options.ws_path.empty()) options.ws_path = app->ws_path;
  if (app->recovery) options.recovery = true;
  // The plain path matches with and without a trailing slash: one inside
  // the Engine.IO path would take Socket.IO's requests.
  if (!options.ws_path.empty() && (options.ws_path.rfind(options.path, 0) == 0 ||
                                   options.path.rfind(options.ws_path + "/", 0) == 0 ||
                                   options.path == options.ws_path)) {
    std::fprintf(stderr, "sio-server: --ws-path %s overlaps --path %s\n", options.ws_path.c_str(),
                 options.path.c_str());
    return 2;
  }

  auto server_options = sio::cli::to_server_options(options);
  // Every session's end with its reason, at debug level only: the hook costs
  // nothing when it is not set.
  if (sio::server_log::threshold() == sio::server_log::level::debug)
    server_options.engine.on_session_closed = [](const sio::session_closed& c) {
      sio::server_log::write(sio::server_log::level::debug, "session_closed",
                             {{"sid", std::string(c.sid)},
                              {"reason", std::string(sio::to_string(c.reason))},
                              {"transport", std::string(c.transport)},
                              {"address", std::string(c.remote_address)}});
    };
  // And every socket's leaving its namespace, with the reference's reason.
  if (sio::server_log::threshold() == sio::server_log::level::debug)
    server_options.socketio.on_socket_closed = [](const sio::socket_closed& c) {
      sio::server_log::write(sio::server_log::level::debug, "socket_closed",
                             {{"sid", std::string(c.sid)},
                              {"nsp", std::string(c.nsp)},
                              {"socket", std::string(c.socket_id)},
                              {"reason", std::string(c.reason)}});
    };
  if (auto problem = sio::check_options(server_options); !problem.empty()) {
    std::fprintf(stderr, "sio-server: %s\n", problem.c_str());
    return 2;
  }
  std::shared_ptr<const sio::proxy_routes> routes;
  if (auto* config = cli.get_config_ptr(); config && config->count() > 0) {
    if (auto why = sio::read_proxy_routes(config->as<std::string>(), routes); !why.empty()) {
      std::fprintf(stderr, "sio-server: %s\n", why.c_str());
      return 2;
    }
  }
  if (auto why = sio::proxy_usage_error(options, routes.get()); !why.empty()) {
    std::fprintf(stderr, "sio-server: %s\n", why.c_str());
    return 2;
  }
  if (auto why = sio::grpc_api_usage_error(options, !app->engine_handler); !why.empty()) {
    std::fprintf(stderr, "sio-server: %s\n", why.c_str());
    return 2;
  }
  // The cluster (--adapter redis): one Redis link for the process, which
  // outlives the server.
  std::unique_ptr<sio::cluster::redis_cluster> cluster;
  try {
    cluster = sio::start_cluster(options, server_options.socketio);
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "sio-server: --redis-url: %s\n", e.what());
    return 2;
  }

  caf::actor_system_config cfg;
  sio::apply_scheduler_defaults(cfg, options.actor_threads);
  caf::actor_system system{cfg};
  if (app->setup) app->setup(server_options, system);
  // A Socket.IO app configures namespaces on a server; an Engine.IO-only app
  // brings its own session handler.
  std::optional<sio::running_server> server;
  try {
    server = app->engine_handler ? sio::start_engine_io(system, server_options, app->engine_handler)
                                 : sio::start(system, server_options, [&](sio::server& io) {
                                     app->configure(io);
                                     sio::configure_proxy(io, options, routes.get());
                                   });
  } catch (const std::exception& e) {  // Asio throws boost::system::system_error
    std::fprintf(stderr, "sio-server: cannot listen on %s:%u: %s\n", options.bind.c_str(),
                 static_cast<unsigned>(options.port), e.what());
    return 1;
  }
  std::shared_ptr<void> grpc_api;  // started after the listening lines
  auto started = std::chrono::steady_clock::now();
  std::size_t sessions = 0;
  bool stopping = false;
  server->stop_on_signals([&](int signal) {
    if (stopping) stop_now();
    stopping = true;
    sio::server_log::write(sio::server_log::level::info, "shutting_down",
                           {{"signal", signal == SIGINT ? "SIGINT" : "SIGTERM"}});
    started = std::chrono::steady_clock::now();
    sessions = server->open_sessions();
    grpc_api.reset();  // gRPC calls still running end first
  });
  // Before the listening line, which tells scripts that startup is over.
  if (server->metrics_port() != 0)
    std::printf("sio-server: metrics on http://%s:%u/metrics\n",
                options.metrics_listen.substr(0, options.metrics_listen.rfind(':')).c_str(),
                static_cast<unsigned>(server->metrics_port()));
  std::printf("sio-server %s: app %s listening on http://%s:%u%s\n", SIO_VERSION,
              app->name.c_str(), options.bind.c_str(), static_cast<unsigned>(server->port()),
              options.path.c_str());
  if (!options.static_dir.empty()) {
    bool any = options.bind == "0.0.0.0" || options.bind == "::";
    std::printf("sio-server: open http://%s:%u/ in a browser\n",
                any ? "localhost" : options.bind.c_str(), static_cast<unsigned>(server->port()));
  }
  if (!options.ws_path.empty()) {
    bool any = options.bind == "0.0.0.0" || options.bind == "::";
    std::printf("sio-server: plain WebSocket clients connect to ws://%s:%u%s (namespace %s)\n",
                any ? "localhost" : options.bind.c_str(), static_cast<unsigned>(server->port()),
                options.ws_path.c_str(), options.ws_namespace.c_str());
  }
  try {
    grpc_api = sio::start_grpc_api(app->engine_handler ? nullptr : &server->io(), options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sio-server: %s\n", e.what());
    return 1;
  }
  std::fflush(stdout);

  sio::server_log::write(sio::server_log::level::info, "listening",
                         {{"app", app->name},
                          {"address", options.bind},
                          {"port", std::to_string(server->port())},
                          {"path", options.path}});

  server->wait();
  if (!server->stop())
    sio::server_log::write(sio::server_log::level::warn, "shutdown_deadline_passed");
  sio::server_log::write(
      sio::server_log::level::info, "stopped",
      {{"ms", std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::steady_clock::now() - started)
                                 .count())},
       {"sessions_closed", std::to_string(sessions)}});
  return 0;
}
