#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/meta/load_callback.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/timespan.hpp>
#include <caf/typed_actor.hpp>

#include "sio/actors/socketio_types.hpp"

namespace sio {
class server;
}

/// The message interface of the server for actors of the host system: they
/// join and leave rooms, hear the events broadcast there as messages, emit,
/// emit with acknowledgements (the replies come back as the CAF response)
/// and fetch sockets. Every message is serializable, so a host actor may
/// live in another process and reach the server through CAF's middleman
/// (`caf::io::publish` the handle on one side, `caf::io::remote_actor<api>`
/// on the other; both call add_message_types on their config first).
///
/// The handle, `api` (what spawn_api returns):
///
/// | request                                              | response                        |
/// |------------------------------------------------------|---------------------------------|
/// | (join_atom, nsp, room, member)                       | ok_atom, once it is in the room |
/// | (leave_atom, nsp, room, member)                      | ok_atom                         |
/// | (emit_atom, target, event)                           | sockets it was handed to        |
/// | (emit_ack_atom, target, event, timeout)              | every socket's ack, complete    |
/// | (fetch_atom, target)                                 | the selected sockets            |
///
/// What a member receives, once per broadcast that reaches one of its rooms
/// (or the whole namespace), its own emits included:
///
/// | message                          |
/// |----------------------------------|
/// | (event_atom, nsp, event)         |
///
/// Inside, the handle also takes (sio::atoms::run, std::function<void()>)
/// from the collectors of its own broadcasts, and each member has a relay
/// that takes the namespace's (sio::atoms::event, nsp, name, args) and
/// passes it on as (event_atom, nsp, event).
///
/// Each request is answered, also one sent with `send` rather than `request`:
/// then the answer arrives as an ordinary message, which the sender must
/// handle (an unexpected message ends an actor by default).
///
/// An unknown namespace is answered with the error caf::sec::invalid_argument.
/// A member stays in its rooms until it leaves them or terminates (for a
/// remote member: until its node disconnects). The middleman authenticates
/// nobody: publish the handle on a trusted interface (loopback) only.
namespace sio::host {

using join_atom = caf::atom_constant<caf::atom("hostjoin")>;
using leave_atom = caf::atom_constant<caf::atom("hostleave")>;
using emit_atom = caf::atom_constant<caf::atom("hostemit")>;
using emit_ack_atom = caf::atom_constant<caf::atom("hostemack")>;
using fetch_atom = caf::atom_constant<caf::atom("hostfetch")>;
using event_atom = caf::atom_constant<caf::atom("hostevent")>;

/// Who an emit or a fetch selects: `io.of(nsp).to(rooms...).except(except...)`;
/// no rooms: the whole namespace.
struct target {
  std::string nsp = "/";
  std::vector<std::string> rooms;
  std::vector<std::string> except;
};

/// An event: what a host actor emits and what a member hears.
struct event {
  std::string name;
  args arguments;
};

/// One socket's answer to an emit_ack_atom (see sio::socket_ack).
struct ack {
  std::string socket_id;
  ack_status status = ack_status::timed_out;
  args reply;
  /// From the emit to the answer (acked only).
  caf::timespan latency{0};
};

/// A socket as fetch_atom reports it (see sio::remote_socket).
struct socket_info {
  std::string id;
  std::string nsp;
  std::vector<std::string> rooms;
  json data;
  /// `socket.handshake`, as handshake::to_json() makes it.
  json handshake;
};

using api = caf::typed_actor<
    caf::replies_to<join_atom, std::string, std::string, caf::actor>::with<caf::ok_atom>,
    caf::replies_to<leave_atom, std::string, std::string, caf::actor>::with<caf::ok_atom>,
    caf::replies_to<emit_atom, target, event>::with<std::uint64_t>,
    caf::replies_to<emit_ack_atom, target, event, caf::timespan>::with<std::vector<ack>, bool>,
    caf::replies_to<fetch_atom, target>::with<std::vector<socket_info>>>;

/// Spawns the server's host interface on the server's actor system. The
/// namespaces it knows are the ones server::of(name) registered (not dynamic ones); call
/// it after the start, when they are fixed (before, it throws
/// std::logic_error). It ends with the server.
api spawn_api(server& io);

/// Announces the types above to CAF, for messages that cross processes;
/// both sides call it on their actor_system_config before making the system.
void add_message_types(caf::actor_system_config& cfg);

namespace detail {
/// JSON on the wire: CBOR, which keeps binary values.
std::vector<std::uint8_t> to_wire(const json& value);
caf::error from_wire(const std::vector<std::uint8_t>& bytes, json& value);
caf::error from_wire(const std::vector<std::uint8_t>& bytes, args& values);
json to_json(const args& values);
}  // namespace detail

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, target& x) {
  return f(caf::meta::type_name("sio::host::target"), x.nsp, x.rooms, x.except);
}

// Each JSON part travels as its CBOR bytes: made here when the inspector
// reads the value, turned back into JSON once the bytes are loaded.
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, event& x) {
  std::vector<std::uint8_t> bytes;
  if constexpr (Inspector::reads_state) {
    bytes = detail::to_wire(detail::to_json(x.arguments));
    return f(caf::meta::type_name("sio::host::event"), x.name, bytes);
  } else {
    return f(caf::meta::type_name("sio::host::event"), x.name, bytes,
             caf::meta::load_callback([&] { return detail::from_wire(bytes, x.arguments); }));
  }
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, ack& x) {
  std::vector<std::uint8_t> bytes;
  auto status = static_cast<std::uint8_t>(x.status);
  if constexpr (Inspector::reads_state) {
    bytes = detail::to_wire(detail::to_json(x.reply));
    return f(caf::meta::type_name("sio::host::ack"), x.socket_id, status, bytes, x.latency);
  } else {
    return f(caf::meta::type_name("sio::host::ack"), x.socket_id, status, bytes, x.latency,
             caf::meta::load_callback([&]() -> caf::error {
               if (status > static_cast<std::uint8_t>(ack_status::dropped))
                 return caf::make_error(caf::sec::invalid_argument, "sio::host::ack status");
               x.status = static_cast<ack_status>(status);
               return detail::from_wire(bytes, x.reply);
             }));
  }
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, socket_info& x) {
  std::vector<std::uint8_t> data;
  std::vector<std::uint8_t> handshake;
  if constexpr (Inspector::reads_state) {
    data = detail::to_wire(x.data);
    handshake = detail::to_wire(x.handshake);
    return f(caf::meta::type_name("sio::host::socket_info"), x.id, x.nsp, x.rooms, data,
             handshake);
  } else {
    return f(caf::meta::type_name("sio::host::socket_info"), x.id, x.nsp, x.rooms, data,
             handshake, caf::meta::load_callback([&]() -> caf::error {
               if (auto err = detail::from_wire(data, x.data)) return err;
               return detail::from_wire(handshake, x.handshake);
             }));
  }
}

}  // namespace sio::host
