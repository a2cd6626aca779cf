#pragma once

#include "apps.hpp"

namespace sio::examples {

/// Connection state recovery made visible: what a socket had and got back,
/// and broadcasts to send while a client is away. The peer of the recovery
/// integration tests.
app recovery_app();

}  // namespace sio::examples
