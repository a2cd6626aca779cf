#include "sio/server_options.hpp"

namespace sio {

std::string check_options(const server_options& o) {
  if (!o.engine.allow_polling && !o.engine.allow_websocket)
    return "engine.allow_polling and engine.allow_websocket are both false: no transport is left";
  if (o.engine.max_payload == 0) return "engine.max_payload is 0: no message would fit";
  if (o.engine.ping_interval.count() <= 0) return "engine.ping_interval must be positive";
  if (o.engine.ping_timeout.count() <= 0) return "engine.ping_timeout must be positive";
  // Only an upgrade from polling to WebSocket waits for it.
  if (o.engine.allow_polling && o.engine.allow_websocket && o.engine.upgrade_timeout.count() <= 0)
    return "engine.upgrade_timeout must be positive while both transports are allowed";
  if (o.socketio.connect_timeout.count() <= 0) return "socketio.connect_timeout must be positive";
  if (o.socketio.default_ack_timeout.count() <= 0)
    return "socketio.default_ack_timeout must be positive";
  if (const auto& r = o.socketio.connection_state_recovery;
      r && r->max_disconnection_duration.count() <= 0)
    return "socketio.connection_state_recovery.max_disconnection_duration must be positive "
           "(no session could be recovered)";
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
  // The spread's last sessions would be cut off rather than closed.
  if (o.engine.shutdown_spread > o.shutdown_timeout)
    return "engine.shutdown_spread (" + std::to_string(o.engine.shutdown_spread.count()) +
           " ms) is longer than shutdown_timeout (" + std::to_string(o.shutdown_timeout.count()) +
           " ms)";
  return {};
}

}  // namespace sio
