#pragma once

#include <caf/atom.hpp>

/// Questions a cluster adapter asks its namespace actor (see adapter_factory).
namespace sio::atoms {

/// Every room with a member here, own rooms included: vector<string>.
using all_rooms = caf::atom_constant<caf::atom("allrooms")>;

}  // namespace sio::atoms
