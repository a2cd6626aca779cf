#include "sio/actors/host.hpp"

#include <map>
#include <set>
#include <stdexcept>
#include <utility>

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "server_state.hpp"
#include "sio/actors/atoms.hpp"
#include "sio/actors/messages.hpp"
#include "sio/actors/server.hpp"

namespace sio::host {

// -- JSON on the wire -----------------------------------------------------------

namespace detail {

std::vector<std::uint8_t> to_wire(const json& value) { return json::to_cbor(value); }

caf::error from_wire(const std::vector<std::uint8_t>& bytes, json& value) {
  // Never throws: a peer's bytes that are no CBOR become an error.
  auto parsed = json::from_cbor(bytes, true, false);
  if (parsed.is_discarded())
    return caf::make_error(caf::sec::invalid_argument, "sio::host: JSON value is no valid CBOR");
  value = std::move(parsed);
  return caf::none;
}

caf::error from_wire(const std::vector<std::uint8_t>& bytes, args& values) {
  json array;
  if (auto err = from_wire(bytes, array)) return err;
  if (!array.is_array())
    return caf::make_error(caf::sec::invalid_argument, "sio::host: arguments are no array");
  values.clear();
  values.reserve(array.size());
  for (auto& value : array) values.push_back(std::move(value));
  return caf::none;
}

json to_json(const args& values) {
  json array = json::array();
  for (const auto& value : values) array.push_back(value);
  return array;
}

}  // namespace detail

void add_message_types(caf::actor_system_config& cfg) {
  cfg.add_message_type<target>("sio::host::target");
  cfg.add_message_type<event>("sio::host::event");
  cfg.add_message_type<std::vector<ack>>("std::vector<sio::host::ack>");
  cfg.add_message_type<std::vector<socket_info>>("std::vector<sio::host::socket_info>");
}

namespace {

// What the namespace tells its subscribers, (atoms::event, nsp, name, args),
// passed on to one member as (event_atom, nsp, event). One relay per member
// and namespace, so that a broadcast to several of its rooms reaches it once.
caf::behavior relay(caf::event_based_actor* self, caf::actor member) {
  return {
      [self, member](atoms::event, std::string& nsp, std::string& name, args& arguments) {
        self->send(member, event_atom::value, std::move(nsp),
                   event{std::move(name), std::move(arguments)});
      },
  };
}

// The interface plus what its own broadcasts hand back: the collectors of
// counts, acks and fetches run their callbacks here, as (run, closure).
using impl = api::extend<caf::reacts_to<atoms::run, std::function<void()>>>;

struct membership {
  caf::actor handle;
  /// Per namespace: the relay and the member's rooms there.
  std::map<std::string, std::pair<caf::actor, std::set<std::string>>> namespaces;
};

struct api_state {
  std::shared_ptr<const sio::detail::server_state> server;
  std::map<caf::actor_addr, membership> members;
};

using api_actor = impl::stateful_pointer<api_state>;

std::optional<namespace_ref> find(api_actor self, const std::string& nsp) {
  return sio::detail::server_access::find(self->state.server, nsp);
}

caf::error no_namespace(const std::string& nsp) {
  return caf::make_error(caf::sec::invalid_argument, "sio::host: no namespace " + nsp);
}

// The broadcast `to` selects, with its callbacks run inside the api actor.
broadcast selection(api_actor self, const namespace_ref& nsp, const target& to) {
  broadcast b{nsp.actor(), nsp.name(), caf::actor_cast<caf::actor>(self),
              self->state.server->options.default_ack_timeout};
  for (const auto& room : to.rooms) b.to(room);
  for (const auto& room : to.except) b.except(room);
  return b;
}

socket_info info_of(remote_socket& s) {
  return socket_info{std::move(s.id), std::move(s.nsp),
                     std::vector<std::string>(s.rooms.begin(), s.rooms.end()),
                     std::move(s.data), s.handshake_info.to_json()};
}

impl::behavior_type api_behavior(api_actor self, std::shared_ptr<const sio::detail::server_state> server) {
  self->state.server = std::move(server);
  // It ends with the server: the main namespace always exists and ends then.
  if (auto main = find(self, "/")) self->monitor(main->actor());
  self->set_down_handler([self](caf::down_msg& down) {
    auto it = self->state.members.find(down.source);
    if (it == self->state.members.end()) {
      // The main namespace: the server is gone.
      for (auto& [addr, m] : self->state.members)
        for (auto& [nsp, entry] : m.namespaces) self->send_exit(entry.first, caf::exit_reason::user_shutdown);
      self->quit();
      return;
    }
    // A member ended: its relays end too, and the namespaces drop them.
    for (auto& [nsp, entry] : it->second.namespaces)
      self->send_exit(entry.first, caf::exit_reason::user_shutdown);
    self->state.members.erase(it);
  });
  return {
      [self](join_atom, const std::string& nsp_name, const std::string& room,
             const caf::actor& member) -> caf::result<caf::ok_atom> {
        auto nsp = find(self, nsp_name);
        if (!nsp) return no_namespace(nsp_name);
        if (!member) return caf::make_error(caf::sec::invalid_argument, "sio::host: no member");
        auto& m = self->state.members[member.address()];
        if (!m.handle) {
          m.handle = member;
          self->monitor(member);
        }
        auto& [relay_actor, rooms] = m.namespaces[nsp->name()];
        if (!relay_actor) relay_actor = self->spawn(relay, member);
        rooms.insert(room);
        // Answered once the namespace took it: broadcasts it handles later reach the member.
        auto rp = self->make_response_promise<caf::ok_atom>();
        self->request(nsp->actor(), caf::infinite, atoms::subscribe::value, room, relay_actor)
            .then([rp]() mutable { rp.deliver(caf::ok_atom::value); },
                  [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
        return rp;
      },
      [self](leave_atom, const std::string& nsp_name, const std::string& room,
             const caf::actor& member) -> caf::result<caf::ok_atom> {
        auto nsp = find(self, nsp_name);
        if (!nsp) return no_namespace(nsp_name);
        auto m = self->state.members.find(member.address());
        if (m == self->state.members.end()) return caf::ok_atom::value;
        auto entry = m->second.namespaces.find(nsp->name());
        if (entry == m->second.namespaces.end() || entry->second.second.erase(room) == 0)
          return caf::ok_atom::value;
        auto relay_actor = entry->second.first;
        // Its last room in this namespace: the relay goes once the namespace let it go.
        bool last = entry->second.second.empty();
        if (last) {
          m->second.namespaces.erase(entry);
          if (m->second.namespaces.empty()) {
            self->demonitor(member);
            self->state.members.erase(m);
          }
        }
        auto rp = self->make_response_promise<caf::ok_atom>();
        self->request(nsp->actor(), caf::infinite, atoms::unsubscribe::value, room, relay_actor)
            .then(
                [self, rp, relay_actor, last]() mutable {
                  if (last) self->send_exit(relay_actor, caf::exit_reason::user_shutdown);
                  rp.deliver(caf::ok_atom::value);
                },
                [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
        return rp;
      },
      [self](emit_atom, const target& to, event& e) -> caf::result<std::uint64_t> {
        auto nsp = find(self, to.nsp);
        if (!nsp) return no_namespace(to.nsp);
        auto rp = self->make_response_promise<std::uint64_t>();
        selection(self, *nsp, to).emit(e.name, std::move(e.arguments),
                                       [rp](std::size_t n) mutable { rp.deliver(std::uint64_t{n}); });
        return rp;
      },
      [self](emit_ack_atom, const target& to, event& e,
             caf::timespan timeout) -> caf::result<std::vector<ack>, bool> {
        auto nsp = find(self, to.nsp);
        if (!nsp) return no_namespace(to.nsp);
        auto rp = self->make_response_promise<std::vector<ack>, bool>();
        auto b = selection(self, *nsp, to);
        if (timeout.count() > 0)
          b.timeout(std::chrono::duration_cast<std::chrono::milliseconds>(timeout));
        b.emit_with_socket_acks(
            e.name, std::move(e.arguments),
            [rp](std::vector<socket_ack> acks, bool complete) mutable {
              std::vector<ack> out;
              out.reserve(acks.size());
              for (auto& a : acks)
                out.push_back(ack{std::move(a.socket_id), a.status, std::move(a.reply),
                                  std::chrono::duration_cast<caf::timespan>(a.latency)});
              rp.deliver(std::move(out), complete);
            });
        return rp;
      },
      [self](fetch_atom, const target& to) -> caf::result<std::vector<socket_info>> {
        auto nsp = find(self, to.nsp);
        if (!nsp) return no_namespace(to.nsp);
        auto rp = self->make_response_promise<std::vector<socket_info>>();
        selection(self, *nsp, to).fetch_sockets([rp](std::vector<remote_socket> sockets) mutable {
          std::vector<socket_info> out;
          out.reserve(sockets.size());
          for (auto& s : sockets) out.push_back(info_of(s));
          rp.deliver(std::move(out));
        });
        return rp;
      },
      [](atoms::run, std::function<void()>& closure) { closure(); },
  };
}

}  // namespace

api spawn_api(server& io) {
  auto state = sio::detail::server_access::state(io);
  if (!state->frozen->load())
    throw std::logic_error(
        "sio::host::spawn_api before the server started: its namespaces are not fixed yet");
  return io.system().spawn(api_behavior, std::move(state));
}

}  // namespace sio::host
