// JSON decode/encode benchmark: the evidence for the choice of JSON library.
//
// Measures, on two typical Socket.IO packet bodies,
//   small  ["chat",{"user":"ana","text":"hello there, how is it going?"}]   (62 bytes)
//   10k    ["update",{...}]: a deterministic ~10 KB payload with nested objects
//          and arrays, escapes, non-ASCII UTF-8, ints, doubles, bools, nulls,
// how fast each candidate turns the text into a value a handler can use
// (decode_*) and a value back into text (encode_*):
//
//   decode_nlohmann_ordered      nlohmann::ordered_json::parse
//   decode_nlohmann_json         nlohmann::json::parse (std::map objects)
//   decode_rapidjson_dom         rapidjson::Document::Parse        (reference: raw DOM)
//   decode_rapidjson_sax_only    rapidjson::Reader with sio::parse_json's flags, no-op handler
//                                (reference: the tokenizer alone)
//   decode_simdjson_dom          simdjson::dom::parser::parse      (reference: raw DOM)
//   decode_simdjson_to_nlohmann  simdjson DOM, then an ordered_json built with an explicit stack
//   decode_sio_parse_json        sio::parse_json, the production path
//
//   encode_nlohmann_dump         ordered_json::dump()
//   encode_rapidjson_writer      rapidjson::Writer over a Document (reference)
//   encode_simdjson_to_string    simdjson::to_string of a DOM element (reference)
//   encode_sio_write_json        sio::write_json into a fresh string, the production path
//   encode_sio_write_json_reused sio::write_json into a cleared, reused string
//
// and a whole WebSocket text frame `42` + body (Engine.IO message, Socket.IO
// EVENT): engineio::decode_text_packet + socketio::decode_header +
// decode_body (packet_decode), and socketio::encode + engineio::
// encode_text_packet (packet_encode).
//
// Every candidate does the work production would do per packet: decoders
// start from the text and produce a fresh value (destroyed inside the timed
// loop); encoders produce a fresh string. Objects keep duplicate-key
// semantics (last value wins) where the production path has them. The
// simdjson parser is reused across iterations, as it would be per
// connection, and the padded copy of the input is counted. RapidJSON parses
// iteratively with exact numbers, and writes with UTF-8 validation, as
// sio::write_json validates. Before running, main() checks that all decoders
// agree and that sio::write_json reproduces the input.
//
// Not measured here but part of the choice: simdjson refuses texts that
// JSON.parse accepts (integers beyond 64 bits, 1e400, invalid UTF-8), which
// sio::parse_json reads as JSON.parse does.
//
// Build and run; pinning to one core and interleaving the runs steadies the
// numbers on a busy machine. Compare the medians of CPU time; bytes_per_second
// counts input bytes (decode) or output bytes (encode), in units of 2^20.
//   ninja -C build json_bench && cd build/bin
//   taskset -c 1 ./json_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//   (add --benchmark_enable_random_interleaving=true, --benchmark_filter=decode_ ...)
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>
#include <rapidjson/document.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <simdjson.h>
#include <nlohmann/json.hpp>

#include "sio/protocol/engine_io.hpp"
#include "sio/protocol/json.hpp"
#include "sio/protocol/socket_io.hpp"

