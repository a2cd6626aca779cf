#pragma once

#include <caf/atom.hpp>

/// Questions a cluster adapter asks its namespace actor (see adapter_factory).
namespace sio::atoms {

/// Every room with a member here, own rooms included: vector<string>.
using all_rooms = caf::atom_constant<caf::atom("allrooms")>;

/// From the namespace to its adapter, a request: (cluster_acks,
/// shared_ptr<const broadcast_request>) runs a broadcast with acks across the
/// cluster; the answer is the local part to deliver in its place.
using cluster_acks = caf::atom_constant<caf::atom("clusterack")>;

}  // namespace sio::atoms
