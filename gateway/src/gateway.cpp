#include "sio/gateway/gateway.hpp"

#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "actor_runner.hpp"
#include "context.hpp"
#include "http_session.hpp"
#include "send_queue.hpp"
#include "static_files.hpp"

namespace sio {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct gateway::impl {
  impl(caf::actor_system& sys, caf::actor registry, gateway_options options,
       const engine_options& engine)
      : ctx{sys, std::move(registry), {options, engine},
            detail::static_files::client_version(options.client_dir)} {}

  // One io_context per thread, each connection on one of them: a
  // connection's handlers never run at once without a strand to pay for.
  // The accept call names the peer, which saves a getpeername per
  // connection.
  void do_accept() {
    auto& target = *ios[next_io++ % ios.size()];
    acceptor->async_accept(
        target.get_executor(), peer, [this](boost::system::error_code ec, tcp::socket socket) {
          if (ec == asio::error::operation_aborted) return;
          if (!ec)
            std::make_shared<detail::http_session>(ctx, std::move(socket), peer.address())->start();
          do_accept();
        });
  }

  asio::io_context& first() { return *ios.front(); }

  detail::gateway_context ctx;
  std::vector<std::unique_ptr<asio::io_context>> ios;
  // One per io_context, as long-lived: actors may still send after stop().
  std::vector<std::unique_ptr<detail::send_queue>> send_queues;
  std::size_t next_io = 0;
  std::optional<tcp::acceptor> acceptor;
  tcp::endpoint peer;  // of the connection being accepted
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
}

}  // namespace sio
