#include "sio/actors/metrics.hpp"

#include <algorithm>
#include <memory>
#include <mutex>
#include <utility>

namespace sio::metrics {
namespace {

// The blocks of every thread that ever counted. A thread's block outlives
// the thread, so that what it counted stays in the totals. The lock is taken
// when a thread counts for the first time, when a namespace is first seen,
// and by scrapes; never on a hot path.
struct registry {
  std::mutex lock;
  std::vector<std::unique_ptr<thread_block>> blocks;
  std::vector<std::string> namespaces;
};

registry& all() {
  static auto* r = new registry;  // never destroyed: threads may count during exit
  return *r;
}

thread_block* make_block() {
  auto& r = all();
  std::lock_guard guard{r.lock};
  r.blocks.push_back(std::make_unique<thread_block>());
  return r.blocks.back().get();
}

std::size_t shared_slot(const std::string& name) {
  auto& r = all();
  std::lock_guard guard{r.lock};
  auto it = std::find(r.namespaces.begin(), r.namespaces.end(), name);
  if (it != r.namespaces.end()) return static_cast<std::size_t>(it - r.namespaces.begin());
  if (r.namespaces.size() >= max_namespace_labels) return max_namespace_labels;
  r.namespaces.push_back(name);
  return r.namespaces.size() - 1;
}

}  // namespace

thread_block& local() noexcept {
  thread_local thread_block* block = make_block();
  return *block;
}

void ack_latency(std::int64_t micros) noexcept {
  auto& b = local();
  double seconds = static_cast<double>(micros) / 1e6;
  auto bucket = static_cast<std::size_t>(
      std::lower_bound(ack_latency_bounds.begin(), ack_latency_bounds.end(), seconds) -
      ack_latency_bounds.begin());
  bump(b.ack_latency[bucket]);
  bump(b.ack_latency_micros, micros);
}

std::size_t namespace_slot(const std::string& name) {
  // A thread asks for the same few namespaces again and again: it keeps what
  // it was told, so the lock is taken once per namespace and thread.
  thread_local std::vector<std::pair<std::string, std::size_t>> known;
  for (const auto& [n, slot] : known)
    if (n == name) return slot;
  auto slot = shared_slot(name);
  if (known.size() < max_namespace_labels) known.emplace_back(name, slot);
  return slot;
}

totals sum() {
  totals t;
  auto& r = all();
  std::lock_guard guard{r.lock};
  auto load = [](const std::atomic<std::int64_t>& a) { return a.load(std::memory_order_relaxed); };
  for (const auto& b : r.blocks) {
    for (std::size_t i = 0; i < t.counters.size(); ++i) t.counters[i] += load(b->counters[i]);
    for (std::size_t i = 0; i < t.closed_by_reason.size(); ++i)
      t.closed_by_reason[i] += load(b->closed_by_reason[i]);
    for (std::size_t i = 0; i < t.rejected.size(); ++i) t.rejected[i] += load(b->rejected[i]);
    for (std::size_t i = 0; i < t.sockets.size(); ++i)
      t.sockets[i] += load(b->sockets_joined[i]) - load(b->sockets_left[i]);
    for (std::size_t i = 0; i < t.ack_latency.size(); ++i)
      t.ack_latency[i] += load(b->ack_latency[i]);
    t.ack_latency_micros += load(b->ack_latency_micros);
  }
  t.namespaces = r.namespaces;
  return t;
}

}  // namespace sio::metrics
