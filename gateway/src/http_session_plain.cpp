// The plain WebSocket path: an upgrade there opens a session like an
// Engine.IO WebSocket handshake, with a session that speaks plain frames.
#include <boost/beast/http/field.hpp>

#include "http_session.hpp"
#include "ws_session.hpp"
#include "sio/gateway/plain_route.hpp"

namespace sio::detail {

bool http_session::route_plain(request& req, const route::request_view& view) {
  namespace http = boost::beast::http;
  switch (route::decide_plain(view, ctx_.options)) {
    case route::plain_action::not_plain:
    case route::plain_action::not_upgrade:
      return false;
    case route::plain_action::engine_io_query: {
      if (view.is_websocket_upgrade) {
        refuse_upgrade(std::string(route::plain_path_message));
        return true;
      }
      auto res = make_response(req, http::status::bad_request);
      res.set(http::field::content_type, "text/plain; charset=utf-8");
      res.body() = std::string(route::plain_path_message);
      res.prepare_payload();
      answer(std::move(res));
      return true;
    }
    case route::plain_action::upgrade: {
      auto info = describe(req);
      info.plain = true;
      upgrade(std::move(req), route::decision{route::action::ws_handshake, {}, {}},
              std::move(info), true);
      return true;
    }
  }
  return false;
}

}  // namespace sio::detail
