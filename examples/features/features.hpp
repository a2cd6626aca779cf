#pragma once

#include "apps.hpp"

namespace sio::examples {

/// Every piece of the C++ API behind one event each; the peer of the
/// Socket.IO integration tests.
app features_app();

}  // namespace sio::examples
