#include "http_session.hpp"

#include <atomic>
#include <iterator>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/read_size.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <caf/send.hpp>

#include "actor_runner.hpp"
#include "allow_request.hpp"
#include "ops_routes.hpp"
#include "sio/actors/atoms.hpp"
#include "sio/actors/messages.hpp"
#include "sio/actors/metrics.hpp"
#include "sio/protocol/engine_io.hpp"
#include "sio/protocol/json.hpp"
#include "sio/protocol/permessage_deflate.hpp"
#include "sio/protocol/websocket.hpp"
#include "static_files.hpp"
#include "ws_session.hpp"

namespace sio::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace eio = sio::engineio;

/// The gateway's side of an http_reply: carries the actor's answer back to
/// the session's I/O thread. A reply dropped unanswered (its session actor went
/// away with the request still in its mailbox) answers "Session ID unknown",
/// so no client ever waits for nothing.
class held_reply final : public http_reply {
 public:
  held_reply(std::shared_ptr<http_session> session, response prototype)
      : session_(std::move(session)), prototype_(std::move(prototype)) {}

  ~held_reply() override {
    if (!answered_) fail(400, eio::error_body(eio::http_error::unknown_sid));
  }

  void ok(std::string body, std::string_view content_type) override {
    auto res = std::move(prototype_);
    res.result(http::status::ok);
    res.set(http::field::content_type, content_type);
    res.set(http::field::cache_control, "no-store");
    res.body() = std::move(body);
    deliver(std::move(res));
  }

  void fail(int status, std::string json_body) override {
    auto res = std::move(prototype_);
    res.result(static_cast<http::status>(status));
    if (!json_body.empty()) res.set(http::field::content_type, "application/json");
    res.body() = std::move(json_body);
    deliver(std::move(res));
  }

 private:
  void deliver(response res) {
    if (answered_) return;
    answered_ = true;
    res.prepare_payload();
    // Counted from here, not from the write: a graceful shutdown must not
    // stop the I/O threads between this post and the write it leads to.
    auto& in_flight = session_->context().writes_in_flight;
    in_flight.fetch_add(1, std::memory_order_relaxed);
    asio::post(session_->executor(), [s = session_, res = std::move(res)]() mutable {
      s->answer(std::move(res));
      s->context().writes_in_flight.fetch_sub(1, std::memory_order_relaxed);
    });
  }

  std::shared_ptr<http_session> session_;
  response prototype_;
  bool answered_ = false;
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// What the ws library checks before it accepts a handshake.
bool valid_websocket_key(std::string_view key) {
  if (key.size() != 24 || key.substr(22) != "==") return false;
  for (char c : key.substr(0, 22))
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/')) return false;
  return true;
}

}  // namespace

http_session::http_session(const gateway_context& ctx, asio::ip::tcp::socket socket,
                           const asio::ip::address& remote, bool ops_only, admission::slot slot)
    : ctx_(ctx),
      stream_(std::move(socket)),
      remote_address_(remote.to_string()),
      ops_only_(ops_only),
      slot_(std::move(slot)),
      remote_(remote) {
  // Non-blocking from the start: Asio sets it once here, not again for the
  // first read, and a WebSocket keeps it (see ws_session).
  boost::system::error_code ignored;
  stream_.socket().non_blocking(true, ignored);
}

void http_session::start() {
  asio::post(stream_.get_executor(), [self = shared_from_this()] { self->read_first(); });
}

// A new connection's request has nearly always arrived by now. Reading it
// before async_read spares the request timer, which Beast arms only when it
// has to wait for bytes: a timerfd_settime per connection otherwise.
void http_session::read_first() {
  boost::system::error_code ec;
  auto n = stream_.socket().read_some(buffer_.prepare(beast::read_size(buffer_, 65536)), ec);
  if (!ec) {
    buffer_.commit(n);
  } else if (ec != asio::error::would_block && ec != asio::error::try_again) {
    close();  // gone before it asked anything
    return;
  }
  do_read();
}

void http_session::do_read() {
  parser_.emplace();
  parser_->body_limit(ctx_.options.max_payload);
  parser_->header_limit(static_cast<std::uint32_t>(ctx_.options.max_header_bytes));
  stream_.expires_after(ctx_.options.request_timeout);
  http::async_read_header(stream_, buffer_, *parser_,
                          [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                            self->on_header(ec);
                          });
}

