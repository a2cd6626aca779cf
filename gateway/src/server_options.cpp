#include "sio/server_options.hpp"

namespace sio {

std::string check_options(const server_options& o) {
  if (!o.engine.allow_polling && !o.engine.allow_websocket)
    return "engine.allow_polling and engine.allow_websocket are both false: no transport is left";
  if (o.engine.max_payload == 0) return "engine.max_payload is 0: no message would fit";
  if (o.engine.ping_interval.count() <= 0) return "engine.ping_interval must be positive";
  if (o.engine.ping_timeout.count() <= 0) return "engine.ping_timeout must be positive";
  if (o.socketio.connect_timeout.count() <= 0) return "socketio.connect_timeout must be positive";
  if (o.socketio.default_ack_timeout.count() <= 0)
    return "socketio.default_ack_timeout must be positive";
  if (o.gateway.path.empty() || o.gateway.path.front() != '/')
    return "gateway.path must start with '/' (it is \"" + o.gateway.path + "\")";
  // Browsers refuse credentialed responses that allow every origin.
  if (o.gateway.cors_credentials && o.gateway.cors_origin == "*")
    return "gateway.cors_credentials needs a gateway.cors_origin other than \"*\"";
  if (o.gateway.cors_credentials && o.gateway.cors_origin.empty())
    return "gateway.cors_credentials is set but gateway.cors_origin is empty (CORS is off)";
  if (o.gateway.max_ws_outbound_bytes < o.engine.max_payload)
    return "gateway.max_ws_outbound_bytes is smaller than engine.max_payload: one message "
           "would count its client as too slow";
  if (o.shutdown_timeout.count() < 0) return "shutdown_timeout must not be negative";
  return {};
}

}  // namespace sio
