#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/actor.hpp>
#include <caf/atom.hpp>

#include "sio/protocol/json.hpp"

namespace sio::atoms {
/// From the Redis link to a listener: (redis_message, channel, payload).
using redis_message = caf::atom_constant<caf::atom("redismsg")>;
}  // namespace sio::atoms

namespace sio::cluster {

/// Where the Redis server is, and how hard to try reaching it.
struct redis_link_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 6379;
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds command_timeout{2000};
  /// Reconnection waits from `backoff_min` doubling up to `backoff_max`, each
  /// wait drawn at random between half and all of it (so restarted nodes do
  /// not reconnect in lockstep).
  std::chrono::milliseconds backoff_min{100};
  std::chrono::milliseconds backoff_max{3000};
  /// Called on the link's thread when it goes down or comes back (once per
  /// outage, not per message): event name, then details.
  std::function<void(std::string_view event, std::string_view detail)> log;
};

/// Counters of a link, readable from any thread.
struct redis_link_stats {
  std::atomic<std::uint64_t> published{0};
  std::atomic<std::uint64_t> publish_dropped{0};  // the command connection was (or went) down
  std::atomic<std::uint64_t> received{0};
  std::atomic<std::uint64_t> reconnects{0};
  std::atomic<bool> command_up{false};
  std::atomic<bool> subscriber_up{false};
};

/// Parses `redis://HOST:PORT` (PORT defaults to 6379); nothing if malformed.
std::optional<redis_link_options> parse_redis_url(std::string_view url);

/// The process's one connection to Redis: a command connection (PUBLISH,
/// PUBSUB NUMSUB) and a subscriber connection, both hiredis async contexts
/// driven by Asio on a thread of their own, so no actor or gateway thread
/// ever waits on Redis. Every call posts to that thread and returns at once;
/// the link is thereby a mailbox like an actor's. Messages on subscribed
/// channels reach the listening actor as (atoms::redis_message, channel,
/// payload). Either connection that drops is reopened with capped, jittered
/// backoff, and the subscriber renews every subscription.
class redis_link {
 public:
  /// Starts the thread and begins connecting (a Redis that is down is
  /// retried; nothing here fails).
  static std::shared_ptr<redis_link> start(redis_link_options options);
  ~redis_link();
  redis_link(const redis_link&) = delete;
  redis_link& operator=(const redis_link&) = delete;

  /// PUBLISH; dropped and counted while the command connection is down,
  /// and counted as dropped when the connection took it along as it broke.
  void publish(std::string channel, std::string payload);
  /// Any command; `done` runs on the link's thread (it should only send
  /// messages) with the reply, or with nothing on error, timeout, or while
  /// the connection is down.
  void command(std::vector<std::string> argv, std::function<void(std::optional<json>)> done);
  void subscribe(std::string channel, caf::actor listener);
  void psubscribe(std::string pattern, caf::actor listener);
  /// Drops the subscriptions of `listener` (its namespace ended).
  void unsubscribe(const caf::actor& listener);

  const redis_link_stats& stats() const noexcept;

  struct impl;

 private:
  explicit redis_link(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

}  // namespace sio::cluster