// The head is in. A request without a body is complete; a polling POST whose
// body is still arriving is announced to its session first, so that a second
// POST meanwhile is refused as the reference refuses it.
void http_session::on_header(boost::system::error_code ec) {
  if (ec || parser_->is_done()) return on_read(ec);
  const auto& head = parser_->get();
  if (head.method() == http::verb::post) {
    auto length = parser_->content_length();
    if (!length || buffer_.size() < *length) {
      route::request_view view{head.method_string(), head.target(), head[http::field::origin],
                               false};
      auto d = route::decide(view, ctx_.options);
      if (d.what == route::action::poll_post) {
        static std::atomic<std::uint64_t> tokens{0};
        post_token_ = tokens.fetch_add(1, std::memory_order_relaxed) + 1;
        post_sid_ = std::move(d.sid);
        actor_runner::send(ctx_.registry, atoms::poll_begin::value, post_sid_, post_token_);
      }
    }
  }
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](boost::system::error_code body_ec, std::size_t) {
                     self->on_read(body_ec);
                   });
}

void http_session::on_read(boost::system::error_code ec) {
  if (ec && post_token_ != 0) {  // the announced body never came whole
    actor_runner::send(ctx_.registry, atoms::poll_abort::value, std::move(post_sid_),
                       std::exchange(post_token_, 0));
  }
  if (ec == http::error::end_of_stream || ec == beast::error::timeout) return close();
  if (ec) {
    // Answer what we can name, then drop the connection: its byte stream is
    // no longer in step with HTTP.
    http::status status = http::status::bad_request;
    if (ec == http::error::body_limit) status = http::status::payload_too_large;
    if (ec == http::error::header_limit) status = http::status::request_header_fields_too_large;
    response res{status, 11};
    res.set(http::field::connection, "close");
    res.keep_alive(false);
    res.prepare_payload();
    return answer(std::move(res));
  }
  stream_.expires_never();  // a held poll may wait as long as the heartbeat lets it
  route(parser_->release());
}

request_info http_session::describe(const request& req) const {
  request_info info;
  info.set_url(req.target());
  for (const auto& field : req) info.add_header(lower(field.name_string()), field.value());
  if (ctx_.trusted_proxies.empty())
    info.set_remote_address(remote_address_);
  else
    info.set_remote_address(client_address(req).to_string());
  info.shrink_to_fit();  // kept for the session's whole life
  return info;
}

// The client behind a trusted proxy: the last address of X-Forwarded-For
// that is not a trusted proxy itself. From anyone else the header means
// nothing, since a client can write what it likes there.
asio::ip::address http_session::client_address(const request& req) const {
  if (!ctx_.trusted(remote_)) return remote_;
  auto client = remote_;
  std::string_view chain = req["X-Forwarded-For"];
  while (!chain.empty()) {
    auto comma = chain.rfind(',');
    auto hop = comma == std::string_view::npos ? chain : chain.substr(comma + 1);
    chain = comma == std::string_view::npos ? std::string_view{} : chain.substr(0, comma);
    while (!hop.empty() && hop.front() == ' ') hop.remove_prefix(1);
    while (!hop.empty() && hop.back() == ' ') hop.remove_suffix(1);
    boost::system::error_code ec;
    auto address = asio::ip::make_address(std::string(hop), ec);
    if (ec) break;  // not an address: trust nothing further left
    client = address;
    if (!ctx_.trusted(address)) break;
  }
  return client;
}

// The handshake rate of the client's address; answers 429 when it is past.
bool http_session::too_many_handshakes(const request& req) {
  if (ctx_.options.handshake_rate <= 0) return false;
  if (ctx_.limits->allow_handshake(client_address(req))) return false;
  metrics::rejected(metrics::rejection::handshake_rate);
  auto res = make_response(req, http::status::too_many_requests);
  res.set(http::field::retry_after, std::to_string(ctx_.options.retry_after_seconds));
  res.set(http::field::connection, "close");
  res.keep_alive(false);
  res.prepare_payload();
  answer(std::move(res));
  return true;
}

response http_session::make_response(const request& req, http::status status) const {
  response res{status, req.version()};
  res.keep_alive(req.keep_alive());
  add_cors(req, res);
  return res;
}