namespace {

// ---------------------------------------------------------------------------
// Payloads

enum class payload { small, medium };

constexpr std::string_view small_body =
    R"(["chat",{"user":"ana","text":"hello there, how is it going?"}])";

// A small linear congruential generator, so the payload is the same on every run.
struct lcg {
  std::uint64_t state = 0x2545F4914F6CDD1DULL;
  std::uint32_t next() {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<std::uint32_t>(state >> 33);
  }
  std::uint32_t below(std::uint32_t n) { return next() % n; }
};

// ["update", {...}] of about 10 KB, shaped like a room-state push.
std::string make_medium_body() {
  using sio::json;
  lcg rng;
  const char* names[] = {"ana", "bruno", "chloé", "dmitri", "émile", "fatima", "günther", "hana"};
  const char* statuses[] = {"online", "away", "busy"};
  const char* texts[] = {
      "see you at 10:30, ok?",
      "she said \"it's fine\" and left",
      "path is C:\\Users\\ana\\notes.txt",
      "line one\nline two\n\ttabbed",
      "naïve café déjà vu — «quotes» 日本語 🙂",
      "plain ascii message with a few more words in it to make it longer",
  };

  json users = json::array();
  for (int i = 0; i < 30; ++i) {
    json user = json::object();
    user["id"] = 1000 + i;
    user["name"] = names[i % 8];
    user["status"] = statuses[rng.below(3)];
    user["score"] = static_cast<double>(rng.below(100000)) / 128.0 + 0.1;
    user["active"] = i % 3 != 0;
    user["avatar"] = i % 4 == 0
                         ? json(nullptr)
                         : json("https://cdn.example.com/avatars/" + std::to_string(i) + ".png");
    json tags = json::array();
    for (std::uint32_t t = 0, n = rng.below(4); t < n; ++t)
      tags.push_back("tag" + std::to_string(t));
    user["tags"] = std::move(tags);
    user["pos"] = {{"x", rng.below(2000) / 10.0 - 100.0},
                   {"y", rng.below(2000) / 3.0},
                   {"z", static_cast<int>(rng.below(100)) - 50}};
    users.push_back(std::move(user));
  }

  json messages = json::array();
  for (int i = 0; i < 24; ++i) {
    json message = json::object();
    message["id"] = 5000000000LL + i * 7919;
    message["from"] = names[rng.below(8)];
    message["text"] = texts[rng.below(6)];
    message["ts"] = 1700000000000LL + i * 1234;
    message["edited"] = nullptr;
    message["reactions"] = {{"👍", rng.below(10)}, {"❤️", rng.below(5)}};
    message["attachments"] = json::array();
    messages.push_back(std::move(message));
  }

  json limits = json::array();
  for (int i = 0; i < 24; ++i) limits.push_back(static_cast<int>(rng.below(1000000)));

  json state = json::object();
  state["room"] = "lobby-42";
  state["seq"] = 123456;
  state["final"] = false;
  state["ratio"] = 0.6180339887498949;
  state["tiny"] = 1.5e-9;
  state["huge"] = 6.02214076e23;
  state["negative"] = -273.15;
  state["users"] = std::move(users);
  state["messages"] = std::move(messages);
  state["meta"] = {
      {"version", "5.1.2"},
      {"flags", {{"compress", true}, {"binary", false}, {"volatile", nullptr}}},
      {"limits", std::move(limits)},
      {"nested", {{"a", {{"b", {{"c", {{"d", json::array({1, 2.5, "e", nullptr})}}}}}}}}}};

  std::string text;
  if (!sio::write_json(json::array({"update", std::move(state)}), text)) std::abort();
  return text;
}

const std::string& body(payload p) {
  static const std::string small(small_body);
  static const std::string medium = make_medium_body();
  return p == payload::small ? small : medium;
}

const std::string& packet_text(payload p) {
  static const std::string small = "42" + body(payload::small);
  static const std::string medium = "42" + body(payload::medium);
  return p == payload::small ? small : medium;
}

// ---------------------------------------------------------------------------
// simdjson DOM -> sio::json, with an explicit stack (no recursion), keeping
// objects' key order and JSON.parse's duplicate-key rule as sio::parse_json does.

// Last value wins, at the position of the first occurrence.
void resolve_duplicate_keys(sio::json::object_t& members) {
  const auto n = members.size();
  if (n < 2) return;
  bool duplicates = false;
  if (n <= 16) {
    for (auto i = members.begin() + 1; i != members.end() && !duplicates; ++i)
      for (auto j = members.begin(); j != i && !duplicates; ++j) duplicates = i->first == j->first;
  } else {
    std::unordered_set<std::string_view> seen;
    seen.reserve(n);
    for (auto i = members.begin(); i != members.end() && !duplicates; ++i)
      duplicates = !seen.insert(i->first).second;
  }
  if (!duplicates) return;
  sio::json::object_t unique;
  for (auto& [key, value] : members) unique[key] = std::move(value);
  members.swap(unique);
}

class simdjson_converter {
 public:
  sio::json convert(simdjson::dom::element root) {
    sio::json out;
    stack_.clear();
    place(out, root);
    while (!stack_.empty()) {
      frame& f = stack_.back();
      if (f.is_array) {
        if (f.item == f.items_end) {
          stack_.pop_back();
          continue;
        }
        simdjson::dom::element e = *f.item;
        ++f.item;
        auto& items = f.target->get_ref<sio::json::array_t&>();
        items.emplace_back();
        place(items.back(), e);  // may push, invalidating f
      } else {
        auto& members = f.target->get_ref<sio::json::object_t&>();
        if (f.member == f.members_end) {
          resolve_duplicate_keys(members);
          stack_.pop_back();
          continue;
        }
        simdjson::dom::element e = f.member.value();
        members.emplace_back(std::string(f.member.key()), nullptr);
        ++f.member;
        place(members.back().second, e);  // may push, invalidating f
      }
    }
    return out;
  }

