#pragma once

#include <string>

#include "apps.hpp"

namespace sio::examples {

app chat_app();

/// The Socket.IO room of chat room `room`: prefixed, so that no room name
/// typed in the page can be another socket's own room (its id).
std::string chat_room_key(const std::string& room);

}  // namespace sio::examples
