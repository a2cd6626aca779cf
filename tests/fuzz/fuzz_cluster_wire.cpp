// The messages of the Redis cluster channels: broadcasts, requests and
// responses as any publisher on the Redis server may send them.
//
// Whatever the bytes, decoding returns a value or nothing; a broadcast that
// decodes encodes again and decodes to the same event, rooms and except.

#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_common.hpp"
#include "sio/protocol/cluster_wire.hpp"

namespace wire = sio::cluster_wire;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto bytes = sio::fuzz::as_text(data, size);
  (void)wire::decode_message(bytes);
  (void)wire::room_of_channel(bytes, "socket.io", "/");
  if (auto value = wire::decode_msgpack(bytes)) {
    // What decodes encodes, and reads back alike. Only the shape is
    // compared: floats may narrow to float32 on the way, and a non-negative
    // int16 comes back as a uint16 (an integer all the same).
    auto again = wire::decode_msgpack(wire::encode_msgpack(*value));
    SIO_FUZZ_CHECK(again.has_value());
    SIO_FUZZ_CHECK(again->type() == value->type() ||
                   (again->is_number_integer() && value->is_number_integer()));
    SIO_FUZZ_CHECK(again->size() == value->size());
  }
  if (auto m = wire::decode_broadcast(bytes, "/")) {
    auto encoded = wire::encode_broadcast(m->uid, "/", m->packet.event, m->packet.arguments,
                                          m->opts.rooms, m->opts.except);
    auto back = wire::decode_broadcast(encoded, "/");
    SIO_FUZZ_CHECK(back.has_value());
    SIO_FUZZ_CHECK(back->uid == m->uid);
    SIO_FUZZ_CHECK(back->packet.event == m->packet.event);
    SIO_FUZZ_CHECK(back->packet.arguments.size() == m->packet.arguments.size());
    SIO_FUZZ_CHECK(back->opts.rooms == m->opts.rooms);
    SIO_FUZZ_CHECK(back->opts.except == m->opts.except);
  }
  return 0;
}