// The headers the `cors` package sets for `cors: { origin, credentials }`.
void http_session::add_cors(const request& req, response& res) const {
  const auto& origin = ctx_.options.cors_origin;
  if (origin.empty()) return;
  res.set(http::field::access_control_allow_origin, origin);
  if (origin != "*") res.set(http::field::vary, "Origin");
  if (ctx_.options.cors_credentials) res.set(http::field::access_control_allow_credentials, "true");
  if (req.method() == http::verb::options) {
    res.set(http::field::access_control_allow_methods, "GET,HEAD,PUT,PATCH,POST,DELETE");
    auto asked = req[http::field::access_control_request_headers];
    if (!asked.empty()) {
      res.set(http::field::access_control_allow_headers, asked);
      res.insert(http::field::vary, "Access-Control-Request-Headers");
    }
  }
}

// /livez, /readyz, /metrics. On a listener of their own (ops_only_),
// nothing else is served.
bool http_session::serve_ops(const request& req) {
  auto which = ops::match(req.target());
  if (which == ops::endpoint::none) {
    if (!ops_only_) return false;
    auto res = make_response(req, http::status::not_found);
    res.prepare_payload();
    answer(std::move(res));
    return true;
  }
  auto reply = [prototype = make_response(req, http::status::ok),
                head = req.method() == http::verb::head](ops::answer a) mutable {
    prototype.result(static_cast<http::status>(a.status));
    prototype.set(http::field::content_type, a.content_type);
    prototype.set(http::field::cache_control, "no-store");
    if (head) {
      prototype.content_length(a.body.size());
    } else {
      prototype.body() = std::move(a.body);
      prototype.prepare_payload();
    }
    return prototype;
  };
  switch (which) {
    case ops::endpoint::livez:
      // Answered once every I/O thread and the actors have shown they run.
      ctx_.writes_in_flight.fetch_add(1, std::memory_order_relaxed);
      ops::liveness(ctx_, std::chrono::seconds(2),
                    [self = shared_from_this(), reply](ops::answer a) mutable {
                      asio::post(self->executor(), [self, res = reply(std::move(a))]() mutable {
                        self->answer(std::move(res));
                        self->ctx_.writes_in_flight.fetch_sub(1, std::memory_order_relaxed);
                      });
                    });
      return true;
    case ops::endpoint::readyz:
      answer(reply(ops::readiness(ctx_)));
      return true;
    case ops::endpoint::metrics:
      answer(reply(ops::metrics_page(ctx_)));
      return true;
    case ops::endpoint::none:
      break;
  }
  return false;
}

void http_session::route(request req) {
  if (serve_ops(req)) return;
  route::request_view view{req.method_string(), req.target(), req[http::field::origin],
                           beast::websocket::is_upgrade(req)};
  if (route_plain(req, view)) return;
  auto d = decide(view, ctx_.options);
  auto json_error = [&](eio::http_error e) {
    auto res = make_response(req, static_cast<http::status>(eio::http_status(e)));
    res.set(http::field::content_type, "application/json");
    res.body() = eio::error_body(e);
    res.prepare_payload();
    answer(std::move(res));
  };
  auto held = [&]() {
    return std::make_shared<held_reply>(shared_from_this(), make_response(req, http::status::ok));
  };

  switch (d.what) {
    case route::action::not_engine_io:
      return serve_static(req);
    case route::action::client_file:
      return serve_client_file(req);
    case route::action::preflight: {
      auto res = make_response(req, http::status::no_content);
      res.prepare_payload();
      return answer(std::move(res));
    }
    case route::action::fail:
      metrics::rejected(metrics::rejection::bad_request);
      if (view.is_websocket_upgrade) {
        return refuse_upgrade(std::string(eio::message(d.error)));
      }
      return json_error(d.error);
    case route::action::bad_method: {
      auto res = make_response(req, http::status::internal_server_error);
      res.prepare_payload();
      return answer(std::move(res));
    }
    case route::action::handshake: {
      if (too_many_handshakes(req)) return;
      auto info = describe(req);
      std::string message(eio::message(eio::http_error::forbidden));
      if (ctx_.options.allow_request && !ctx_.options.allow_request(info, message))
        return refuse_handshake(req, message);
      if (ctx_.options.allow_request_async) {
        // The request waits here, and this connection reads nothing more, until the answer.
        auto held_req = std::make_shared<request>(std::move(req));
        auto copy = info;
        return ask_allow_request(ctx_.answers, ctx_.options, copy, executor(),
                                 [self = shared_from_this(), held_req, info = std::move(info)](
                                     bool allowed, std::string refusal) mutable {
                                   if (!allowed) return self->refuse_handshake(*held_req, refusal);
                                   self->create_session(*held_req, std::move(info));
                                 });
      }
      return create_session(req, std::move(info));
    }
    case route::action::poll_get:
      actor_runner::send(ctx_.registry, atoms::poll_get::value, std::move(d.sid),
                         http_reply_ptr{held()});
      return;
    case route::action::poll_post:
      if (post_token_ != 0) {
        actor_runner::send(ctx_.registry, atoms::poll_post::value, std::move(d.sid),
                           std::move(req.body()), http_reply_ptr{held()},
                           std::exchange(post_token_, 0));
        return;
      }
      actor_runner::send(ctx_.registry, atoms::poll_post::value, std::move(d.sid),
                         std::move(req.body()), http_reply_ptr{held()});
      return;
    case route::action::ws_handshake:
      if (too_many_handshakes(req)) return;
      [[fallthrough]];
    case route::action::ws_upgrade: {
      auto info = describe(req);
      return upgrade(std::move(req), d, std::move(info));
    }
  }
}

