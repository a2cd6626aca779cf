#pragma once

#include <cstdlib>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace sio {

/// The environment variable of a flag: --ping-interval -> SIO_PING_INTERVAL.
inline std::string env_name(const std::string& long_flag) {
  std::string out = "SIO_";
  for (char c : long_flag.substr(2))
    out += c == '-' ? '_' : static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  return out;
}

/// The command line as CLI11 should read it: the given flags, then one flag
/// per SIO_* variable that is set. Every option keeps its last value, so
/// the environment overrides flags, and flags override the --config file
/// (CLI11 reads the file only for options the command line did not set).
inline std::vector<std::string> with_environment(CLI::App& cli, int argc, char** argv) {
  std::vector<std::string> out(argv + 1, argv + argc);
  for (auto* option : cli.get_options()) {
    option->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    auto names = option->get_lnames();
    if (names.empty() || names.front() == "help" || names.front() == "version") continue;
    auto flag = "--" + names.front();
    const char* value = std::getenv(env_name(flag).c_str());
    if (value == nullptr) continue;
    out.push_back(flag + "=" + value);
  }
  // CLI11 parses a reversed vector (it pops arguments from the back).
  return {out.rbegin(), out.rend()};
}

}  // namespace sio
