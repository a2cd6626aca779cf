#pragma once

#include "apps.hpp"

namespace sio::examples {

app chat_app();

}  // namespace sio::examples
