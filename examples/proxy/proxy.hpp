#pragma once

#include "apps.hpp"

namespace sio::examples {

/// `--app proxy`: no handlers of its own; sio-server hands every namespace
/// to the backend of --backend (see tools/sio-server/proxy_app.cpp).
app proxy_app();

}  // namespace sio::examples
