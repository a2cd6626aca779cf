#pragma once

#include "apps.hpp"

namespace sio::examples {

/// The server the official socket.io-client test suite expects (its Node
/// mode): the namespaces, events and middlewares its tests talk to, with
/// connection state recovery on. tools/client_suite.sh runs the suite
/// against it.
app client_suite_app();

}  // namespace sio::examples
