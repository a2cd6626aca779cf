#pragma once

#include <chrono>
#include <cstdio>
#include <ctime>
#include <initializer_list>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace sio::server_log {

enum class level : int { error = 0, warn = 1, info = 2, debug = 3 };

enum class format : int { logfmt, json };

inline format& output_format() {
  static format current = format::logfmt;
  return current;
}

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

/// A JSON string literal of `value`.
inline std::string json_string(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
      out += escaped;
    } else {
      out += c;
    }
  }
  return out + '"';
}

/// One line on stderr, logfmt (`ts=... level=info event=listening port=3000`;
/// values with spaces, quotes or '=' are quoted, so each line parses) or, with
/// output_format() json, one JSON object per line with the same keys.
inline void write(level l, std::string_view event,
                  std::initializer_list<std::pair<std::string_view, std::string>> fields = {}) {
  if (static_cast<int>(l) > static_cast<int>(threshold())) return;
  // A warning repeated within a second (the same event with the same
  // fields) is counted, not written; the next one that is written says how
  // many were held back.
  std::string held_back;
  if (l == level::warn) {
    static std::mutex lock;
    static std::map<std::string, std::pair<std::chrono::steady_clock::time_point, std::size_t>,
                    std::less<>>
        recent;
    std::lock_guard guard{lock};
    auto at = std::chrono::steady_clock::now();
    std::string key(event);
    for (const auto& [name, value] : fields) key.append(1, '\0').append(name).append(1, '=').append(value);
    auto [it, fresh] = recent.try_emplace(std::move(key), at, 0);
    if (!fresh) {
      if (at - it->second.first < std::chrono::seconds(1)) {
        ++it->second.second;
        return;
      }
      if (it->second.second > 0) held_back = std::to_string(it->second.second);
      it->second = {at, 0};
    }
  }
  auto now = std::chrono::system_clock::now();
  auto seconds = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() %
            1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char ts[32];
  std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &utc);
  if (output_format() == format::json) {
    std::string line = "{\"ts\":\"" + std::string(ts) + "." + std::to_string(1000 + ms).substr(1) +
                       "Z\",\"level\":\"" + std::string(name(l)) +
                       "\",\"event\":" + json_string(event);
    for (const auto& [key, value] : fields) line += "," + json_string(key) + ":" + json_string(value);
    if (!held_back.empty()) line += ",\"suppressed\":" + json_string(held_back);
    line += "}\n";
    std::fputs(line.c_str(), stderr);
    return;
  }
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
  if (!held_back.empty()) line += " suppressed=" + held_back;
  line += '\n';
  std::fputs(line.c_str(), stderr);
}

}  // namespace sio::server_log
