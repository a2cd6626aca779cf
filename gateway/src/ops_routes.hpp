#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "context.hpp"

/// The operations endpoints: /livez, /readyz and /metrics, answered by the
/// gateway itself, before and beside the Engine.IO path.
namespace sio::detail::ops {

enum class endpoint { none, livez, readyz, metrics };

/// Which endpoint `target` (path and query) names, if any.
endpoint match(std::string_view target) noexcept;

/// An answer: HTTP status, content type and body.
struct answer {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

/// /readyz: 200 while the server takes new clients, 503 once it drains.
answer readiness(const gateway_context& ctx);

/// /metrics: the Prometheus text exposition (format 0.0.4) of every counter.
answer metrics_page(const gateway_context& ctx);

/// /livez: calls `done` (on any thread) once every I/O thread ran a task and
/// the session registry answered a message, or with 503 after `within`.
void liveness(const gateway_context& ctx, std::chrono::milliseconds within,
              std::function<void(answer)> done);

}  // namespace sio::detail::ops