void http_session::refuse_handshake(const request& req, const std::string& message) {
  metrics::rejected(metrics::rejection::forbidden);
  auto res = make_response(req, http::status::forbidden);
  res.set(http::field::content_type, "application/json");
  std::string body = R"({"code":4,"message":)";
  body += to_json_text(json(message));
  body += '}';
  res.body() = std::move(body);
  res.prepare_payload();
  answer(std::move(res));
}

void http_session::create_session(const request& req, request_info info) {
  auto held = std::make_shared<held_reply>(shared_from_this(), make_response(req, http::status::ok));
  actor_runner::send(ctx_.registry, atoms::create::value, std::move(info), http_reply_ptr{held});
}

// Files of the app's web directory, for what is not Engine.IO.
void http_session::serve_static(const request& req) {
  auto not_found = [&] {
    auto res = make_response(req, http::status::not_found);
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    res.body() = "Not Found\n";
    res.prepare_payload();
    answer(std::move(res));
  };
  if (ctx_.options.static_dir.empty()) return not_found();
  if (req.method() != http::verb::get && req.method() != http::verb::head) {
    auto res = make_response(req, http::status::method_not_allowed);
    res.set(http::field::allow, "GET, HEAD");
    res.prepare_payload();
    return answer(std::move(res));
  }
  auto file = static_files::resolve(ctx_.options.static_dir, req.target());
  if (!file) return not_found();
  auto res = make_response(req, http::status::ok);
  res.set(http::field::cache_control, "no-cache");
  answer_file(req, std::move(res), file->path, file->content_type);
}

// The official client bundle, with the reference's headers: a version ETag,
// 304 when the client has it already.
void http_session::serve_client_file(const request& req) {
  if (req.method() != http::verb::get && req.method() != http::verb::head) {
    auto res = make_response(req, http::status::method_not_allowed);
    res.set(http::field::allow, "GET, HEAD");
    res.prepare_payload();
    return answer(std::move(res));
  }
  auto name = static_files::client_file(req.target(), ctx_.options.path);
  auto etag = static_files::client_etag(ctx_.client_version);
  if (!ctx_.client_version.empty() &&
      static_files::etag_matches(req[http::field::if_none_match], etag)) {
    auto res = make_response(req, http::status::not_modified);
    return answer(std::move(res));
  }
  auto res = make_response(req, http::status::ok);
  res.set(http::field::cache_control, "public, max-age=0");
  if (!ctx_.client_version.empty()) res.set(http::field::etag, etag);
  auto path = ctx_.options.client_dir;
  if (!path.empty() && path.back() != '/') path.push_back('/');
  path.append(name);
  answer_file(req, std::move(res), path, static_files::client_content_type(name));
}

void http_session::answer_file(const request& req, response res, const std::string& path,
                               std::string_view content_type) {
  auto content = static_files::read_file(path);
  if (!content) {
    auto missing = make_response(req, http::status::not_found);
    missing.set(http::field::content_type, "text/plain; charset=utf-8");
    missing.body() = "Not Found\n";
    missing.prepare_payload();
    return answer(std::move(missing));
  }
  res.set(http::field::content_type, content_type);
  res.set("X-Content-Type-Options", "nosniff");
  if (req.method() == http::verb::head) {
    res.content_length(content->size());  // the headers of a GET, no body
  } else {
    res.body() = std::move(*content);
    res.prepare_payload();
  }
  answer(std::move(res));
}

