#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace sio {

/// What the handshake request looked like; Socket.IO hands it to
/// applications as `socket.handshake`.
struct request_info {
  std::string url;  // path and query, as received
  std::vector<std::pair<std::string, std::string>> query;
  std::vector<std::pair<std::string, std::string>> headers;  // lower-case names
  std::string remote_address;
  bool secure = false;
  std::chrono::system_clock::time_point issued = std::chrono::system_clock::now();

  /// The first query value of `name`, or "".
  std::string query_value(std::string_view name) const {
    for (const auto& [k, v] : query)
      if (k == name) return v;
    return {};
  }
  /// The first header value of `name` (lower case), or "".
  std::string header(std::string_view name) const {
    for (const auto& [k, v] : headers)
      if (k == name) return v;
    return {};
  }
};

}  // namespace sio
