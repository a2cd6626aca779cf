#include "namespace_actor.hpp"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "sio/actors/adapter_atoms.hpp"
#include "sio/actors/atoms.hpp"
#include "recovery_store.hpp"
#include "sio/actors/messages.hpp"
#include "sio/actors/server_side_emit.hpp"

namespace sio::detail {
namespace {

struct member {
  caf::actor connection;
  std::uint64_t key = 0;
  // Every socket starts in the room named after its id. That membership is
  // this flag rather than entries in the room maps: most sockets never
  // leave it and nobody else joins it, and the entries cost memory per socket.
  bool in_own_room = true;
};

// -- room ---------------------------------------------------------------------

struct room_state {
  std::unordered_map<std::uint64_t, caf::actor> members;
  // Broadcasts received since the last flush. A flush is due whenever this
  // is not empty: it waits behind whatever the mailbox already holds, so
  // broadcasts that queue up while the room is busy reach each member in
  // one message, and each member's socket in one write.
  std::vector<delivery> pending;
  // Whoever asked how many a pending broadcast reached: told after the
  // flush, so that an answer sent on the count to a member arrives behind
  // the broadcast itself.
  std::vector<std::pair<caf::actor, std::size_t>> counts_due;
  // Connections that started a pending broadcast (broadcast_request::
  // handed_out_to), told after the flush for the same reason.
  std::vector<caf::actor> handouts_due;
};

using room_actor_type = caf::stateful_actor<room_state>;

void flush_room(room_actor_type* self) {
  auto& st = self->state;
  if (st.pending.empty()) return;
  auto run = std::make_shared<const std::vector<delivery>>(std::move(st.pending));
  st.pending.clear();
  for (const auto& [key, connection] : st.members)
    self->send(connection, atoms::deliver_run::value, key, run);
  for (const auto& [asker, n] : st.counts_due) self->send(asker, atoms::count::value, n);
  st.counts_due.clear();
  for (const auto& emitter : st.handouts_due) self->send(emitter, atoms::handed_out::value);
  st.handouts_due.clear();
}

caf::behavior room_actor(room_actor_type* self) {
  // Broadcasts received before a join or leave go to the members of that
  // moment.
  return {
      [self](atoms::add_member, std::uint64_t key, caf::actor& connection) {
        flush_room(self);
        self->state.members.emplace(key, std::move(connection));
      },
      [self](atoms::remove_member, std::uint64_t key) {
        flush_room(self);
        self->state.members.erase(key);
        if (self->state.members.empty()) self->quit();
      },
      [self](atoms::fanout, frame_batch& frames, event_ptr& event, caf::actor& count_reply,
             std::size_t count, caf::actor& handed_out_to) {
        auto& st = self->state;
        if (st.pending.empty()) self->send(self, atoms::flush::value);
        st.pending.push_back({std::move(frames), std::move(event)});
        if (count_reply) st.counts_due.emplace_back(std::move(count_reply), count);
        if (handed_out_to) st.handouts_due.push_back(std::move(handed_out_to));
      },
      [self](atoms::flush) { flush_room(self); },
      // The namespace asks before it sends its members anything else.
      [self](atoms::settle) {
        flush_room(self);
        return atoms::settle::value;
      },
  };
}

// -- namespace ----------------------------------------------------------------

struct namespace_state {
  std::string name;
  std::unordered_map<std::string, member> sockets;
  // Explicit memberships: a socket in its own room is not listed (see member).
  std::unordered_map<std::string, std::unordered_set<std::string>> rooms;   // room -> sids
  std::unordered_map<std::string, std::unordered_set<std::string>> joined;  // sid -> rooms
  std::unordered_map<std::string, caf::actor> room_actors;
  // The room actor that may still hold broadcasts for its members (see
  // in_order); at most one at a time.
  caf::actor unsettled;
  // The sockets of each connection, for when it goes down: keys of
  // `sockets`, which stay put while their entry is there.
  std::unordered_multimap<caf::actor_addr, const std::string*> by_connection;
  std::unordered_map<std::string, std::unordered_set<caf::actor>> subscribers;  // room -> actors
  // Connection state recovery, when the server has it on.
  std::unique_ptr<recovery_store> recovery;
  caf::actor adapter;  // the cluster's, if any
  caf::actor listeners;  // runs the host's server-side listeners
  std::shared_ptr<const observation_hook> hook;
};

using namespace_actor = caf::stateful_actor<namespace_state>;

using socket_entry = std::pair<const std::string, member>;

// The socket whose own room `room` is, if it is still in it.
const socket_entry* own_room_member(const namespace_state& st, const std::string& room) {
  auto s = st.sockets.find(room);
  return s != st.sockets.end() && s->second.in_own_room ? &*s : nullptr;
}

// Calls f(sid, member) for every socket in `room`; `sid` is the sockets
// map's own copy of the id, so it outlives the call.
template <class F>
void for_each_member(const namespace_state& st, const std::string& room, F&& f) {
  if (auto owner = own_room_member(st, room)) f(owner->first, owner->second);
  auto it = st.rooms.find(room);
  if (it == st.rooms.end()) return;
  for (const auto& sid : it->second)
    if (auto s = st.sockets.find(sid); s != st.sockets.end()) f(s->first, s->second);
}

bool room_is_empty(const namespace_state& st, const std::string& room) {
  return own_room_member(st, room) == nullptr && st.rooms.count(room) == 0;
}

// Tells the observation hook of a join or leave, when someone watches.
void observe_membership(const namespace_state& st, observed_kind kind, const std::string& sid,
                        const std::string& room) {
  if (!st.hook || !st.hook->watched()) return;
  observed_event e;
  e.kind = kind;
  e.nsp = st.name;
  e.socket_id = sid;
  e.name = room;
  st.hook->notify(std::move(e));
}

void leave_room(namespace_actor* self, const std::string& sid, const std::string& room,
                bool observed = true) {
  auto& st = self->state;
  auto s = st.sockets.find(sid);
  if (room == sid) {
    if (s == st.sockets.end() || !s->second.in_own_room) return;
    s->second.in_own_room = false;
  } else {
    auto it = st.rooms.find(room);
    if (it == st.rooms.end() || it->second.erase(sid) == 0) return;
    if (it->second.empty()) st.rooms.erase(it);
    if (auto j = st.joined.find(sid); j != st.joined.end()) {
      j->second.erase(room);
      if (j->second.empty()) st.joined.erase(j);
    }
    if (observed) observe_membership(st, observed_kind::leave, sid, room);
  }
  auto r = st.room_actors.find(room);
  if (r == st.room_actors.end()) return;
  if (s != st.sockets.end()) self->send(r->second, atoms::remove_member::value, s->second.key);
  if (room_is_empty(st, room)) st.room_actors.erase(r);  // it quits on its last leave
}

void join_room(namespace_actor* self, const std::string& sid, const std::string& room) {
  auto& st = self->state;
  auto s = st.sockets.find(sid);
  if (s == st.sockets.end()) return;
  if (room == sid) {
    if (s->second.in_own_room) return;
    s->second.in_own_room = true;
  } else {
    if (!st.rooms[room].insert(sid).second) return;
    st.joined[sid].insert(room);
    observe_membership(st, observed_kind::join, sid, room);
  }
  auto r = st.room_actors.find(room);
  if (r == st.room_actors.end()) {
    // A socket's own room needs no actor until someone else joins it; the
    // actor then starts with everyone already in the room.
    if (room == sid) return;
    r = st.room_actors.emplace(room, self->spawn(room_actor)).first;
    for_each_member(st, room, [&](const std::string& other, const member& m) {
      if (other != sid) self->send(r->second, atoms::add_member::value, m.key, m.connection);
    });
  }
  self->send(r->second, atoms::add_member::value, s->second.key, s->second.connection);
}

void remove_socket(namespace_actor* self, const std::string& sid) {
  auto& st = self->state;
  if (auto j = st.joined.find(sid); j != st.joined.end()) {
    auto rooms = j->second;  // leave_room edits the set
    // A socket that goes away is reported once, by its connection.
    for (const auto& room : rooms) leave_room(self, sid, room, false);
  }
  leave_room(self, sid, sid, false);
  auto s = st.sockets.find(sid);
  if (s == st.sockets.end()) return;
  auto connection = s->second.connection.address();
  auto [first, last] = st.by_connection.equal_range(connection);
  for (auto c = first; c != last; ++c) {
    if (c->second == &s->first) {
      st.by_connection.erase(c);
      break;
    }
  }
  if (st.by_connection.count(connection) == 0) self->demonitor(s->second.connection);
  st.sockets.erase(s);
}

member* add_socket(namespace_actor* self, const std::string& sid, std::uint64_t key,
                   caf::actor connection) {
  auto& st = self->state;
  auto [s, added] = st.sockets.try_emplace(sid, member{std::move(connection), key});
  if (!added) return nullptr;  // ids are unique: a repeated add changes nothing
  auto& m = s->second;
  auto address = m.connection.address();
  if (st.by_connection.count(address) == 0) self->monitor(m.connection);
  st.by_connection.emplace(address, &s->first);
  // In its own room from the start (in_own_room); a room of that name
  // that others joined before has an actor, which learns of it.
  if (auto r = st.room_actors.find(sid); r != st.room_actors.end())
    self->send(r->second, atoms::add_member::value, m.key, m.connection);
  return &m;
}

// The members selected by rooms (none: everyone) minus the members of the
// excepted rooms, each once: socket.io-adapter's computeExceptSids + apply.
struct selected {
  const std::string* sid;
  const member* m;
};

std::vector<selected> select_members(namespace_actor* self, const std::vector<std::string>& rooms,
                                     const std::vector<std::string>& except) {
  auto& st = self->state;
  std::unordered_set<std::string> excluded;
  for (const auto& room : except)
    for_each_member(st, room, [&](const std::string& sid, const member&) { excluded.insert(sid); });
  std::vector<selected> out;
  if (rooms.empty()) {
    for (const auto& [sid, m] : st.sockets)
      if (!excluded.count(sid)) out.push_back({&sid, &m});
    return out;
  }
  std::unordered_set<std::string> seen;
  for (const auto& room : rooms) {
    for_each_member(st, room, [&](const std::string& sid, const member& m) {
      if (excluded.count(sid) || !seen.insert(sid).second) return;
      out.push_back({&sid, &m});
    });
  }
  return out;
}

// Actors of the host system that subscribed to a room get the event typed.
void notify_subscribers(namespace_actor* self, const broadcast_request& req) {
  auto& st = self->state;
  if (!req.event || st.subscribers.empty()) return;
  std::unordered_set<caf::actor> notified;
  auto notify_room = [&](const std::string& room) {
    auto it = st.subscribers.find(room);
    if (it == st.subscribers.end()) return;
    for (const auto& subscriber : it->second)
      if (notified.insert(subscriber).second)
        self->send(subscriber, atoms::event::value, st.name, req.event->name, req.event->arguments);
  };
  if (req.rooms.empty())
    for (const auto& [room, subscribers] : st.subscribers) notify_room(room);
  else
    for (const auto& room : req.rooms) notify_room(room);
}

// The room actor a broadcast goes through, if any: one room, nothing
// excepted, no acks, and someone joined that room.
// A volatile broadcast whose caller wants the number of recipients: only
// each recipient knows whether it could take it now.
bool counted_volatile(const broadcast_request& req) { return req.is_volatile && req.count_reply; }

caf::actor room_path(const namespace_state& st, const broadcast_request& req) {
  if (req.ack_collector || counted_volatile(req) || !req.except.empty() || req.rooms.size() != 1)
    return {};
  auto r = st.room_actors.find(req.rooms.front());
  return r == st.room_actors.end() ? caf::actor{} : r->second;
}

// Runs `next`, which sends members something by way of `via` (a room
// actor, or none: directly), once no other room actor still holds a
// broadcast for them. A room actor hands out its broadcasts a moment after
// it got them, so without this a later broadcast taking another way could
// overtake an earlier one, as socket.io never lets happen. Until the room
// answered, this actor handles nothing else (await), which keeps the order
// of everything after too. Consecutive broadcasts through one room never
// wait.
template <class F>
void in_order(namespace_actor* self, const caf::actor& via, F next) {
  auto& st = self->state;
  if (!st.unsettled || st.unsettled == via) return next();
  auto room = std::exchange(st.unsettled, caf::actor{});
  self->request(room, caf::infinite, atoms::settle::value)
      .await([next](atoms::settle) mutable { next(); },
             // A room whose last member left has handed out everything.
             [next](caf::error&) mutable { next(); });
}

// A broadcast whose recipients each report their ack by socket id.
void on_broadcast_each(namespace_actor* self, const std::shared_ptr<const broadcast_request>& req) {
  notify_subscribers(self, *req);
  auto targets = select_members(self, req->rooms, req->except);
  std::vector<std::string> sids;
  sids.reserve(targets.size());
  for (const auto& t : targets) sids.push_back(*t.sid);
  // The event is in every recipient's mailbox before anyone hears of it:
  // what the asker sends a recipient next arrives behind it.
  for (const auto& t : targets)
    self->send(t.m->connection, atoms::deliver_acks::value, t.m->key, req, *t.sid);
  if (req->count_reply) self->send(req->count_reply, atoms::count::value, targets.size());
  self->send(req->ack_collector, atoms::expect::value, std::move(sids));
  if (req->handed_out_to) self->send(req->handed_out_to, atoms::handed_out::value);
}

// A counted volatile broadcast: each recipient answers whether it took the
// event, and the count is of those that did. Only callers that asked for a
// count pay for the answers; a plain volatile broadcast goes as any other.
void on_counted_volatile(namespace_actor* self, const broadcast_request& req) {
  auto targets = select_members(self, req.rooms, req.except);
  if (targets.empty()) self->send(req.count_reply, atoms::count::value, std::size_t{0});
  struct tally {
    std::size_t left;
    std::size_t taken;
    caf::actor reply;
  };
  auto t = std::make_shared<tally>(tally{targets.size(), 0, req.count_reply});
  auto answered = [self, t](bool taken) {
    if (taken) ++t->taken;
    if (--t->left == 0) self->send(t->reply, atoms::count::value, t->taken);
  };
  // As a request: a connection that ended meanwhile answers with an error.
  for (const auto& m : targets)
    self->request(m.m->connection, caf::infinite, atoms::deliver::value, atoms::count::value,
                  m.m->key, req.frames, req.event)
        .then([answered](bool taken) { answered(taken); },
              [answered](caf::error&) { answered(false); });
  if (req.handed_out_to) self->send(req.handed_out_to, atoms::handed_out::value);
}

void on_broadcast(namespace_actor* self, const broadcast_request& req) {
  auto& st = self->state;
  notify_subscribers(self, req);
  if (counted_volatile(req)) return on_counted_volatile(self, req);
  // As in on_broadcast_each, the count goes out after the deliveries.
  if (req.ack_collector) {
    auto targets = select_members(self, req.rooms, req.except);
    for (const auto& t : targets)
      self->send(t.m->connection, atoms::deliver_ack::value, t.m->key, req.frames, req.ack_id,
                 req.ack_collector);
    if (req.count_reply) self->send(req.count_reply, atoms::count::value, targets.size());
    self->send(req.ack_collector, atoms::expect::value, targets.size());
    if (req.handed_out_to) self->send(req.handed_out_to, atoms::handed_out::value);
    return;
  }
  if (req.except.empty() && req.rooms.size() == 1) {
    const auto& room = req.rooms.front();
    if (auto r = st.room_actors.find(room); r != st.room_actors.end()) {
      // Counting costs a selection, so only callers who asked pay for it.
      std::size_t count =
          req.count_reply ? select_members(self, req.rooms, req.except).size() : 0;
      self->send(r->second, atoms::fanout::value, req.frames, req.event, req.count_reply, count,
                 req.handed_out_to);
      st.unsettled = r->second;
      return;
    }
  }
  auto targets = select_members(self, req.rooms, req.except);
  for (const auto& t : targets)
    self->send(t.m->connection, atoms::deliver::value, t.m->key, req.frames, req.event);
  if (req.count_reply) self->send(req.count_reply, atoms::count::value, targets.size());
  if (req.handed_out_to) self->send(req.handed_out_to, atoms::handed_out::value);
}

void on_select(namespace_actor* self, const selection_request& req) {
  auto targets = select_members(self, req.rooms, req.except);
  if (req.count_only) {
    self->send(req.count_reply, atoms::count::value, targets.size());
    return;
  }
  if (req.fetch_collector) {
    const auto& collector = req.fetch_collector;
    self->send(collector, atoms::expect::value, targets.size());
    // A connection that ended before the namespace heard of it still looks
    // like a member here, and a plain message to it would vanish: as a
    // request, CAF answers it with an error, and the collector stops
    // waiting for that socket. A connection answers the collector itself
    // (a snapshot, or gone when the socket left meanwhile).
    for (const auto& t : targets)
      self->request(t.m->connection, caf::infinite, atoms::fetch::value, t.m->key, collector)
          .then([] {},
                [self, collector](caf::error&) { self->send(collector, atoms::gone::value); });
    return;
  }
  // The namespace owns membership: joins and leaves take effect here at once
  // (as the reference's adapter does them synchronously), so whatever this
  // actor handles next sees them; the sockets then update their own view.
  auto cmd = req.command;
  bool membership =
      cmd.what == socket_command::kind::join || cmd.what == socket_command::kind::leave;
  std::vector<std::pair<caf::actor, std::uint64_t>> recipients;
  for (const auto& t : targets) recipients.emplace_back(t.m->connection, t.m->key);
  if (membership) {
    std::vector<std::string> sids;  // copies: joining and leaving edit the maps
    for (const auto& t : targets) sids.push_back(*t.sid);
    for (const auto& sid : sids)
      for (const auto& room : cmd.rooms) {
        if (cmd.what == socket_command::kind::join)
          join_room(self, sid, room);
        else
          leave_room(self, sid, room);
      }
    cmd.membership_done = true;
  }
  for (const auto& [connection, key] : recipients) {
    if (!cmd.reply_to) {
      self->send(connection, atoms::socket_command::value, key, cmd);
      continue;
    }
    // One that answers goes as a request for the same reason as a fetch.
    self->request(connection, caf::infinite, atoms::socket_command::value, key, cmd)
        .then([] {},
              [self, to = cmd.reply_to](caf::error&) { self->send(to, atoms::gone::value); });
  }
  if (req.count_reply) self->send(req.count_reply, atoms::count::value, recipients.size());
}

// The messages of connection state recovery; without it they change nothing
// and a claim finds no session.
caf::message_handler recovery_behavior(namespace_actor* self) {
  return {
      [self](atoms::record, const std::string& sid, std::uint64_t offset, frame_batch& frames) {
        if (auto& r = self->state.recovery)
          r->record_direct(sid, offset, std::move(frames), self->clock().now());
      },
      [self](atoms::persist, std::string& pid, std::string& sid, std::vector<std::string>& rooms,
             json& data, std::uint64_t first_offset) {
        auto& st = self->state;
        if (!st.recovery) return;
        self->delayed_send(self, st.recovery->options().max_disconnection_duration,
                           atoms::expire::value, pid);
        st.recovery->persist(
            {std::move(sid), std::move(pid), std::move(rooms), std::move(data), first_offset},
            self->clock().now());
      },
      [self](atoms::claim, const std::string& pid, const json& offset) -> claimed_ptr {
        auto& r = self->state.recovery;
        return r ? r->claim(pid, offset, self->clock().now()) : nullptr;
      },
      [self](atoms::restore, const std::string& pid, const std::string& sid, std::uint64_t key,
             caf::actor& connection) {
        auto& st = self->state;
        std::vector<frame> missed;
        std::vector<std::string> rooms;
        bool restored = st.recovery && st.recovery->replay(pid, missed, rooms);
        // The missed events are in the connection's mailbox before anything
        // this actor or a room actor sends it from now on.
        self->send(connection, atoms::replay::value, key, std::move(missed));
        auto* m = add_socket(self, sid, key, std::move(connection));
        if (!m || !restored) return;
        bool own_room = false;
        for (const auto& room : rooms) {
          if (room == sid)
            own_room = true;
          else
            join_room(self, sid, room);
        }
        if (!own_room) leave_room(self, sid, sid);
      },
      [self](atoms::forget, const std::string& pid) {
        if (auto& r = self->state.recovery) r->forget(pid);
      },
      [self](atoms::expire, const std::string& pid) {
        if (auto& r = self->state.recovery) r->expire(pid, self->clock().now());
      },
  };
}

// What reaches this node goes to the listeners; what this node sends goes
// to the other nodes, if any. Without them, an emit that waits for answers
// has them all at once (none); the listener actor, where host code runs,
// says so.
void on_server_side_emit(namespace_actor* self, const server_side_emit_ptr& req) {
  const auto& st = self->state;
  if (req->here) {
    if (st.listeners) self->send(st.listeners, atoms::server_side_emit::value, req);
    else if (req->on_reached) req->on_reached(0);
  }
  if (req->local) return;
  if (st.adapter) {
    self->send(st.adapter, atoms::server_side_emit::value, req);
  } else if (req->on_replies) {
    auto alone = std::make_shared<server_side_emit_request>();
    alone->local = true;
    alone->on_replies = req->on_replies;
    if (st.listeners)
      self->send(st.listeners, atoms::server_side_emit::value, server_side_emit_ptr(alone));
    else
      req->on_replies(std::nullopt, {});
  }
}

// Delivers `req` here, in order with what came before (see in_order), then
// hands it to the cluster adapter when `publish`.
void deliver_broadcast(namespace_actor* self, const std::shared_ptr<const broadcast_request>& req,
                       bool publish) {
  in_order(self, room_path(self->state, *req), [self, req, publish] {
    if (req->ack_each)
      on_broadcast_each(self, req);
    else if (self->state.recovery)
      on_broadcast(self, *self->state.recovery->stamp(req, self->clock().now()));
    else
      on_broadcast(self, *req);
    if (publish && !req->ack_each) self->send(self->state.adapter, atoms::broadcast::value, req);
  });
}

caf::behavior namespace_behavior(namespace_actor* self, std::string name,
                                 std::optional<recovery_options> recovery,
                                 adapter_factory adapter, caf::actor listeners,
                                 std::shared_ptr<const observation_hook> hook) {
  self->state.name = std::move(name);
  self->state.hook = std::move(hook);
  if (listeners) {
    self->state.listeners = std::move(listeners);
    self->link_to(self->state.listeners);
  }
  if (recovery) self->state.recovery = std::make_unique<recovery_store>(*recovery);
  if (adapter) {
    self->state.adapter =
        adapter(self->system(), self->state.name, caf::actor_cast<caf::actor>(self));
    if (self->state.adapter) self->link_to(self->state.adapter);
  }
  self->set_down_handler([self](caf::down_msg& down) {
    for (auto it = self->state.subscribers.begin(); it != self->state.subscribers.end();) {
      for (auto a = it->second.begin(); a != it->second.end();)
        a = a->address() == down.source ? it->second.erase(a) : std::next(a);
      it = it->second.empty() ? self->state.subscribers.erase(it) : std::next(it);
    }
    std::vector<std::string> sids;  // remove_socket edits by_connection
    auto [first, last] = self->state.by_connection.equal_range(down.source);
    for (auto c = first; c != last; ++c) sids.push_back(*c->second);
    for (const auto& sid : sids) remove_socket(self, sid);
  });
  caf::message_handler cases{
      [self](atoms::add_socket, const std::string& sid, std::uint64_t key, caf::actor& connection) {
        add_socket(self, sid, key, std::move(connection));
      },
      [self](atoms::remove_socket, const std::string& sid) { remove_socket(self, sid); },
      [self](atoms::join, const std::string& sid, const std::string& room) {
        join_room(self, sid, room);
      },
      [self](atoms::leave, const std::string& sid, const std::string& room) {
        leave_room(self, sid, room);
      },
      [self](atoms::broadcast, const std::shared_ptr<const broadcast_request>& req) {
        // The cluster hears of it after the local delivery went out; one
        // with acks gathers replies across nodes, so the adapter publishes it
        // first and puts its gatherer in the collector's place (per-socket
        // acks stay on this node). Awaiting that answer keeps every later
        // broadcast behind this one, here and on the other nodes.
        bool cluster = self->state.adapter && !req->local;
        if (cluster && req->ack_collector && !req->ack_each) {
          self->request(self->state.adapter, caf::infinite, atoms::cluster_acks::value, req)
              .await(
                  [self](std::shared_ptr<const broadcast_request>& local) {
                    deliver_broadcast(self, local, false);
                  },
                  // The adapter is gone (and this namespace with it).
                  [self, req](caf::error&) { deliver_broadcast(self, req, false); });
          return;
        }
        deliver_broadcast(self, req, cluster);
      },
      [self](atoms::select, const std::shared_ptr<const selection_request>& req) {
        // A command (a disconnect, say) reaches a member after the
        // broadcasts sent before it.
        in_order(self, {}, [self, req] {
          if (self->state.adapter && !req->local) {
            if (!req->fetch_collector) on_select(self, *req);
            self->send(self->state.adapter, atoms::select::value, req);
            return;
          }
          on_select(self, *req);
        });
      },
      [self](atoms::server_side_emit, const server_side_emit_ptr& req) {
        on_server_side_emit(self, req);
      },
      [self](atoms::list_rooms) {
        const auto& st = self->state;
        std::vector<std::pair<std::string, std::size_t>> out;
        for (const auto& [room, sids] : st.rooms) {
          // A socket's own room stays hidden, even when others joined it.
          if (st.sockets.count(room)) continue;
          out.emplace_back(room, sids.size());
        }
        std::sort(out.begin(), out.end());
        return out;
      },
      [self](atoms::all_rooms) {
        std::vector<std::string> out;
        for (const auto& [room, members] : self->state.rooms) out.push_back(room);
        for (const auto& [sid, m] : self->state.sockets)
          if (m.in_own_room) out.push_back(sid);
        return out;
      },
      [self](atoms::subscribe, const std::string& room, caf::actor& subscriber) {
        self->monitor(subscriber);
        self->state.subscribers[room].insert(std::move(subscriber));
      },
      [self](atoms::unsubscribe, const std::string& room, const caf::actor& subscriber) {
        auto it = self->state.subscribers.find(room);
        if (it == self->state.subscribers.end()) return;
        it->second.erase(subscriber);
        if (it->second.empty()) self->state.subscribers.erase(it);
      },
  };
  return cases.or_else(recovery_behavior(self));
}

}  // namespace

caf::actor spawn_namespace(caf::actor_system& sys, std::string name,
                           std::optional<recovery_options> recovery, adapter_factory adapter,
                           caf::actor listeners, std::shared_ptr<const observation_hook> hook) {
  return sys.spawn(namespace_behavior, std::move(name), std::move(recovery), std::move(adapter),
                   std::move(listeners), std::move(hook));
}

}  // namespace sio::detail
