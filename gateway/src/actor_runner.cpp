#include "actor_runner.hpp"

#include <caf/resumable.hpp>
#include <caf/scheduler/abstract_coordinator.hpp>

namespace sio::detail {
namespace {

// As many messages as a worker would take from one actor before moving on;
// an actor with more waiting goes to the scheduler, so that one busy
// connection cannot hold up the others of its I/O thread.
constexpr std::size_t messages_per_run = 64;

}  // namespace

actor_runner::actor_runner(caf::actor_system& sys) : caf::execution_unit(&sys) {}

actor_runner::~actor_runner() {
  // Nothing should be left (each read runs what it woke), but a woken actor
  // must run somewhere or its mailbox stalls.
  for (auto* job : pending_) system().scheduler().enqueue(job);
}

void actor_runner::exec_later(caf::resumable* job) {
  if (running_) {
    // An actor running here woke another.
    if (wakeups_left_ == 0) {
      system().scheduler().enqueue(job);
      return;
    }
    --wakeups_left_;
  }
  pending_.push_back(job);
}

void actor_runner::run_pending() {
  if (pending_.empty() || running_) return;
  running_ = true;
  wakeups_left_ = local_wakeups;
  // The list grows while it runs: what the jobs wake comes after them.
  for (std::size_t i = 0; i < pending_.size(); ++i) {
    auto* job = pending_[i];
    // Each job holds the reference its enqueue took for it.
    switch (job->resume(this, messages_per_run)) {
      case caf::resumable::resume_later:
        system().scheduler().enqueue(job);  // the reference goes along
        break;
      case caf::resumable::done:
      case caf::resumable::awaiting_message:
        caf::intrusive_ptr_release(job);
        break;
      case caf::resumable::shutdown_execution_unit:
        break;  // only the scheduler's own shutdown jobs say this
    }
  }
  pending_.clear();
  running_ = false;
}

}  // namespace sio::detail
