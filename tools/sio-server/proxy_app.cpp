#include "proxy_app.hpp"

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "log.hpp"

#ifdef SIO_WITH_GRPC
#include "proxy_config.hpp"
#include "sio/rpc/backend_proxy.hpp"
#endif

namespace sio {

#ifdef SIO_WITH_GRPC
struct proxy_routes {
  proxy_config config;
};
#else
struct proxy_routes {};
#endif

std::string read_proxy_routes(const std::string& config_file,
                              std::shared_ptr<const proxy_routes>& out) {
  if (config_file.empty()) return {};
#ifdef SIO_WITH_GRPC
  auto read = read_proxy_config(config_file);
  if (auto* why = std::get_if<std::string>(&read)) return *why;
  auto& config = std::get<proxy_config>(read);
  if (!config.empty()) out = std::make_shared<const proxy_routes>(proxy_routes{std::move(config)});
  return {};
#else
  std::ifstream in(config_file);
  for (std::string line; std::getline(in, line);)
    if (line.rfind("[[backends]]", 0) == 0 || line.rfind("[[routes]]", 0) == 0)
      return config_file + ": [[backends]] / [[routes]]: this build has no gRPC (configured "
                           "with SIO_ENABLE_GRPC=OFF)";
  return {};
#endif
}

std::string proxy_usage_error(const cli::server_options& o, const proxy_routes* routes) {
  if (o.app != "proxy" && o.backend.empty() && !routes) return {};
#ifdef SIO_WITH_GRPC
  if (routes && !o.backend.empty())
    return "--backend and [[routes]] in the config file: use one or the other";
  if (routes && routes->config.routes.empty())
    return "[[backends]] without [[routes]]: no namespace uses them";
  if (o.backend.empty() && !routes)
    return "--app proxy needs --backend ADDR (host:port or unix:/path) or [[routes]] in the "
           "config file";
  return {};
#else
  return "--app proxy / --backend: this build has no gRPC (configured with SIO_ENABLE_GRPC=OFF)";
#endif
}

#ifdef SIO_WITH_GRPC
namespace {

void log_backend(const std::string& event, const std::string& detail) {
  server_log::write(server_log::level::warn, event, {{"detail", detail}});
}

// Every backend of the config file, then each route's namespace played by
// the backends it names: one proxy_namespace per backend, with the parts
// that backend plays there.
void configure_routes(server& io, const cli::server_options& o, const proxy_config& config) {
  std::map<std::string, std::shared_ptr<rpc::backend>> backends;
  for (auto entry : config.backends) {
    entry.options.log = log_backend;
    backends[entry.name] = rpc::make_backend(std::move(entry.options));
  }
  bool root_routed = false;
  for (const auto& route : config.routes) root_routed |= route.nsp == "/";
  for (const auto& route : config.routes) {
    std::set<std::string> involved;
    if (!route.connect.empty()) involved.insert(route.connect);
    if (!route.disconnect.empty()) involved.insert(route.disconnect);
    for (const auto& [event, backend] : route.events) involved.insert(backend);
    std::vector<namespace_ref> namespaces;
    if (route.nsp == "*") {
      // "/" (registered, so that the gRPC API finds it) unless a route of
      // its own names it, and every name the app does not register.
      if (!root_routed) namespaces.push_back(io.of("/"));
      namespaces.push_back(io.of([](const std::string&, const json&) { return true; }));
    } else {
      namespaces.push_back(io.of(route.nsp));
    }
    for (const auto& name : involved) {
      rpc::route_options r = route.options;
      r.connect = name == route.connect;
      r.disconnect = name == route.disconnect;
      r.events.clear();
      for (const auto& [event, backend] : route.events)
        if (backend == name) r.events.push_back(event);
      r.max_payload_bytes = o.max_payload;
      for (auto& nsp : namespaces) rpc::proxy_namespace(io, nsp, backends.at(name), r);
    }
  }
}

}  // namespace
#endif

void configure_proxy([[maybe_unused]] server& io, [[maybe_unused]] const cli::server_options& o,
                     [[maybe_unused]] const proxy_routes* routes) {
#ifdef SIO_WITH_GRPC
  if (routes) {
    configure_routes(io, o, routes->config);
    return;
  }
  if (o.backend.empty()) return;
  rpc::backend_options b;
  b.endpoint = o.backend;
  if (!o.backend_token.empty())
    b.metadata.emplace_back("authorization", "Bearer " + o.backend_token);
  b.log = log_backend;
  rpc::route_options r;
  r.connect_timeout = std::chrono::milliseconds(o.backend_connect_timeout_ms);
  r.event_timeout = std::chrono::milliseconds(o.backend_event_timeout_ms);
  r.max_inflight = o.backend_max_inflight;
  r.max_queue = o.backend_queue;
  r.pause_reading = o.backend_pause_reading;
  r.on_error = o.backend_on_error == "accept" ? rpc::connect_on_error::accept
                                              : rpc::connect_on_error::reject;
  r.ack_error = o.backend_ack_on_error == "none" ? rpc::ack_on_error::none
                                                 : rpc::ack_on_error::error_object;
  r.max_payload_bytes = o.max_payload;
  std::stringstream headers{o.backend_headers};
  for (std::string h; std::getline(headers, h, ',');) {
    auto first = h.find_first_not_of(' ');
    if (first == std::string::npos) continue;
    h = h.substr(first, h.find_last_not_of(' ') - first + 1);
    for (auto& c : h) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    r.headers.push_back(h);
  }
  auto backend = rpc::make_backend(std::move(b));
  if (o.app != "proxy") {
    // Another app keeps its handlers: the backend decides its main
    // namespace's connects and answers the events it has no handler for.
    if (auto main = io.find("/")) rpc::proxy_namespace(io, *main, backend, r);
    return;
  }
  // "/" registered, so that the gRPC API (--grpc-listen) finds it; every
  // other name through a dynamic namespace.
  rpc::proxy_namespace(io, io.of("/"), backend, r);
  rpc::proxy_namespace(io, io.of([](const std::string&, const json&) { return true; }), backend,
                       r);
#endif
}

}  // namespace sio
