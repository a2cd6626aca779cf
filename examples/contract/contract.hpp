#pragma once

#include "apps.hpp"

namespace sio::examples {

app contract_app();

}  // namespace sio::examples
