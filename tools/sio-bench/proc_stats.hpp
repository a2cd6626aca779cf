#pragma once

#include <sys/resource.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>

/// What the kernel says about a process: its CPU time (/proc/PID/stat, in
/// clock ticks) and resident memory (/proc/PID/status), and our own CPU time.
namespace sio_bench::proc {

/// User + system CPU seconds from a stat file (/proc/PID/stat or
/// /proc/PID/task/TID/stat), and the command name in it.
inline std::optional<double> stat_cpu_seconds(const std::string& file, std::string* name = nullptr) {
  std::ifstream in(file);
  std::string text;
  if (!in || !std::getline(in, text)) return std::nullopt;
  // The command name may hold spaces and parentheses: fields restart after
  // the last ')'. Then: state(3) ... utime(14) stime(15).
  auto open = text.find('(');
  auto close = text.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return std::nullopt;
  if (name) *name = text.substr(open + 1, close - open - 1);
  std::istringstream fields(text.substr(close + 1));
  std::string field;
  unsigned long long utime = 0;
  unsigned long long stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  if (!fields) return std::nullopt;
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

/// User + system CPU seconds of every thread of `pid`, living or ended.
inline std::optional<double> cpu_seconds(int pid) {
  return stat_cpu_seconds("/proc/" + std::to_string(pid) + "/stat");
}

/// Each living thread of `pid`: its name and CPU seconds, by thread id.
inline std::map<int, std::pair<std::string, double>> thread_cpu_seconds(int pid) {
  std::map<int, std::pair<std::string, double>> out;
  std::error_code ec;
  std::filesystem::directory_iterator it("/proc/" + std::to_string(pid) + "/task", ec);
  if (ec) return out;
  for (const auto& entry : it) {
    std::string name;
    auto cpu = stat_cpu_seconds(entry.path().string() + "/stat", &name);
    if (cpu) out[std::stoi(entry.path().filename().string())] = {name, *cpu};
  }
  return out;
}

/// CPU seconds every living thread of `pid` has run, to the nanosecond: the
/// sum of the first field of each /proc/PID/task/TID/schedstat (the
/// scheduler's own count, not a sample per clock tick as in stat, so a
/// window of a second or two resolves a difference of a fraction of a
/// percent). Threads that ended are missing: compare windows in which the
/// server's threads live throughout. Nothing when schedstat is not there.
inline std::optional<double> sched_cpu_seconds(int pid) {
  std::error_code ec;
  std::filesystem::directory_iterator it("/proc/" + std::to_string(pid) + "/task", ec);
  if (ec) return std::nullopt;
  unsigned long long ns = 0;
  for (const auto& entry : it) {
    std::ifstream in(entry.path().string() + "/schedstat");
    unsigned long long ran = 0;
    if (!(in >> ran)) return std::nullopt;
    ns += ran;
  }
  return static_cast<double>(ns) / 1e9;
}

/// VmRSS of `pid` in KiB.
inline std::optional<std::uint64_t> rss_kib(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6));
  }
  return std::nullopt;
}

/// One CPU tick in seconds: the resolution of cpu_seconds().
inline double tick_seconds() { return 1.0 / static_cast<double>(sysconf(_SC_CLK_TCK)); }

/// User + system CPU seconds of this process, all threads.
inline double self_cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto s = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return s(ru.ru_utime) + s(ru.ru_stime);
}

}  // namespace sio_bench::proc
