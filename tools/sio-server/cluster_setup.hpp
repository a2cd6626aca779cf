#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include "log.hpp"
#include "server_options.hpp"
#include "sio/cluster/redis_adapter.hpp"

namespace sio {

/// With `--adapter redis`: starts the process's Redis link and gives every
/// namespace its adapter through `io_options`. Null without a cluster.
/// Throws std::invalid_argument for a malformed --redis-url.
inline std::unique_ptr<cluster::redis_cluster> start_cluster(const cli::server_options& o,
                                                             socketio_options& io_options) {
  if (o.adapter != "redis") return nullptr;
  cluster::redis_adapter_options c;
  c.url = o.redis_url;
  c.key = o.redis_key;
  c.log = [](std::string_view event, std::string_view detail) {
    server_log::write(server_log::level::warn, std::string(event), {{"detail", std::string(detail)}});
  };
  auto cluster = std::make_unique<cluster::redis_cluster>(std::move(c));
  io_options.adapter = cluster->adapter();
  return cluster;
}

}  // namespace sio
