// The per-connection event rate: a burst at once, then the rate, held over
// time rather than only for the first second.
#include "event_rate.hpp"

#include <chrono>

#include <gtest/gtest.h>

namespace {

using clock_type = std::chrono::steady_clock;
using sio::detail::event_rate;
using namespace std::chrono_literals;

TEST(event_rate, admits_the_burst_at_once_then_nothing_until_time_passes) {
  event_rate<clock_type::time_point> limit;
  auto t = clock_type::time_point{} + 1h;
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(limit.admit(t, 10, 5)) << i;
  EXPECT_FALSE(limit.admit(t, 10, 5));
  EXPECT_FALSE(limit.admit(t + 99ms, 10, 5));
  EXPECT_TRUE(limit.admit(t + 100ms, 10, 5));
  EXPECT_FALSE(limit.admit(t + 100ms, 10, 5));
}

TEST(event_rate, holds_the_sustained_rate_under_a_flood) {
  event_rate<clock_type::time_point> limit;
  auto start = clock_type::time_point{} + 1h;
  int admitted = 0;
  // 1000 events a second for ten seconds against 50 a second, burst 20.
  for (int ms = 0; ms < 10000; ++ms)
    if (limit.admit(start + std::chrono::milliseconds(ms), 50, 20)) ++admitted;
  EXPECT_GE(admitted, 20 + 50 * 10 - 1);
  EXPECT_LE(admitted, 20 + 50 * 10 + 1);
}

TEST(event_rate, a_quiet_connection_gets_its_burst_back_but_no_more) {
  event_rate<clock_type::time_point> limit;
  auto t = clock_type::time_point{} + 1h;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limit.admit(t, 1, 3));
  EXPECT_FALSE(limit.admit(t, 1, 3));
  t += 1min;  // idle far longer than a burst's worth
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limit.admit(t, 1, 3)) << i;
  EXPECT_FALSE(limit.admit(t, 1, 3));
}

}  // namespace
