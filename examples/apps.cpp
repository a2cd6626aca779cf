#include "apps.hpp"

#include "contract/contract.hpp"
#include "eio_echo/eio_echo.hpp"
#include "features/features.hpp"

namespace sio::examples {

std::vector<app> builtin_apps() { return {contract_app(), eio_echo_app(), features_app()}; }

}  // namespace sio::examples
