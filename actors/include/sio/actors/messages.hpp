#pragma once

#include <caf/allowed_unsafe_message_type.hpp>

#include "sio/actors/links.hpp"
#include "sio/actors/request_info.hpp"

// Handles to gateway objects and shared frames never leave the process, so
// they travel in CAF messages without serialization support.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sio::ws_link_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sio::http_reply_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sio::frame)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<sio::frame>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sio::request_info)

#include "sio/actors/close_reason.hpp"

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sio::close_reason)

#include <memory>

#include "sio/actors/broadcast.hpp"

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sio::frame_batch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sio::event_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sio::delivery_run)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<const sio::broadcast_request>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sio::json)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<const sio::selection_request>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sio::socket_command)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sio::remote_socket)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sio::args)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::function<void()>)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(sio::socket_ack)
