#include "admission.hpp"

#include <algorithm>
#include <functional>
#include <string_view>

namespace sio::detail {

admission::admission(const gateway_options& options)
    : options_(options),
      per_ip_(std::make_unique<std::array<std::atomic<int>, buckets>>()),
      next_handshake_(std::make_unique<std::array<std::atomic<std::int64_t>, buckets>>()) {}

std::uint32_t admission::bucket_of(const boost::asio::ip::address& a) noexcept {
  std::size_t h = 0;
  if (a.is_v4()) {
    h = std::hash<std::uint32_t>{}(a.to_v4().to_uint());
  } else {
    auto bytes = a.to_v6().to_bytes();
    h = std::hash<std::string_view>{}(
        std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  }
  // std::hash of an integer is the integer itself: mix it.
  h ^= h >> 16;
  h *= 0x45d9f3bU;
  h ^= h >> 16;
  return static_cast<std::uint32_t>(h % buckets);
}

admission::verdict admission::admit(const boost::asio::ip::address& peer, bool per_ip, slot& out) {
  if (options_.max_connections == 0 && options_.max_connections_per_ip == 0) return verdict::ok;
  auto open_now = open_.fetch_add(1, std::memory_order_relaxed) + 1;
  if (options_.max_connections > 0 &&
      static_cast<std::size_t>(open_now) > options_.max_connections) {
    open_.fetch_sub(1, std::memory_order_relaxed);
    return verdict::max_connections;
  }
  auto bucket = no_bucket;
  if (per_ip && options_.max_connections_per_ip > 0) {
    bucket = bucket_of(peer);
    auto& count = (*per_ip_)[bucket];
    auto from_there = count.fetch_add(1, std::memory_order_relaxed) + 1;
    if (static_cast<std::size_t>(from_there) > options_.max_connections_per_ip) {
      count.fetch_sub(1, std::memory_order_relaxed);
      open_.fetch_sub(1, std::memory_order_relaxed);
      return verdict::per_ip;
    }
  }
  out = slot{this, bucket};
  return verdict::ok;
}

void admission::leave(std::uint32_t bucket) noexcept {
  open_.fetch_sub(1, std::memory_order_relaxed);
  if (bucket != no_bucket) (*per_ip_)[bucket].fetch_sub(1, std::memory_order_relaxed);
}

bool admission::allow_handshake(const boost::asio::ip::address& client) {
  if (options_.handshake_rate <= 0) return true;
  using namespace std::chrono;
  auto now = duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
  auto interval = static_cast<std::int64_t>(1e6 / options_.handshake_rate);
  auto burst = std::max<std::size_t>(options_.handshake_burst, 1);
  auto tolerance = interval * static_cast<std::int64_t>(burst - 1);
  auto& tat = (*next_handshake_)[bucket_of(client)];
  auto seen = tat.load(std::memory_order_relaxed);
  for (;;) {
    auto start = std::max(seen, now);
    if (start - now > tolerance) return false;
    if (tat.compare_exchange_weak(seen, start + interval, std::memory_order_relaxed)) return true;
  }
}

}  // namespace sio::detail
