// sid -> connection actor. Every polling request passes through here once to
// find its session; WebSocket traffic goes straight to the connection.
#include "sio/actors/session_registry.hpp"

#include <sys/random.h>

#include <array>
#include <stdexcept>
#include <unordered_map>

#include <caf/stateful_actor.hpp>

#include "sio/actors/atoms.hpp"
#include "sio/actors/heartbeat.hpp"
#include "sio/protocol/base64.hpp"
#include "sio/protocol/engine_io.hpp"

namespace sio {
namespace {

struct registry_state {
  /// Answered once the last session ended, after a shutdown request.
  std::vector<caf::response_promise> shutdown_waiters;
  /// Sessions still to be told to shut down (see drain_some).
  std::vector<caf::actor> to_drain;
  std::size_t drain_per_step = 0;
  std::shared_ptr<const engine_options> options;
  handler_factory make_handler;
  caf::actor heartbeat;  // of every session
  std::unordered_map<std::string, caf::actor> sessions;
  // The sid of each session actor, for when it goes down: a key of
  // `sessions`, which stays put while its entry is there.
  std::unordered_map<caf::actor_addr, const std::string*> sids;
};

using registry_actor = caf::stateful_actor<registry_state>;

caf::actor create_session(registry_actor* self, request_info request, transport_kind transport) {
  auto& st = self->state;
  connection_args setup;
  do {
    setup.sid = make_session_id();
  } while (st.sessions.count(setup.sid) > 0);
  setup.options = st.options;
  setup.request = std::move(request);
  setup.transport = transport;
  setup.heartbeat = st.heartbeat;
  setup.handler = st.make_handler ? st.make_handler() : nullptr;
  auto sid = setup.sid;
  auto session = spawn_connection(*self, std::move(setup));
  self->monitor(session);
  auto entry = st.sessions.emplace(std::move(sid), session).first;
  st.sids.emplace(session.address(), &entry->first);
  return session;
}

const caf::actor* find(registry_actor* self, const std::string& sid) {
  auto it = self->state.sessions.find(sid);
  return it == self->state.sessions.end() ? nullptr : &it->second;
}

void unknown_sid(const http_reply_ptr& reply) {
  reply->fail(400, engineio::error_body(engineio::http_error::unknown_sid));
}

// Steps of a spread shutdown: the sessions are told in this many slices.
constexpr std::size_t drain_steps = 20;

void drain_some(registry_actor* self) {
  auto& st = self->state;
  for (std::size_t i = 0; i < st.drain_per_step && !st.to_drain.empty(); ++i) {
    self->send(st.to_drain.back(), atoms::shutdown::value);
    st.to_drain.pop_back();
  }
  if (!st.to_drain.empty())
    self->delayed_send(self, st.options->shutdown_spread / drain_steps, atoms::drain_step::value);
}

caf::behavior session_registry(registry_actor* self, engine_options options,
                               handler_factory make_handler) {
  self->state.options = std::make_shared<const engine_options>(options);
  self->state.heartbeat = spawn_heartbeat(self->system());
  self->link_to(self->state.heartbeat);  // it ends with the registry
  self->state.make_handler = std::move(make_handler);
  // Shutting down the registry ends every session with it.
  self->set_exit_handler([self](caf::exit_msg& msg) {
    for (auto& [sid, session] : self->state.sessions) self->send_exit(session, msg.reason);
    self->quit(msg.reason);
  });
  self->set_down_handler([self](caf::down_msg& down) {
    auto it = self->state.sids.find(down.source);
    if (it == self->state.sids.end()) return;
    auto session = self->state.sessions.find(*it->second);
    self->state.sids.erase(it);
    self->state.sessions.erase(session);
    if (self->state.sessions.empty()) {
      for (auto& waiter : self->state.shutdown_waiters) waiter.deliver(true);
      self->state.shutdown_waiters.clear();
    }
  });
  return {
      [self](atoms::create, request_info& request, http_reply_ptr& reply) {
        auto session = create_session(self, std::move(request), transport_kind::polling);
        self->send(session, atoms::poll_get::value, std::move(reply));
      },
      [self](atoms::create, request_info& request, ws_link_ptr& link) {
        auto session = create_session(self, std::move(request), transport_kind::websocket);
        self->send(session, atoms::ws_open::value, std::move(link));
      },
      [self](atoms::poll_get, const std::string& sid, http_reply_ptr& reply) {
        if (auto session = find(self, sid))
          self->send(*session, atoms::poll_get::value, std::move(reply));
        else
          unknown_sid(reply);
      },
      [self](atoms::poll_post, const std::string& sid, std::string& body, http_reply_ptr& reply) {
        if (auto session = find(self, sid))
          self->send(*session, atoms::poll_post::value, std::move(body), std::move(reply));
        else
          unknown_sid(reply);
      },
      [self](atoms::poll_begin, const std::string& sid, std::uint64_t token) {
        if (auto session = find(self, sid)) self->send(*session, atoms::poll_begin::value, token);
      },
      [self](atoms::poll_post, const std::string& sid, std::string& body, http_reply_ptr& reply,
             std::uint64_t token) {
        if (auto session = find(self, sid))
          self->send(*session, atoms::poll_post::value, std::move(body), std::move(reply), token);
        else
          unknown_sid(reply);
      },
      [self](atoms::poll_abort, const std::string& sid, std::uint64_t token) {
        if (auto session = find(self, sid)) self->send(*session, atoms::poll_abort::value, token);
      },
      [self](atoms::poll_gone, const std::string& sid, http_reply_ptr& reply) {
        if (auto session = find(self, sid))
          self->send(*session, atoms::poll_gone::value, std::move(reply));
      },
      [self](atoms::ws_open, const std::string& sid, ws_link_ptr& link) {
        if (auto session = find(self, sid))
          self->send(*session, atoms::ws_open::value, std::move(link));
        else
          link->refuse(std::string(engineio::message(engineio::http_error::unknown_sid)));
      },
      [self](atoms::count) { return self->state.sessions.size(); },
      [self](atoms::drain_step) { drain_some(self); },
      [self](atoms::shutdown) -> caf::result<bool> {
        auto& st = self->state;
        if (st.sessions.empty()) return true;
        if (st.options->shutdown_spread.count() > 0 && st.shutdown_waiters.empty()) {
          st.to_drain.clear();
          for (auto& [sid, session] : st.sessions) st.to_drain.push_back(session);
          st.drain_per_step = (st.to_drain.size() + drain_steps - 1) / drain_steps;
          drain_some(self);
        } else if (st.shutdown_waiters.empty()) {
          for (auto& [sid, session] : st.sessions) self->send(session, atoms::shutdown::value);
        }
        st.shutdown_waiters.push_back(self->make_response_promise());
        return st.shutdown_waiters.back();
      },
  };
}

}  // namespace

namespace {

constexpr std::size_t id_bytes = 15;

// The kernel's random bytes, fetched for sixteen ids at a time (as the
// reference's base64id pools them): a handshake makes two ids, and a system
// call for each showed in the connect benchmark.
std::string_view take_random_id_bytes() {
  thread_local std::array<char, 16 * id_bytes> pool{};
  thread_local std::size_t used = pool.size();
  if (used == pool.size()) {
    std::size_t filled = 0;
    while (filled < pool.size()) {
      auto n = getrandom(pool.data() + filled, pool.size() - filled, 0);
      if (n < 0) throw std::runtime_error("getrandom failed");
      filled += static_cast<std::size_t>(n);
    }
    used = 0;
  }
  std::string_view bytes(pool.data() + used, id_bytes);
  used += id_bytes;
  return bytes;
}

}  // namespace

std::string make_session_id() {
  std::string standard;
  base64::encode(take_random_id_bytes(), standard);
  for (auto& c : standard) {  // URL-safe alphabet; 15 bytes need no padding
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return standard;
}

caf::actor spawn_session_registry(caf::actor_system& sys, engine_options options,
                                  handler_factory make_handler) {
  return sys.spawn(session_registry, options, std::move(make_handler));
}

}  // namespace sio
