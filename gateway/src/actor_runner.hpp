#pragma once

#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/execution_unit.hpp>
#include <caf/mailbox_element.hpp>

namespace sio::detail {

/// Runs connection actors on the I/O thread that read their input.
///
/// Handing a message read from a socket to the scheduler wakes a worker
/// thread, and the worker's answer wakes the I/O thread again: on a closed
/// loop such as an ack, the two wake-ups cost more than the work. A message a
/// session delivers through this unit instead marks its actor runnable here,
/// and run_pending() runs it after the read, on the I/O thread. What that
/// actor sends to other actors (rooms, namespaces) goes to the scheduler as
/// before, so broadcasts still spread over the workers.
///
/// CAF resumes an actor from one thread at a time whichever unit woke it, so
/// an actor may run here for one message and on a worker for the next.
class actor_runner final : public caf::execution_unit {
 public:
  explicit actor_runner(caf::actor_system& sys);
  ~actor_runner() override;

  actor_runner(const actor_runner&) = delete;
  actor_runner& operator=(const actor_runner&) = delete;

  /// The runner of the calling I/O thread; null on any other thread.
  static actor_runner* current() noexcept;

  /// Marks this thread's I/O loop as running actors on `runner` until the
  /// guard goes.
  class scope {
   public:
    explicit scope(actor_runner& runner) noexcept;
    ~scope();
    scope(const scope&) = delete;
    scope& operator=(const scope&) = delete;
  };

  /// Delivers `content` to `target`; `target` runs at the next run_pending()
  /// if this message woke it.
  template <class... Ts>
  void deliver(const caf::actor& target, Ts&&... content) {
    target->enqueue(caf::make_mailbox_element(nullptr, caf::make_message_id(), {},
                                              std::forward<Ts>(content)...),
                    this);
  }

  /// Runs the actors woken by deliver() since the last call.
  void run_pending();

  void exec_later(caf::resumable* job) override;

 private:
  std::vector<caf::resumable*> pending_;
  std::vector<caf::resumable*> running_list_;
  bool running_ = false;
};

}  // namespace sio::detail
