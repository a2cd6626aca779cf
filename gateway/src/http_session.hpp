#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "admission.hpp"
#include "context.hpp"
#include "sio/actors/request_info.hpp"
#include "sio/gateway/engine_route.hpp"

namespace sio::detail {

using request = boost::beast::http::request<boost::beast::http::string_body>;
using response = boost::beast::http::response<boost::beast::http::string_body>;

/// One HTTP connection: reads requests one after another (keep-alive),
/// routes Engine.IO ones to the registry, and answers each exactly once,
/// possibly much later (a held poll), from whichever thread the answer comes.
class http_session : public std::enable_shared_from_this<http_session> {
 public:
  http_session(const gateway_context& ctx, boost::asio::ip::tcp::socket socket,
               const boost::asio::ip::address& remote, bool ops_only = false,
               admission::slot slot = {});
  void start();

  /// Writes `res` as the answer to the request in flight, then reads the
  /// next one. Called on the session's I/O thread.
  void answer(response res);

  boost::asio::any_io_executor executor() { return stream_.get_executor(); }
  const gateway_context& context() const noexcept { return ctx_; }

 private:
  void read_first();
  void do_read();
  void on_header(boost::system::error_code ec);
  void on_read(boost::system::error_code ec);
  bool serve_ops(const request& req);
  void route(request req);
  void serve_static(const request& req);
  void serve_client_file(const request& req);
  void answer_file(const request& req, response res, const std::string& path,
                   std::string_view content_type);
  void upgrade(request req, const route::decision& d, request_info info, bool plain = false);
  /// The upgrade once allowed: perMessageDeflate, the 101, the WebSocket session.
  void accept_upgrade(request req, const route::decision& d, request_info info, bool plain);
  /// Answers the upgrade request with `message` (400) and closes.
  void refuse_upgrade(std::string message);
  /// The polling handshake refused by allowRequest (403), or made into a session.
  void refuse_handshake(const request& req, const std::string& message);
  void create_session(const request& req, request_info info);
  /// Routes a request for the plain WebSocket path (http_session_plain.cpp);
  /// false when it is not one.
  bool route_plain(request& req, const route::request_view& view);
  request_info describe(const request& req) const;
  boost::asio::ip::address client_address(const request& req) const;
  bool too_many_handshakes(const request& req);
  response make_response(const request& req, boost::beast::http::status status) const;
  void add_cors(const request& req, response& res) const;
  void on_write(boost::system::error_code ec, bool close);
  void close();

  const gateway_context& ctx_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::optional<response> writing_;
  std::string remote_address_;
  /// The polling POST announced to its session before its body came
  /// (see on_header): its sid and token, 0 when none.
  std::string post_sid_;
  std::uint64_t post_token_ = 0;
  /// On the separate metrics listener: only the operations endpoints.
  bool ops_only_ = false;
  /// This connection's place under the connection limits.
  admission::slot slot_;
  boost::asio::ip::address remote_;
};

}  // namespace sio::detail
