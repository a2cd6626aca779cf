#pragma once

// Everything an application needs to embed the server.
#include "sio/actors/host.hpp"
#include "sio/actors/scheduler_defaults.hpp"
#include "sio/actors/server.hpp"
#include "sio/server_options.hpp"
#include "sio/start.hpp"
