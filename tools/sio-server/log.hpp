#pragma once

#include <chrono>
#include <cstdio>
#include <ctime>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace sio::server_log {

enum class level : int { error = 0, warn = 1, info = 2, debug = 3 };

inline level& threshold() {
  static level current = level::info;
  return current;
}

inline constexpr std::string_view name(level l) {
  switch (l) {
    case level::error: return "error";
    case level::warn: return "warn";
    case level::info: return "info";
    case level::debug: return "debug";
  }
  return "info";
}

/// One line of logfmt on stderr: `ts=... level=info event=listening port=3000`.
/// Values with spaces, quotes or '=' are quoted, so each line parses.
inline void write(level l, std::string_view event,
                  std::initializer_list<std::pair<std::string_view, std::string>> fields = {}) {
  if (static_cast<int>(l) > static_cast<int>(threshold())) return;
  auto now = std::chrono::system_clock::now();
  auto seconds = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() %
            1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char ts[32];
  std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &utc);
  std::string line = "ts=" + std::string(ts) + "." + std::to_string(1000 + ms).substr(1) +
                     "Z level=" + std::string(name(l)) + " event=" + std::string(event);
  for (const auto& [key, value] : fields) {
    line += ' ';
    line += key;
    line += '=';
    bool quote = value.empty() || value.find_first_of(" \"=") != std::string::npos;
    if (!quote) {
      line += value;
      continue;
    }
    line += '"';
    for (char c : value) {
      if (c == '"' || c == '\\') line += '\\';
      line += c;
    }
    line += '"';
  }
  line += '\n';
  std::fputs(line.c_str(), stderr);
}

}  // namespace sio::server_log
