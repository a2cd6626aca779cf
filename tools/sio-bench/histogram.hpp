#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace sio_bench {

/// Durations in nanoseconds, log-linear buckets: exact below 256 ns, then
/// 128 buckets per power of two (within 0.8%). Quantiles report a bucket's
/// upper bound, so they never flatter; the maximum is exact.
class histogram {
 public:
  histogram() : buckets_(bucket_count, 0) {}

  void record(std::uint64_t ns) {
    ++buckets_[index(ns)];
    ++count_;
    max_ = std::max(max_, ns);
  }

  void merge(const histogram& other) {
    for (std::size_t i = 0; i < bucket_count; ++i) buckets_[i] += other.buckets_[i];
    count_ += other.count_;
    max_ = std::max(max_, other.max_);
  }

  std::uint64_t count() const { return count_; }
  std::uint64_t max() const { return max_; }

  /// The smallest recorded value v such that a fraction `q` of the values
  /// are at most v (as bucket upper bound); 0 when empty.
  std::uint64_t quantile(double q) const {
    if (count_ == 0) return 0;
    auto rank = static_cast<std::uint64_t>(q * static_cast<double>(count_));
    if (rank >= count_) rank = count_ - 1;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < bucket_count; ++i) {
      seen += buckets_[i];
      if (seen > rank) return std::min(upper_bound(i), max_);
    }
    return max_;
  }

 private:
  static constexpr std::size_t linear = 256;
  static constexpr std::size_t sub = 128;
  static constexpr std::size_t bucket_count = linear + (64 - 8) * sub;

  static std::size_t index(std::uint64_t v) {
    if (v < linear) return static_cast<std::size_t>(v);
    int e = 63 - std::countl_zero(v);  // 8..63
    int shift = e - 7;
    return linear + static_cast<std::size_t>(e - 8) * sub +
           static_cast<std::size_t>((v >> shift) - sub);
  }

  static std::uint64_t upper_bound(std::size_t i) {
    if (i < linear) return i;
    std::size_t e = (i - linear) / sub + 8;
    std::uint64_t m = (i - linear) % sub + sub;
    std::size_t shift = e - 7;
    return ((m + 1) << shift) - 1;
  }

  std::vector<std::uint64_t> buckets_;
  std::uint64_t count_ = 0;
  std::uint64_t max_ = 0;
};

}  // namespace sio_bench
