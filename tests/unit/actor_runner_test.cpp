// The runner that lets an I/O thread run the connection actors it wakes.
#include "actor_runner.hpp"

#include <atomic>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>

namespace {

using sio::detail::actor_runner;
using namespace std::chrono_literals;

// Actors start lazily here: an eagerly spawned one is scheduled for its start
// and would take the first message on a worker, racing with the runner.
struct ActorRunner : ::testing::Test {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
};

TEST_F(ActorRunner, RunsTheWokenActorOnTheCallingThreadAtRunPending) {
  std::atomic<int> seen{0};
  std::thread::id ran_on;
  auto target = sys.spawn<caf::lazy_init>([&](caf::event_based_actor*) -> caf::behavior {
    return {[&](int x) {
      ran_on = std::this_thread::get_id();
      seen.store(x);
    }};
  });
  actor_runner runner(sys);
  runner.deliver(target, 42);
  // Woken, but only marked runnable: no worker has it.
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(seen.load(), 0);
  runner.run_pending();
  EXPECT_EQ(seen.load(), 42);
  EXPECT_EQ(ran_on, std::this_thread::get_id());
  caf::anon_send_exit(target, caf::exit_reason::user_shutdown);
}

TEST_F(ActorRunner, ActorsWokenByARunningOneRunHereUpToTheBudgetThenOnTheWorkers) {
  constexpr int woken = 100;
  std::atomic<int> here{0};
  std::atomic<int> elsewhere{0};
  std::atomic<int> ran{0};
  std::promise<void> all_ran;
  auto caller = std::this_thread::get_id();
  std::vector<caf::actor> seconds;
  for (int i = 0; i < woken; ++i)
    seconds.push_back(sys.spawn<caf::lazy_init>([&](caf::event_based_actor*) -> caf::behavior {
      return {[&](int) {
        if (std::this_thread::get_id() == caller)
          ++here;
        else
          ++elsewhere;
        if (++ran == woken) all_ran.set_value();
      }};
    }));
  std::thread::id first_ran_on;
  auto first = sys.spawn<caf::lazy_init>([&](caf::event_based_actor* self) -> caf::behavior {
    return {[&, self](int x) {
      first_ran_on = std::this_thread::get_id();
      for (auto& s : seconds) self->send(s, x);
    }};
  });
  actor_runner runner(sys);
  runner.deliver(first, 1);
  runner.run_pending();
  EXPECT_EQ(first_ran_on, caller);
  // The budget's worth ran before run_pending returned.
  EXPECT_EQ(here.load(), static_cast<int>(actor_runner::local_wakeups));
  ASSERT_EQ(all_ran.get_future().wait_for(10s), std::future_status::ready);
  EXPECT_EQ(here.load(), static_cast<int>(actor_runner::local_wakeups));
  EXPECT_EQ(elsewhere.load(), woken - static_cast<int>(actor_runner::local_wakeups));
  caf::anon_send_exit(first, caf::exit_reason::user_shutdown);
  for (auto& s : seconds) caf::anon_send_exit(s, caf::exit_reason::user_shutdown);
}

TEST_F(ActorRunner, SendRunsTheTargetAtOnceOnAnIoThreadAndOnAWorkerElsewhere) {
  std::promise<std::thread::id> ran_on;
  auto target = sys.spawn<caf::lazy_init>([&](caf::event_based_actor*) -> caf::behavior {
    return {[&](int) { ran_on.set_value(std::this_thread::get_id()); }};
  });
  actor_runner runner(sys);
  {
    actor_runner::scope on_io_thread(runner);
    actor_runner::send(target, 1);
  }
  auto f = ran_on.get_future();
  ASSERT_EQ(f.wait_for(0s), std::future_status::ready);
  EXPECT_EQ(f.get(), std::this_thread::get_id());

  std::promise<std::thread::id> other_ran_on;
  auto other = sys.spawn<caf::lazy_init>([&](caf::event_based_actor*) -> caf::behavior {
    return {[&](int) { other_ran_on.set_value(std::this_thread::get_id()); }};
  });
  actor_runner::send(other, 2);  // no runner on this thread now
  auto g = other_ran_on.get_future();
  ASSERT_EQ(g.wait_for(10s), std::future_status::ready);
  EXPECT_NE(g.get(), std::this_thread::get_id());
  caf::anon_send_exit(target, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(other, caf::exit_reason::user_shutdown);
}

TEST_F(ActorRunner, AnActorWithMoreMessagesThanOneRunFinishesOnTheWorkersInOrder) {
  constexpr int total = 1000;
  std::vector<int> order;
  std::atomic<int> elsewhere{0};
  std::promise<void> all_in;
  auto caller = std::this_thread::get_id();
  auto target = sys.spawn<caf::lazy_init>([&](caf::event_based_actor*) -> caf::behavior {
    return {[&](int x) {
      order.push_back(x);
      if (std::this_thread::get_id() != caller) ++elsewhere;
      if (x == total - 1) all_in.set_value();
    }};
  });
  actor_runner runner(sys);
  for (int i = 0; i < total; ++i) runner.deliver(target, i);
  runner.run_pending();
  ASSERT_EQ(all_in.get_future().wait_for(10s), std::future_status::ready);
  ASSERT_EQ(order.size(), static_cast<std::size_t>(total));
  for (int i = 0; i < total; ++i) EXPECT_EQ(order[i], i);
  EXPECT_GT(elsewhere.load(), 0);
  EXPECT_LT(elsewhere.load(), total);
  caf::anon_send_exit(target, caf::exit_reason::user_shutdown);
}

TEST_F(ActorRunner, AnActorLeftPendingAtTheEndStillRuns) {
  std::promise<int> got;
  auto target = sys.spawn<caf::lazy_init>(
      [&](caf::event_based_actor*) -> caf::behavior { return {[&](int x) { got.set_value(x); }}; });
  {
    actor_runner runner(sys);
    runner.deliver(target, 7);
  }
  auto f = got.get_future();
  ASSERT_EQ(f.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(f.get(), 7);
  caf::anon_send_exit(target, caf::exit_reason::user_shutdown);
}

TEST_F(ActorRunner, CurrentIsSetOnlyInsideAScope) {
  EXPECT_EQ(actor_runner::current(), nullptr);
  actor_runner runner(sys);
  {
    actor_runner::scope in_scope(runner);
    EXPECT_EQ(actor_runner::current(), &runner);
  }
  EXPECT_EQ(actor_runner::current(), nullptr);
}

}  // namespace
