#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "sio/protocol/query.hpp"

namespace sio {

/// What the handshake request looked like; Socket.IO hands it to
/// applications as `socket.handshake`. Every connection keeps one for its
/// whole life, so the URL, address and headers share one string: a vector of
/// string pairs cost an idle connection about half a kilobyte more.
class request_info {
 public:
  bool secure = false;
  /// A plain WebSocket client (no Engine.IO or Socket.IO framing): it cannot
  /// come back for a session, so connection state recovery leaves it out and
  /// its events carry no offsets.
  bool plain = false;
  std::chrono::system_clock::time_point issued = std::chrono::system_clock::now();

  /// Path and query, as received.
  std::string_view url() const { return last_of(kind::url); }
  void set_url(std::string_view url) { add(kind::url, url, {}); }

  /// The client's IP address.
  std::string_view remote_address() const { return last_of(kind::remote_address); }
  void set_remote_address(std::string_view address) { add(kind::remote_address, address, {}); }

  /// The query's name-value pairs, percent-decoded, in order: read from the
  /// URL when asked, not kept twice.
  template <class F>
  void for_each_query(F&& f) const {
    for (const auto& [name, value] : parse_query(url())) f(name, value);
  }

  /// The headers, names in lower case, in order.
  template <class F>
  void for_each_header(F&& f) const {
    for_each(kind::header, f);
  }
  void add_header(std::string_view name, std::string_view value) { add(kind::header, name, value); }
  /// The first value of header `name` (lower case), or "".
  std::string_view header(std::string_view name) const { return first(kind::header, name); }

  /// Gives back the room left after the last entry.
  void shrink_to_fit() { entries_.shrink_to_fit(); }

 private:
  enum class kind : char { url, remote_address, header };

  // Each entry: its kind, then name and value, each behind its length, in
  // 7-bit groups (one byte below 128, as nearly all are).
  void add(kind k, std::string_view name, std::string_view value) {
    entries_.push_back(static_cast<char>(k));
    append(name);
    append(value);
  }
  void append(std::string_view s) {
    auto n = s.size();
    for (; n >= 0x80; n >>= 7) entries_.push_back(static_cast<char>((n & 0x7f) | 0x80));
    entries_.push_back(static_cast<char>(n));
    entries_.append(s);
  }

  template <class F>
  void for_each(kind wanted, F&& f) const {
    std::string_view rest = entries_;
    while (!rest.empty()) {
      auto k = static_cast<kind>(rest.front());
      rest.remove_prefix(1);
      auto name = take(rest);
      auto value = take(rest);
      if (k == wanted) f(name, value);
    }
  }
  static std::string_view take(std::string_view& rest) {
    std::size_t n = 0;
    for (unsigned shift = 0;; shift += 7) {
      auto byte = static_cast<unsigned char>(rest.front());
      rest.remove_prefix(1);
      n |= static_cast<std::size_t>(byte & 0x7f) << shift;
      if (byte < 0x80) break;
    }
    auto s = rest.substr(0, n);
    rest.remove_prefix(n);
    return s;
  }

  // The URL and the address are set once; set again, the last one counts.
  std::string_view last_of(kind k) const {
    std::string_view found;
    for_each(k, [&](std::string_view name, std::string_view) { found = name; });
    return found;
  }

  std::string_view first(kind k, std::string_view name) const {
    std::string_view found;
    bool seen = false;
    for_each(k, [&](std::string_view n, std::string_view v) {
      if (!seen && n == name) {
        found = v;
        seen = true;
      }
    });
    return found;
  }

  std::string entries_;
};

}  // namespace sio
