#include "sio/gateway/gateway.hpp"

#include <array>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "actor_runner.hpp"
#include "admission.hpp"
#include "context.hpp"
#include "http_session.hpp"
#include "send_queue.hpp"
#include "sio/actors/metrics.hpp"
#include "static_files.hpp"

namespace sio {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct gateway::impl {
  impl(caf::actor_system& sys, caf::actor registry, gateway_options options,
       const engine_options& engine)
      : ctx{sys, std::move(registry), {options, engine},
            detail::static_files::client_version(options.client_dir)} {
    ctx.limits = &limits;
    for (const auto& proxy : options.trusted_proxies)
      ctx.trusted_proxies.push_back(asio::ip::make_address(proxy));
  }

  // One io_context per thread, each connection on one of them: a
  // connection's handlers never run at once without a strand to pay for.
  // The accept call names the peer, which saves a getpeername per
  // connection.
  void do_accept() {
    auto& target = *ios[next_io++ % ios.size()];
    acceptor->async_accept(
        target.get_executor(), peer, [this](boost::system::error_code ec, tcp::socket socket) {
          if (ec == asio::error::operation_aborted) return;
          if (!ec) {
            detail::admission::slot slot;
            auto verdict = limits.admit(peer.address(), !ctx.trusted(peer.address()), slot);
            if (verdict == detail::admission::verdict::ok)
              std::make_shared<detail::http_session>(ctx, std::move(socket), peer.address(), false,
                                                     std::move(slot))
                  ->start();
            else
              refuse(std::move(socket), verdict);
          }
          do_accept();
        });
  }

  // Over the limits: answered before the request is even read, and closed.
  void refuse(tcp::socket socket, detail::admission::verdict verdict) {
    bool full = verdict == detail::admission::verdict::max_connections;
    metrics::rejected(full ? metrics::rejection::max_connections : metrics::rejection::per_ip);
    std::string answer =
        full ? "HTTP/1.1 503 Service Unavailable\r\n" : "HTTP/1.1 429 Too Many Requests\r\n";
    answer += "Retry-After: " + std::to_string(ctx.options.retry_after_seconds) +
              "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    boost::system::error_code ignored;
    socket.non_blocking(true, ignored);
    // What the client sent already is read and dropped: closing a socket
    // with unread bytes resets it, and the client might miss the answer.
    std::array<char, 4096> sink;
    socket.read_some(asio::buffer(sink), ignored);
    socket.write_some(asio::buffer(answer), ignored);
    socket.shutdown(tcp::socket::shutdown_send, ignored);
    socket.close(ignored);
  }

  // The separate listener of the operations endpoints.
  void do_accept_ops() {
    ops_acceptor->async_accept(
        first().get_executor(), ops_peer, [this](boost::system::error_code ec, tcp::socket socket) {
          if (ec == asio::error::operation_aborted) return;
          if (!ec)
            std::make_shared<detail::http_session>(ctx, std::move(socket), ops_peer.address(), true)
                ->start();
          do_accept_ops();
        });
  }

  asio::io_context& first() { return *ios.front(); }

  detail::gateway_context ctx;
  detail::admission limits{ctx.options};
  std::vector<std::unique_ptr<asio::io_context>> ios;
  // One per io_context, as long-lived: actors may still send after stop().
  std::vector<std::unique_ptr<detail::send_queue>> send_queues;
  std::size_t next_io = 0;
  std::optional<tcp::acceptor> acceptor;
  tcp::endpoint peer;  // of the connection being accepted
  std::optional<tcp::acceptor> ops_acceptor;
  tcp::endpoint ops_peer;
  std::vector<std::thread> threads;
};

gateway::gateway(caf::actor_system& sys, caf::actor registry, gateway_options options,
                 const engine_options& engine)
    : impl_(std::make_unique<impl>(sys, std::move(registry), std::move(options), engine)) {}

gateway::~gateway() { stop(); }

void gateway::start(unsigned threads) {
  auto& i = *impl_;
  for (unsigned n = 0; n < std::max(1u, threads); ++n) {
    i.ios.push_back(std::make_unique<asio::io_context>(1));
    i.send_queues.push_back(std::make_unique<detail::send_queue>(*i.ios.back()));
    i.ctx.io_contexts.push_back(i.ios.back().get());
  }
  i.acceptor.emplace(i.first());
  tcp::endpoint endpoint{asio::ip::make_address(i.ctx.options.bind_address), i.ctx.options.port};
  i.acceptor->open(endpoint.protocol());
  i.acceptor->set_option(asio::socket_base::reuse_address(true));
  // Frames leave at once. Linux gives accepted sockets the listening one's
  // TCP_NODELAY, so this saves a setsockopt per connection.
  i.acceptor->set_option(tcp::no_delay(true));
  i.acceptor->bind(endpoint);
  i.acceptor->listen(asio::socket_base::max_listen_connections);
  i.do_accept();
  if (!i.ctx.options.metrics_listen.empty()) {
    const auto& listen = i.ctx.options.metrics_listen;
    auto colon = listen.rfind(':');
    if (colon == std::string::npos)
      throw std::invalid_argument("metrics listen address wants ADDR:PORT: " + listen);
    auto host = listen.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
      host = host.substr(1, host.size() - 2);
    tcp::endpoint ops{asio::ip::make_address(host),
                      static_cast<std::uint16_t>(std::stoul(listen.substr(colon + 1)))};
    i.ops_acceptor.emplace(i.first());
    i.ops_acceptor->open(ops.protocol());
    i.ops_acceptor->set_option(asio::socket_base::reuse_address(true));
    i.ops_acceptor->bind(ops);
    i.ops_acceptor->listen();
    i.do_accept_ops();
  }
  for (std::size_t n = 0; n < i.ios.size(); ++n) {
    auto& io = *i.ios[n];
    // Until stop(), even while it has no connection.
    auto work = asio::make_work_guard(io);
    i.threads.emplace_back(
        [&io, &queue = *i.send_queues[n], &sys = i.ctx.system, work = std::move(work)] {
          detail::actor_runner runner(sys);
          detail::actor_runner::scope running_actors(runner);
          detail::send_queue::scope sending(queue);
          io.run();
        });
  }
}

std::uint16_t gateway::port() const { return impl_->acceptor->local_endpoint().port(); }

std::uint16_t gateway::metrics_port() const {
  return impl_->ops_acceptor ? impl_->ops_acceptor->local_endpoint().port() : 0;
}

void gateway::begin_drain() { impl_->ctx.draining.store(true, std::memory_order_relaxed); }

void gateway::stop_accepting() {
  auto& i = *impl_;
  asio::post(i.first(), [&i] {
    boost::system::error_code ignored;
    i.acceptor->close(ignored);
  });
}

void gateway::drain(std::chrono::milliseconds max) {
  auto until = std::chrono::steady_clock::now() + max;
  while (impl_->ctx.writes_in_flight.load(std::memory_order_relaxed) > 0 &&
         std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

void gateway::stop() {
  auto& i = *impl_;
  if (i.threads.empty()) return;
  stop_accepting();
  for (auto& io : i.ios) io->stop();
  for (auto& t : i.threads) t.join();
  i.threads.clear();
  // Handshakes still waiting for allow_request_async let go of their
  // connections now, while the io_contexts exist; later answers do nothing.
  i.ctx.answers->close();
}

}  // namespace sio
