#pragma once

#include "apps.hpp"

namespace sio::examples {

app ws_echo_app();

}  // namespace sio::examples
