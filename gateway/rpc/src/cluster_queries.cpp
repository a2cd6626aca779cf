#include "cluster_queries.hpp"

#include <algorithm>
#include <memory>
#include <vector>

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

#include "sio/actors/atoms.hpp"
#include "sio/actors/messages.hpp"

namespace sio::rpc {

void count_across_cluster(const broadcast& selected,
                          std::function<void(std::optional<std::size_t>)> done) {
  selected.fetch_sockets_checked(
      [done = std::move(done)](std::vector<remote_socket> sockets, bool complete) {
        if (!complete) return done(std::nullopt);
        done(sockets.size());
      });
}

namespace {

// Gathers one socket_ack per socket, in the actor so no lock is needed.
struct ack_gathering {
  std::vector<socket_ack> acks;
  std::size_t expected = 0;
  bool complete = true;
  socket_acks_callback done;
};

caf::behavior ack_gatherer(caf::event_based_actor* self, std::shared_ptr<ack_gathering> g) {
  return {
      [self, g](atoms::reply, socket_ack& ack) {
        if (ack.status == ack_status::timed_out) g->complete = false;
        g->acks.push_back(std::move(ack));
        if (g->acks.size() < g->expected) return;
        std::sort(g->acks.begin(), g->acks.end(),
                  [](const auto& x, const auto& y) { return x.socket_id < y.socket_id; });
        g->done(std::move(g->acks), g->complete);
        self->quit();
      },
  };
}

}  // namespace

void socket_acks_across_cluster(const broadcast& selected, const namespace_ref& nsp,
                                std::string event, args arguments, bool is_volatile,
                                std::chrono::milliseconds timeout, socket_acks_callback done) {
  auto asked = std::chrono::steady_clock::now();
  selected.fetch_sockets_checked([nsp, event = std::move(event), arguments = std::move(arguments),
                                  is_volatile, timeout, asked, done = std::move(done)](
                                     std::vector<remote_socket> sockets, bool complete) mutable {
    if (sockets.empty()) return done({}, complete);
    // The fetch took part of the time the caller gave.
    auto left = std::max(std::chrono::milliseconds(1),
                         timeout - std::chrono::duration_cast<std::chrono::milliseconds>(
                                       std::chrono::steady_clock::now() - asked));
    auto g = std::make_shared<ack_gathering>();
    g->expected = sockets.size();
    g->complete = complete;
    g->done = std::move(done);
    auto gatherer = nsp.actor().home_system().spawn(ack_gatherer, g);
    for (const auto& s : sockets) {
      auto b = nsp.all().to(s.id).timeout(left);
      if (is_volatile) b.volatile_();
      auto start = std::chrono::steady_clock::now();
      b.emit_with_ack(event, arguments,
                      [gatherer, sid = s.id, start](std::vector<args> replies, bool timed_out) {
                        socket_ack ack;
                        ack.socket_id = sid;
                        if (!replies.empty()) {
                          ack.status = ack_status::acked;
                          ack.reply = std::move(replies.front());
                          ack.latency = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - start);
                        } else {
                          // Nobody counted it anywhere: it left since the fetch.
                          ack.status = timed_out ? ack_status::timed_out : ack_status::disconnected;
                        }
                        caf::anon_send(gatherer, atoms::reply::value, std::move(ack));
                      });
    }
  });
}

}  // namespace sio::rpc
