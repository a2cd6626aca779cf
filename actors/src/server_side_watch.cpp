#include "server_side_watch.hpp"

namespace sio::detail {

// No watcher registry exists on this node yet, so nobody is told.
std::size_t report_server_side_emit(const std::string&, const server_side_emit_request&) {
  return 0;
}

}  // namespace sio::detail
