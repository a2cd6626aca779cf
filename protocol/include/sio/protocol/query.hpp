#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sio {

using query_pairs = std::vector<std::pair<std::string, std::string>>;

/// Splits and percent-decodes the query of a request target ("/p?a=1&b=%20"),
/// as URLSearchParams does.
query_pairs parse_query(std::string_view target);

}  // namespace sio
