// sio-server: the standalone Socket.IO server.
#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>

#include "server_options.hpp"

int main(int argc, char** argv) {
  sio::server_options options;
  CLI::App app{"sio-server: a Socket.IO v5 / Engine.IO v4 server on CAF actors"};
  app.set_version_flag("--version", std::string("sio-server ") + SIO_VERSION);
  sio::add_server_flags(app, options);
  CLI11_PARSE(app, argc, argv);
  std::fprintf(stderr, "sio-server %s: no network gateway in this build yet; only --help and --version work.\n", SIO_VERSION);
  return 1;
}