 private:
  struct frame {
    sio::json* target;
    bool is_array;
    simdjson::dom::array::iterator item, items_end;
    simdjson::dom::object::iterator member, members_end;
  };

  // Stores a scalar in `slot`, or makes it an empty container (sized for
  // its elements) and pushes it. Only the innermost container grows, so the
  // targets on the stack stay put.
  void place(sio::json& slot, simdjson::dom::element e) {
    using simdjson::dom::element_type;
    switch (e.type()) {
      case element_type::ARRAY: {
        auto a = e.get_array().value_unsafe();
        slot = sio::json::array();
        slot.get_ref<sio::json::array_t&>().reserve(a.size());
        stack_.push_back({&slot, true, a.begin(), a.end(), {}, {}});
        break;
      }
      case element_type::OBJECT: {
        auto o = e.get_object().value_unsafe();
        slot = sio::json::object();
        slot.get_ref<sio::json::object_t&>().reserve(o.size());
        stack_.push_back({&slot, false, {}, {}, o.begin(), o.end()});
        break;
      }
      case element_type::INT64:
        slot = e.get_int64().value_unsafe();
        break;
      case element_type::UINT64:
        slot = e.get_uint64().value_unsafe();
        break;
      case element_type::DOUBLE:
        slot = e.get_double().value_unsafe();
        break;
      case element_type::STRING:
        slot = std::string(e.get_string().value_unsafe());
        break;
      case element_type::BOOL:
        slot = e.get_bool().value_unsafe();
        break;
      case element_type::NULL_VALUE:
        slot = nullptr;
        break;
    }
  }

