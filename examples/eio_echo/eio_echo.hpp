#pragma once

#include "apps.hpp"

namespace sio::examples {

app eio_echo_app();

}  // namespace sio::examples
