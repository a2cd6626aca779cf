#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <unordered_set>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <grpcpp/server_context.h>

#include "convert.hpp"
#include "sio/actors/observer.hpp"
#include "sio/rpc/rpc_options.hpp"
#include "streams.hpp"

namespace sio::rpc {

/// What one WatchEvents stream asked for, checked.
struct watch_settings {
  /// Normalized names; empty: every namespace `who` may watch.
  std::vector<std::string> namespaces;
  /// Bit (1 << observed_kind) for each kind wanted.
  std::uint32_t kinds = 0;
  /// Empty: every event name (client events and server-side emits only).
  std::unordered_set<std::string> event_names;
  bool include_payload = false;
  /// Messages held for a slow reader, besides the one being written.
  std::uint32_t buffer = 1000;
  /// When the buffer is full: end the stream (true) or drop and count.
  bool close_on_overflow = false;
  std::chrono::milliseconds heartbeat{15000};
  const token* who = nullptr;
  std::string node_id;
};

using watch_reactor = stream_reactor<pb::WatchEventsResponse>;

/// The settings `req` asks for, or why they cannot be had.
std::variant<watch_settings, rpc_error> read_watch_request(const pb::WatchEventsRequest& req,
                                                           const token* who,
                                                           const rpc_options& options);

/// Spawns the actor that serves one WatchEvents stream; it begins once sent
/// (begin), after the reactor knows it. It watches `hook`,
/// keeps `seq`, buffers, drops or closes, and sends heartbeats. It sends the
/// stream's headers once it watches, so a caller that got them sees every
/// event from then on. `ended` runs when the stream was finished.
caf::actor spawn_watcher(caf::actor_system& sys, observation_hook& hook, watch_settings settings,
                         grpc::CallbackServerContext* ctx, watch_reactor* reactor,
                         std::function<void()> ended);

}  // namespace sio::rpc
