#pragma once

#include <cstddef>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/execution_unit.hpp>
#include <caf/mailbox_element.hpp>
#include <caf/send.hpp>

#include "thread_current.hpp"

namespace sio::detail {

/// Runs the actors that an I/O thread's input wakes on that I/O thread.
///
/// Handing a message read from a socket to the scheduler wakes a worker
/// thread, and the worker's answer wakes the I/O thread again: on a closed
/// loop such as an ack or a handshake, the wake-ups cost more than the work.
/// A message delivered through this unit instead marks its actor runnable
/// here, and run_pending() runs it on the I/O thread. The actors those wake
/// in turn (the registry, a namespace, a new connection) run here too, up to
/// `local_wakeups` of them per run; the rest go to the scheduler, so that a
/// broadcast still spreads its recipients over the workers.
///
/// CAF resumes an actor from one thread at a time whichever unit woke it, so
/// an actor may run here for one message and on a worker for the next.
///
/// current() is the runner of the calling I/O thread (see thread_current).
class actor_runner final : public caf::execution_unit, public thread_current<actor_runner> {
 public:
  /// How many actors woken by actors running here may run here too, per
  /// run_pending(): enough for a handshake's registry, connection and
  /// namespace.
  static constexpr std::size_t local_wakeups = 8;

  explicit actor_runner(caf::actor_system& sys);
  ~actor_runner() override;

  actor_runner(const actor_runner&) = delete;
  actor_runner& operator=(const actor_runner&) = delete;

  /// Delivers `content` to `target`; `target` runs at the next run_pending()
  /// if this message woke it.
  template <class... Ts>
  void deliver(const caf::actor& target, Ts&&... content) {
    target->enqueue(caf::make_mailbox_element(nullptr, caf::make_message_id(), {},
                                              std::forward<Ts>(content)...),
                    this);
  }

  /// Runs the actors woken since the last call.
  void run_pending();

  /// Sends from I/O code: on an I/O thread, the target runs there at the
  /// thread's next run_pending(); elsewhere, the message goes to the
  /// scheduler as an anonymous send.
  template <class... Ts>
  static void post(const caf::actor& target, Ts&&... content) {
    if (auto* runner = current())
      runner->deliver(target, std::forward<Ts>(content)...);
    else
      caf::anon_send(target, std::forward<Ts>(content)...);
  }

  /// As post(), and on an I/O thread the target runs at once.
  template <class... Ts>
  static void send(const caf::actor& target, Ts&&... content) {
    post(target, std::forward<Ts>(content)...);
    if (auto* runner = current()) runner->run_pending();
  }

  void exec_later(caf::resumable* job) override;

 private:
  std::vector<caf::resumable*> pending_;
  std::size_t wakeups_left_ = 0;
  bool running_ = false;
};

}  // namespace sio::detail
