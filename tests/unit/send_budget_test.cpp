// The count behind the global send-queue budget: exact to within one publish
// step per thread, whichever threads queue and free.
#include "sio/actors/send_budget.hpp"

#include <cstdlib>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace {

namespace budget = sio::detail::send_budget;

TEST(send_budget, small_changes_wait_until_they_add_up_to_a_step) {
  auto before = budget::total();
  std::thread([&] {
    budget::add(budget::publish_step - 1);
    EXPECT_EQ(budget::total(), before);
    budget::add(1);
    EXPECT_EQ(budget::total(), before + budget::publish_step);
    budget::add(-budget::publish_step);
    EXPECT_EQ(budget::total(), before);
  }).join();
}

TEST(send_budget, threads_that_queue_and_free_leave_the_total_within_their_steps) {
  auto before = budget::total();
  constexpr int threads = 4;
  std::vector<std::thread> workers;
  for (int i = 0; i < threads; ++i)
    workers.emplace_back([] {
      for (int n = 0; n < 100000; ++n) budget::add(1000);
      for (int n = 0; n < 100000; ++n) budget::add(-1000);
    });
  for (auto& w : workers) w.join();
  EXPECT_LE(std::abs(budget::total() - before), threads * budget::publish_step);
}

TEST(send_budget, backlogged_connections_are_counted) {
  auto before = budget::backlogged();
  budget::backlog_began();
  budget::backlog_began();
  EXPECT_EQ(budget::backlogged(), before + 2);
  budget::backlog_ended();
  budget::backlog_ended();
  EXPECT_EQ(budget::backlogged(), before);
}

}  // namespace
