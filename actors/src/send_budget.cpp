#include "sio/actors/send_budget.hpp"

#include <atomic>

namespace sio::detail::send_budget {
namespace {

std::atomic<std::int64_t> published{0};
std::atomic<std::int64_t> with_backlog{0};

}  // namespace

void add(std::int64_t delta) noexcept {
  thread_local std::int64_t unpublished = 0;
  unpublished += delta;
  if (unpublished >= publish_step || unpublished <= -publish_step) {
    published.fetch_add(unpublished, std::memory_order_relaxed);
    unpublished = 0;
  }
}

std::int64_t total() noexcept { return published.load(std::memory_order_relaxed); }

void backlog_began() noexcept { with_backlog.fetch_add(1, std::memory_order_relaxed); }
void backlog_ended() noexcept { with_backlog.fetch_sub(1, std::memory_order_relaxed); }
std::int64_t backlogged() noexcept { return with_backlog.load(std::memory_order_relaxed); }

}  // namespace sio::detail::send_budget
