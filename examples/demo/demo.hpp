#pragma once

#include "apps.hpp"

namespace sio::examples {

app demo_app();

}  // namespace sio::examples
