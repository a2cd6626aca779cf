#include "sio/gateway/plain_route.hpp"

#include "sio/protocol/query.hpp"

namespace sio::route {

plain_action decide_plain(const request_view& req, const gateway_options& opts) {
  const auto& plain = opts.ws_path;
  if (plain.empty()) return plain_action::not_plain;
  auto path = path_of(req.target);
  bool same = path == plain || (path.size() == plain.size() + 1 && path.back() == '/' &&
                                path.substr(0, plain.size()) == plain);
  if (!same) return plain_action::not_plain;
  // A Socket.IO or Engine.IO client pointed at the wrong path: say so rather
  // than let it talk Engine.IO to a socket that reads plain frames.
  for (const auto& [key, value] : parse_query(req.target))
    if (key == "EIO" || key == "transport" || key == "sid") return plain_action::engine_io_query;
  return req.is_websocket_upgrade ? plain_action::upgrade : plain_action::not_upgrade;
}

}  // namespace sio::route
