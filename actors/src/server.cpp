#include "sio/actors/server.hpp"

#include <algorithm>
#include <stdexcept>

#include <caf/send.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "client_layer.hpp"
#include "collectors.hpp"
#include "namespace_actor.hpp"
#include "server_side_listeners.hpp"
#include "server_state.hpp"
#include "sio/actors/atoms.hpp"
#include "sio/actors/messages.hpp"

namespace sio {

// -- namespace_ref ------------------------------------------------------------

void namespace_ref::check_not_started(const char* what) const {
  if (frozen_ && frozen_->load())
    throw std::logic_error("sio::namespace_ref::" + std::string(what) + " on namespace " +
                           config_->name +
                           " after the server started: configure namespaces before the start");
}

namespace_ref& namespace_ref::use(middleware m) {
  check_not_started("use()");
  config_->middlewares.push_back(std::move(m));
  return *this;
}

namespace_ref& namespace_ref::on_connection(connection_handler h) {
  check_not_started("on_connection()");
  config_->on_connection.push_back(std::move(h));
  return *this;
}

const std::string& namespace_ref::name() const noexcept { return config_->name; }

broadcast namespace_ref::all() const {
  return broadcast{actor_, name(), {}, config_->default_ack_timeout};
}

void namespace_ref::subscribe(const std::string& room, const caf::actor& subscriber) const {
  if (actor_) caf::anon_send(actor_, atoms::subscribe::value, room, subscriber);
}

void namespace_ref::unsubscribe(const std::string& room, const caf::actor& subscriber) const {
  if (actor_) caf::anon_send(actor_, atoms::unsubscribe::value, room, subscriber);
}

void namespace_ref::set_data(const std::string& sid, json data, bool merge,
                             std::function<void(std::optional<json>)> done) const {
  if (!actor_) return done(std::nullopt);
  auto collector = detail::spawn_set_data_collector(actor_.home_system(), std::move(done));
  auto req = std::make_shared<selection_request>();
  req->rooms = {sid};
  req->command.what = socket_command::kind::set_data;
  req->command.data = std::move(data);
  req->command.merge = merge;
  req->command.reply_to = collector;
  req->count_reply = collector;
  caf::anon_send(actor_, atoms::select::value, std::shared_ptr<const selection_request>(req));
}

void namespace_ref::list_rooms(
    std::function<void(std::vector<std::pair<std::string, std::size_t>>)> done) const {
  if (!actor_) return done({});
  actor_.home_system().spawn([nsp = actor_, done = std::move(done)](caf::event_based_actor* self) {
    self->request(nsp, caf::infinite, atoms::list_rooms::value)
        .then([done](std::vector<std::pair<std::string, std::size_t>>& rooms) {
          done(std::move(rooms));
        });
  });
}

namespace_ref& namespace_ref::on_server_side_emit(std::string event,
                                                 server_side_listener listener) {
  check_not_started("on_server_side_emit()");
  config_->server_side_listeners[std::move(event)].push_back(std::move(listener));
  return *this;
}

void namespace_ref::server_side_emit(std::string_view event, args arguments) const {
  if (!actor_) return;
  auto req = std::make_shared<server_side_emit_request>();
  req->event = std::string(event);
  req->arguments = std::move(arguments);
  caf::anon_send(actor_, atoms::server_side_emit::value, server_side_emit_ptr(std::move(req)));
}

void namespace_ref::server_side_emit_with_ack(std::string_view event, args arguments,
                                              server_side_replies done,
                                              std::chrono::milliseconds timeout) const {
  if (!actor_) return done(std::nullopt, {});
  auto req = std::make_shared<server_side_emit_request>();
  req->event = std::string(event);
  req->arguments = std::move(arguments);
  req->on_replies = std::move(done);
  req->timeout = timeout;
  caf::anon_send(actor_, atoms::server_side_emit::value, server_side_emit_ptr(std::move(req)));
}

void namespace_ref::server_side_emit_everywhere(std::string_view event, args arguments,
                                                std::function<void(std::size_t)> reached) const {
  if (!actor_) {
    if (reached) reached(0);
    return;
  }
  auto req = std::make_shared<server_side_emit_request>();
  req->event = std::string(event);
  req->arguments = std::move(arguments);
  req->here = true;
  req->on_reached = std::move(reached);
  caf::anon_send(actor_, atoms::server_side_emit::value, server_side_emit_ptr(std::move(req)));
}

// -- server -------------------------------------------------------------------

server::server(caf::actor_system& sys, socketio_options options, std::size_t max_payload)
    : state_(std::make_shared<detail::server_state>(
          detail::server_state{sys, options, max_payload, {}, {}, {}})) {
  state_->hook = std::make_shared<observation_hook>(sys);
  state_->directory = detail::spawn_namespace_directory(sys, state_);
  // As in the reference, the main namespace always exists.
  of("/");
}

server::~server() {
  for (auto& [name, entry] : state_->namespaces)
    caf::anon_send_exit(entry.actor, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(state_->directory, caf::exit_reason::user_shutdown);
  state_->hook->close();
}

namespace_ref server::of(const std::string& name) {
  auto normalized = name.empty() || name.front() != '/' ? "/" + name : name;
  auto it = state_->namespaces.find(normalized);
  if (it == state_->namespaces.end()) {
    if (state_->frozen->load())
      throw std::logic_error("sio::server::of(\"" + normalized +
                             "\"): a new namespace after the server started; create every "
                             "namespace before the start (dynamic ones with of(pattern))");
    auto config = std::make_shared<detail::namespace_config>();
    config->name = normalized;
    config->default_ack_timeout = state_->options.default_ack_timeout;
    auto listeners = detail::spawn_server_side_listeners(state_->system, config, state_->frozen,
                                                          state_->hook);
    auto actor = detail::spawn_namespace(state_->system, normalized,
                                         state_->options.connection_state_recovery,
                                         state_->options.adapter, std::move(listeners),
                                         state_->hook);
    it = state_->namespaces.emplace(normalized, detail::namespace_entry{config, actor}).first;
  }
  return namespace_ref{std::const_pointer_cast<detail::namespace_config>(it->second.config),
                       it->second.actor, state_->frozen};
}

std::optional<namespace_ref> server::find(const std::string& name) const {
  return detail::server_access::find(state_, name);
}

std::optional<namespace_ref> detail::server_access::find(
    const std::shared_ptr<const server_state>& state, const std::string& name) {
  auto normalized = name.empty() || name.front() != '/' ? "/" + name : name;
  auto it = state->namespaces.find(normalized);
  if (it == state->namespaces.end()) return std::nullopt;
  return namespace_ref{std::const_pointer_cast<namespace_config>(it->second.config),
                       it->second.actor, state->frozen};
}

namespace_ref server::of(const std::regex& pattern) {
  return of([pattern](const std::string& name, const json&) {
    return std::regex_match(name, pattern);
  });
}

namespace_ref server::of(std::function<bool(const std::string&, const json&)> predicate) {
  if (state_->frozen->load())
    throw std::logic_error(
        "sio::server::of(pattern): dynamic namespaces after the server started; add every "
        "rule before the start");
  auto config = std::make_shared<detail::namespace_config>();
  config->name = "(dynamic)";
  config->default_ack_timeout = state_->options.default_ack_timeout;
  state_->dynamic.push_back({std::move(predicate), config});
  // The parent of dynamic namespaces has no members of its own to broadcast to.
  return namespace_ref{config, caf::actor{}, state_->frozen};
}

handler_factory server::session_handlers() {
  state_->frozen->store(true);
  std::shared_ptr<const detail::server_state> state = state_;
  return [state] { return std::make_unique<detail::client_layer>(state); };
}

const socketio_options& server::options() const noexcept { return state_->options; }

observation_hook& server::observer() const noexcept { return *state_->hook; }

void server::resolve(const std::string& name,
                     std::function<void(std::optional<namespace_ref>)> done) const {
  if (auto found = find(name)) return done(std::move(found));
  auto normalized = name.empty() || name.front() != '/' ? "/" + name : name;
  auto state = state_;
  state_->system.spawn([state, normalized, done = std::move(done)](caf::event_based_actor* self) {
    self->request(state->directory, caf::infinite, atoms::get_namespace::value, normalized, json::object())
        .then(
            [state, normalized, done](caf::actor& actor, std::uint64_t rule) {
              // The rule's configuration under the namespace's own name, which
              // its broadcasts carry.
              auto config = std::make_shared<detail::namespace_config>(*state->dynamic.at(rule).config);
              config->name = normalized;
              done(namespace_ref{config, std::move(actor), state->frozen});
            },
            [done](caf::error&) { done(std::nullopt); });
  });
}

void server::list_namespaces(std::function<void(std::vector<std::string>)> done) const {
  // The registered ones stay as they are once the server started.
  std::vector<std::string> names;
  for (const auto& [name, entry] : state_->namespaces) names.push_back(name);
  state_->system.spawn([directory = state_->directory, names = std::move(names),
                        done = std::move(done)](caf::event_based_actor* self) mutable {
    auto finish = [names, done](std::vector<std::string> made) mutable {
      names.insert(names.end(), made.begin(), made.end());
      std::sort(names.begin(), names.end());
      done(std::move(names));
    };
    self->request(directory, caf::infinite, atoms::list_namespaces::value)
        .then([finish](std::vector<std::string>& made) mutable { finish(std::move(made)); },
              [finish](caf::error&) mutable { finish({}); });
  });
}

caf::actor_system& server::system() const noexcept { return state_->system; }

// -- the directory of dynamic namespaces ---------------------------------------

namespace detail {
namespace {

struct directory_state {
  std::shared_ptr<server_state> server;
  std::unordered_map<std::string, std::pair<caf::actor, std::uint64_t>> created;
};

caf::behavior directory(caf::stateful_actor<directory_state>* self,
                        std::shared_ptr<server_state> server) {
  self->state.server = std::move(server);
  return {
      [self](atoms::get_namespace, const std::string& name,
             const json& auth) -> caf::result<caf::actor, std::uint64_t> {
        auto& st = self->state;
        if (auto it = st.created.find(name); it != st.created.end())
          return {it->second.first, it->second.second};
        const auto& rules = st.server->dynamic;
        for (std::uint64_t i = 0; i < rules.size(); ++i) {
          if (!rules[i].matches(name, auth)) continue;
          auto listeners =
              spawn_server_side_listeners(self->system(), rules[i].config, st.server->frozen,
                                          st.server->hook);
          auto actor = spawn_namespace(self->system(), name,
                                       st.server->options.connection_state_recovery,
                                       st.server->options.adapter, std::move(listeners),
                                       st.server->hook);
          st.created.emplace(name, std::make_pair(actor, i));
          return {actor, i};
        }
        return caf::make_error(caf::sec::invalid_argument, "Invalid namespace");
      },
      [self](atoms::list_namespaces) {
        std::vector<std::string> names;
        for (const auto& [name, made] : self->state.created) names.push_back(name);
        return names;
      },
  };
}

}  // namespace

caf::actor spawn_namespace_directory(caf::actor_system& sys, std::shared_ptr<server_state> state) {
  return sys.spawn(directory, std::move(state));
}

}  // namespace detail
}  // namespace sio
