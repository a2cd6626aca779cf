#include "apps.hpp"

#include "contract/contract.hpp"
#include "eio_echo/eio_echo.hpp"

namespace sio::examples {

std::vector<app> builtin_apps() { return {contract_app(), eio_echo_app()}; }

}  // namespace sio::examples