void http_session::refuse_upgrade(std::string message) {
  auto link =
      std::make_shared<ws_session>(ctx_, stream_.release_socket(), std::string{}, std::string{});
  link->refuse(std::move(message));
}

void http_session::upgrade(request req, const route::decision& d, request_info info,
                           bool plain) {
  auto key = req[http::field::sec_websocket_key];
  if (req[http::field::sec_websocket_version] != "13")
    return refuse_upgrade("Missing or invalid Sec-WebSocket-Version header");
  if (!valid_websocket_key(key)) return refuse_upgrade("Missing or invalid Sec-WebSocket-Key header");
  if (d.what == route::action::ws_handshake && ctx_.options.allow_request) {
    std::string message(eio::message(eio::http_error::forbidden));
    if (!ctx_.options.allow_request(info, message)) {
      metrics::rejected(metrics::rejection::forbidden);
      return refuse_upgrade(std::move(message));
    }
  }
  if (d.what == route::action::ws_handshake && ctx_.options.allow_request_async) {
    // The socket stays with this session, unread, until the answer.
    auto held_req = std::make_shared<request>(std::move(req));
    auto copy = info;
    return ask_allow_request(
        ctx_.answers, ctx_.options, copy, executor(),
        [self = shared_from_this(), held_req, d, info = std::move(info), plain](
            bool allowed, std::string refusal) mutable {
          if (!allowed) {
            metrics::rejected(metrics::rejection::forbidden);
            return self->refuse_upgrade(std::move(refusal));
          }
          self->accept_upgrade(std::move(*held_req), d, std::move(info), plain);
        });
  }
  accept_upgrade(std::move(req), d, std::move(info), plain);
}

void http_session::accept_upgrade(request req, const route::decision& d, request_info info,
                                  bool plain) {
  auto key = req[http::field::sec_websocket_key];
  // perMessageDeflate as ws negotiates it: the extension is agreed when
  // offered, and an invalid offer refuses the upgrade. Repeated headers count
  // as one, joined with ", " as Node joins them.
  std::optional<websocket::deflate_params> deflate;
  std::string extensions;
  auto [offer, offers_end] = req.equal_range(http::field::sec_websocket_extensions);
  if (ctx_.options.per_message_deflate && offer != offers_end) {
    std::string offers(offer->value());
    while (++offer != offers_end) offers.append(", ").append(offer->value());
    auto agreed = websocket::negotiate_deflate(offers);
    using outcome = websocket::deflate_negotiation::outcome;
    if (agreed.what == outcome::invalid)
      return refuse_upgrade(std::string(websocket::invalid_extensions_message));
    if (agreed.what == outcome::accepted) {
      deflate = agreed.params;
      extensions = "Sec-WebSocket-Extensions: " + agreed.response + "\r\n";
    }
  }
  std::string handshake =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: " +
      websocket::accept_key(key) + "\r\n" + extensions + "\r\n";
  auto early = beast::buffers_to_string(buffer_.data());
  auto link = std::make_shared<ws_session>(ctx_, stream_.release_socket(), std::move(handshake),
                                           std::move(early), deflate, plain);
  link->keep(std::move(slot_));
  if (d.what == route::action::ws_handshake)
    actor_runner::send(ctx_.registry, atoms::create::value, std::move(info), ws_link_ptr{link});
  else
    actor_runner::send(ctx_.registry, atoms::ws_open::value, d.sid, ws_link_ptr{link});
}

void http_session::answer(response res) {
  bool close_after = !res.keep_alive();
  writing_.emplace(std::move(res));
  stream_.expires_after(ctx_.options.request_timeout);
  ctx_.writes_in_flight.fetch_add(1, std::memory_order_relaxed);
  http::async_write(
      stream_, *writing_,
      [self = shared_from_this(), close_after](boost::system::error_code ec, std::size_t) {
        self->ctx_.writes_in_flight.fetch_sub(1, std::memory_order_relaxed);
        self->on_write(ec, close_after);
      });
}

void http_session::on_write(boost::system::error_code ec, bool close_after) {
  writing_.reset();
  if (ec || close_after) return close();
  do_read();
}

void http_session::close() {
  boost::system::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  stream_.socket().close(ignored);
}

}  // namespace sio::detail
