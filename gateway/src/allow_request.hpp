#pragma once

#include <functional>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "sio/actors/request_info.hpp"
#include "sio/gateway/gateway_options.hpp"

namespace sio::detail {

/// Asks gateway_options::allow_request_async about a handshake. `resume`
/// runs once on `ex` (the connection's I/O thread) with the answer, whichever
/// thread gave it; a callback dropped unanswered counts as a refusal, and
/// only its first call counts. An empty message becomes "Forbidden".
void ask_allow_request(const gateway_options& options, const request_info& info,
                       boost::asio::any_io_executor ex,
                       std::function<void(bool allowed, std::string message)> resume);

}  // namespace sio::detail
