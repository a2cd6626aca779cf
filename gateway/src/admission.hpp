#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <utility>

#include <boost/asio/ip/address.hpp>

#include "sio/gateway/gateway_options.hpp"

namespace sio::detail {

/// The gateway's limits on connections, answered at accept and at the
/// handshake, before any work: how many connections in all, how many from
/// one address, how fast one address may open sessions. Lock-free: counters
/// per address live in a fixed table of atomics indexed by a hash of the
/// address, so two addresses may share a slot (and then share its limit);
/// with 4096 slots that is rare, and it errs towards refusing.
class admission {
 public:
  explicit admission(const gateway_options& options);

  enum class verdict { ok, max_connections, per_ip };

  /// A connection that was admitted; gives its place back when destroyed.
  /// Moves from the HTTP session to the WebSocket that takes its socket.
  class slot {
   public:
    slot() = default;
    slot(admission* owner, std::uint32_t bucket) : owner_(owner), bucket_(bucket) {}
    slot(slot&& other) noexcept
        : owner_(std::exchange(other.owner_, nullptr)), bucket_(other.bucket_) {}
    slot(const slot&) = delete;
    slot& operator=(const slot&) = delete;
    slot& operator=(slot&& other) noexcept {
      if (this != &other) {
        release();
        owner_ = std::exchange(other.owner_, nullptr);
        bucket_ = other.bucket_;
      }
      return *this;
    }
    ~slot() { release(); }

   private:
    void release() noexcept {
      if (owner_) owner_->leave(bucket_);
      owner_ = nullptr;
    }
    admission* owner_ = nullptr;
    std::uint32_t bucket_ = 0;
  };

  /// At accept. On ok, `out` holds the connection's place. `per_ip`: count
  /// it against its address (not for a trusted proxy).
  verdict admit(const boost::asio::ip::address& peer, bool per_ip, slot& out);

  /// At a handshake: false when `client` opens sessions faster than the
  /// configured rate (a token bucket: `handshake_burst` at once, then
  /// `handshake_rate` per second).
  bool allow_handshake(const boost::asio::ip::address& client);

  /// Connections open now.
  int open() const noexcept { return open_.load(std::memory_order_relaxed); }

 private:
  static constexpr std::size_t buckets = 4096;
  static constexpr std::uint32_t no_bucket = buckets;
  static std::uint32_t bucket_of(const boost::asio::ip::address& a) noexcept;
  void leave(std::uint32_t bucket) noexcept;

  const gateway_options& options_;
  std::atomic<int> open_{0};
  std::unique_ptr<std::array<std::atomic<int>, buckets>> per_ip_;
  /// The generic cell rate algorithm's "theoretical arrival time" per slot,
  /// in microseconds of the steady clock: one atomic word per bucket.
  std::unique_ptr<std::array<std::atomic<std::int64_t>, buckets>> next_handshake_;
};

}  // namespace sio::detail
