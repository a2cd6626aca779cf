#pragma once

#include <cstdint>

/// The process-wide count behind the global memory budget over all send
/// queues (gateway_options::max_total_buffered): the WebSocket ones, counted
/// by the gateway's I/O threads, and the packets polling clients have not
/// fetched yet, counted by their connection actors. Each thread sums its
/// own changes and publishes them to the shared total only when they have
/// moved by publish_step, so the hot path (a frame queued, a write done)
/// costs a thread-local add and a compare, never a locked instruction.
namespace sio::detail::send_budget {

/// What one thread may hold back: total() is exact to within this much per
/// thread that ever counted.
constexpr std::int64_t publish_step = 64 * 1024;

/// Counts `delta` bytes queued (negative: written or freed).
void add(std::int64_t delta) noexcept;

/// Bytes queued over all threads, as published.
std::int64_t total() noexcept;

/// Connections whose bytes the kernel did not all take (an asynchronous
/// write under way), or polling connections holding packets no request has
/// fetched yet, process-wide. Changed on that slow path only. Over the
/// budget, each of them may hold budget / backlogged() before it counts as
/// one of the largest.
void backlog_began() noexcept;
void backlog_ended() noexcept;
std::int64_t backlogged() noexcept;

}  // namespace sio::detail::send_budget
