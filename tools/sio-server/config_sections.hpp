#pragma once

#include <algorithm>
#include <istream>
#include <vector>

#include <CLI/CLI.hpp>

namespace sio {

/// CLI11's TOML reader for the flags' part of the config file: the proxy's
/// `[[backends]]` and `[[routes]]` tables are read by read_proxy_config, so
/// they are left out here rather than taken for unknown flags.
class flags_config : public CLI::ConfigTOML {
 public:
  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override {
    auto read = CLI::ConfigTOML::from_config(input);
    std::erase_if(read, [](const CLI::ConfigItem& item) {
      return !item.parents.empty() &&
             (item.parents.front() == "backends" || item.parents.front() == "routes");
    });
    return read;
  }
};

}  // namespace sio