  std::vector<frame> stack_;
};

// ---------------------------------------------------------------------------
// Decode

// The DOM keeps numbers as numbers, exactly rounded; the tokenizer-only run
// uses sio::parse_json's own flags (it converts numbers itself).
constexpr unsigned rapidjson_parse_flags =
    rapidjson::kParseIterativeFlag | rapidjson::kParseFullPrecisionFlag;
constexpr unsigned sio_reader_flags =
    rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag;

void decode_nlohmann_ordered(benchmark::State& state, payload p) {
  const std::string& text = body(p);
  for (auto _ : state) {
    auto value = nlohmann::ordered_json::parse(text);
    benchmark::DoNotOptimize(value);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}

void decode_nlohmann_json(benchmark::State& state, payload p) {
  const std::string& text = body(p);
  for (auto _ : state) {
    auto value = nlohmann::json::parse(text);
    benchmark::DoNotOptimize(value);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}

void decode_rapidjson_dom(benchmark::State& state, payload p) {
  const std::string& text = body(p);
  for (auto _ : state) {
    rapidjson::Document doc;
    doc.Parse<rapidjson_parse_flags>(text.data(), text.size());
    if (doc.HasParseError()) state.SkipWithError("parse error");
    benchmark::DoNotOptimize(doc);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}

void decode_rapidjson_sax_only(benchmark::State& state, payload p) {
  const std::string& text = body(p);
  for (auto _ : state) {
    rapidjson::BaseReaderHandler<> handler;
    rapidjson::Reader reader;
    rapidjson::MemoryStream stream(text.data(), text.size());
    auto outcome = reader.Parse<sio_reader_flags>(stream, handler);
    benchmark::DoNotOptimize(outcome);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}

void decode_simdjson_dom(benchmark::State& state, payload p) {
  const std::string& text = body(p);
  simdjson::dom::parser parser;
  for (auto _ : state) {
    simdjson::padded_string padded(text);
    simdjson::dom::element root;
    if (parser.parse(padded).get(root)) state.SkipWithError("parse error");
    benchmark::DoNotOptimize(root);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}

void decode_simdjson_to_nlohmann(benchmark::State& state, payload p) {
  const std::string& text = body(p);
  simdjson::dom::parser parser;
  simdjson_converter converter;
  for (auto _ : state) {
    simdjson::padded_string padded(text);
    simdjson::dom::element root;
    if (parser.parse(padded).get(root)) state.SkipWithError("parse error");
    auto value = converter.convert(root);
    benchmark::DoNotOptimize(value);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}

void decode_sio_parse_json(benchmark::State& state, payload p) {
  const std::string& text = body(p);
  for (auto _ : state) {
    auto value = sio::parse_json(text, 100);
    if (!value) state.SkipWithError("parse error");
    benchmark::DoNotOptimize(value);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}

// ---------------------------------------------------------------------------
// Encode: each starts from the value its library decoded from body(p).

std::size_t output_size(payload p) {
  std::string out;
  (void)sio::write_json(sio::parse_json(body(p)).value(), out);
  return out.size();
}

void encode_nlohmann_dump(benchmark::State& state, payload p) {
  const auto value = nlohmann::ordered_json::parse(body(p));
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string out = value.dump();
    bytes += out.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

void encode_rapidjson_writer(benchmark::State& state, payload p) {
  const std::string& text = body(p);
  rapidjson::Document doc;
  doc.Parse<rapidjson_parse_flags>(text.data(), text.size());
  std::size_t bytes = 0;
  for (auto _ : state) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer, rapidjson::UTF8<>, rapidjson::UTF8<>,
                      rapidjson::CrtAllocator, rapidjson::kWriteValidateEncodingFlag>
        writer(buffer);
    doc.Accept(writer);
    bytes += buffer.GetSize();
    benchmark::DoNotOptimize(buffer.GetString());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

void encode_simdjson_to_string(benchmark::State& state, payload p) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(body(p));
  simdjson::dom::element root;
  if (parser.parse(padded).get(root)) {
    state.SkipWithError("parse error");
    return;
  }
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string out = simdjson::to_string(root);
    bytes += out.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

void encode_sio_write_json(benchmark::State& state, payload p) {
  const auto value = sio::parse_json(body(p)).value();
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string out;
    if (!sio::write_json(value, out)) state.SkipWithError("too deep");
    bytes += out.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

void encode_sio_write_json_reused(benchmark::State& state, payload p) {
  const auto value = sio::parse_json(body(p)).value();
  std::string out;
  out.reserve(output_size(p));
  for (auto _ : state) {
    out.clear();
    if (!sio::write_json(value, out)) state.SkipWithError("too deep");
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * out.size()));
}

// ---------------------------------------------------------------------------
// Whole Socket.IO packets

void packet_decode(benchmark::State& state, payload p) {
  const std::string& frame = packet_text(p);
  for (auto _ : state) {
    auto message = sio::engineio::decode_text_packet(frame);
    if (!message || message->type != sio::engineio::packet_type::message)
      state.SkipWithError("bad Engine.IO packet");
    auto header = sio::socketio::decode_header(message->data);
    if (!header) state.SkipWithError("bad header");
    auto packet = sio::socketio::decode_body(*header);
    if (!packet) state.SkipWithError("bad body");
    benchmark::DoNotOptimize(packet);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * frame.size()));
}

void packet_encode(benchmark::State& state, payload p) {
  sio::socketio::packet packet;
  packet.data = sio::parse_json(body(p)).value();
  std::size_t bytes = 0;
  for (auto _ : state) {
    sio::socketio::encoded out;
    if (!sio::socketio::encode(packet, out)) state.SkipWithError("encode failed");
    std::string frame;
    sio::engineio::encode_text_packet(sio::engineio::packet_type::message, out.text, frame);
    bytes += frame.size();
    benchmark::DoNotOptimize(frame.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}

BENCHMARK_CAPTURE(decode_nlohmann_ordered, small, payload::small);
BENCHMARK_CAPTURE(decode_nlohmann_ordered, 10k, payload::medium);
BENCHMARK_CAPTURE(decode_nlohmann_json, small, payload::small);
BENCHMARK_CAPTURE(decode_nlohmann_json, 10k, payload::medium);
BENCHMARK_CAPTURE(decode_rapidjson_dom, small, payload::small);
BENCHMARK_CAPTURE(decode_rapidjson_dom, 10k, payload::medium);
BENCHMARK_CAPTURE(decode_rapidjson_sax_only, small, payload::small);
BENCHMARK_CAPTURE(decode_rapidjson_sax_only, 10k, payload::medium);
BENCHMARK_CAPTURE(decode_simdjson_dom, small, payload::small);
BENCHMARK_CAPTURE(decode_simdjson_dom, 10k, payload::medium);
BENCHMARK_CAPTURE(decode_simdjson_to_nlohmann, small, payload::small);
BENCHMARK_CAPTURE(decode_simdjson_to_nlohmann, 10k, payload::medium);
BENCHMARK_CAPTURE(decode_sio_parse_json, small, payload::small);
BENCHMARK_CAPTURE(decode_sio_parse_json, 10k, payload::medium);

BENCHMARK_CAPTURE(encode_nlohmann_dump, small, payload::small);
BENCHMARK_CAPTURE(encode_nlohmann_dump, 10k, payload::medium);
BENCHMARK_CAPTURE(encode_rapidjson_writer, small, payload::small);
BENCHMARK_CAPTURE(encode_rapidjson_writer, 10k, payload::medium);
BENCHMARK_CAPTURE(encode_simdjson_to_string, small, payload::small);
BENCHMARK_CAPTURE(encode_simdjson_to_string, 10k, payload::medium);
BENCHMARK_CAPTURE(encode_sio_write_json, small, payload::small);
BENCHMARK_CAPTURE(encode_sio_write_json, 10k, payload::medium);
BENCHMARK_CAPTURE(encode_sio_write_json_reused, small, payload::small);
BENCHMARK_CAPTURE(encode_sio_write_json_reused, 10k, payload::medium);

BENCHMARK_CAPTURE(packet_decode, small, payload::small);
BENCHMARK_CAPTURE(packet_decode, 10k, payload::medium);
BENCHMARK_CAPTURE(packet_encode, small, payload::small);
BENCHMARK_CAPTURE(packet_encode, 10k, payload::medium);

// ---------------------------------------------------------------------------
// Equivalence: every decoder that yields an ordered_json must yield the same
// value, and sio::write_json must give back the very bytes it was fed.

bool check(bool ok, const char* what, payload p) {
  if (!ok)
    std::fprintf(stderr, "json_bench: %s differs (%s)\n", what,
                 p == payload::small ? "small" : "10k");
  return ok;
}

bool candidates_agree() {
  bool ok = true;
  for (payload p : {payload::small, payload::medium}) {
    const std::string& text = body(p);
    auto reference = sio::parse_json(text);
    if (!check(reference.ok(), "sio::parse_json", p)) return false;
    ok &= check(nlohmann::ordered_json::parse(text) == *reference, "ordered_json::parse", p);
    simdjson::dom::parser parser;
    simdjson::padded_string padded(text);
    simdjson::dom::element root;
    ok &= check(!parser.parse(padded).get(root) && simdjson_converter{}.convert(root) == *reference,
                "simdjson -> ordered_json", p);
    ok &= check(sio::to_json_text(*reference) == text, "sio::write_json round trip", p);
    ok &= check(nlohmann::ordered_json::parse(reference->dump()) == *reference,
                "ordered_json::dump round trip", p);
  }
  std::fprintf(stderr, "json_bench: body sizes %zu and %zu bytes\n", body(payload::small).size(),
               body(payload::medium).size());
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (!candidates_agree()) return 1;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
