// JSON text -> sio::json, with RapidJSON's iterative reader driving a
// builder that keeps its own stack: no recursion however deep the input,
// and a too-deep document is refused at the first bracket past the limit.
#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <rapidjson/reader.h>

#include "sio/protocol/json.hpp"
#include "sio/protocol/utf8.hpp"

namespace sio {
namespace {

using object_t = json::object_t;

// Objects of up to this many members are checked for duplicate keys by a
// linear scan; larger ones through a hash map, so a hostile object with
// many keys costs linear time.
constexpr std::size_t linear_dedupe_limit = 16;

// JSON.parse semantics for duplicate keys: the last value wins and the key
// keeps the position where it first appeared.
void dedupe_keys(object_t& members) {
  auto n = members.size();
  if (n < 2) return;
  bool has_duplicates = false;
  if (n <= linear_dedupe_limit) {
    for (auto i = members.begin() + 1; i != members.end() && !has_duplicates; ++i)
      for (auto j = members.begin(); j != i; ++j)
        if (i->first == j->first) {
          has_duplicates = true;
          break;
        }
  } else {
    std::unordered_map<std::string_view, std::size_t> seen;
    seen.reserve(n);
    for (auto i = members.begin(); i != members.end() && !has_duplicates; ++i)
      has_duplicates = !seen.emplace(i->first, 0).second;
  }
  if (!has_duplicates) return;
  object_t unique;
  std::unordered_map<std::string, std::size_t> position;
  for (auto& [key, value] : members) {
    auto [it, fresh] = position.emplace(key, unique.size());
    if (fresh)
      unique.emplace_back(key, std::move(value));
    else
      (unique.begin() + static_cast<std::ptrdiff_t>(it->second))->second = std::move(value);
  }
  // ordered_map is a vector of pairs with const keys: rebuild, then swap.
  members.swap(unique);
}

// JSON.parse gives ±Infinity for a number past the largest double and ±0 for
// one below the smallest subnormal; from_chars reports both as out of range,
// without a value. The decimal exponent of the first significant digit tells
// them apart (the text is a JSON number: the reader checked its grammar).
double out_of_range_value(std::string_view text) {
  bool negative = text.front() == '-';
  auto e = text.find_first_of("eE");
  auto mantissa = text.substr(0, e);
  auto point = std::min(mantissa.find('.'), mantissa.size());
  auto first = mantissa.find_first_of("123456789");
  std::int64_t order = 0;
  if (first == std::string_view::npos) {
    order = std::numeric_limits<std::int32_t>::min();  // all zeros: zero
  } else if (first < point) {
    order = static_cast<std::int64_t>(point - first) - 1;
  } else {
    order = -static_cast<std::int64_t>(first - point);
  }
  if (e != std::string_view::npos) {
    auto digits = text.substr(e + 1);
    bool exponent_negative = digits.front() == '-';
    if (digits.front() == '-' || digits.front() == '+') digits.remove_prefix(1);
    std::int64_t exponent = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), exponent);
    if (ec != std::errc{} || exponent > std::numeric_limits<std::int32_t>::max())
      exponent = std::numeric_limits<std::int32_t>::max();
    order += exponent_negative ? -exponent : exponent;
  }
  double value = order > 0 ? std::numeric_limits<double>::infinity() : 0.0;
  return negative ? -value : value;
}

// A JSON number as JSON.parse reads it, but integers that fit stay exact:
// int64 when negative, uint64 otherwise, else the nearest double.
// (RapidJSON's own conversion is not used: its full-precision path has
// undefined behaviour for some inputs, e.g. a zero significand with a large
// exponent such as `0e260`.)
json parse_number(std::string_view text) {
  const char* begin = text.data();
  const char* end = begin + text.size();
  if (text.find_first_of(".eE") == std::string_view::npos) {
    if (text.front() == '-') {
      std::int64_t i = 0;
      if (auto [p, ec] = std::from_chars(begin, end, i); ec == std::errc{} && p == end)
        return json(i);
    } else {
      std::uint64_t u = 0;
      if (auto [p, ec] = std::from_chars(begin, end, u); ec == std::errc{} && p == end)
        return json(u);
    }
  }
  double d = 0;
  auto [p, ec] = std::from_chars(begin, end, d);
  if (ec == std::errc::result_out_of_range) return json(out_of_range_value(text));
  return json(d);
}

// Whether `t` is a JSON number in full: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
bool is_json_number(std::string_view t) {
  std::size_t i = 0;
  auto digits = [&] {
    auto start = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    return i > start;
  };
  if (i < t.size() && t[i] == '-') ++i;
  if (i < t.size() && t[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < t.size() && t[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == t.size();
}

// A number past the double range, which JSON.parse reads as ±Infinity,
// stands at this place among the document's numbers.
struct huge_number {
  std::size_t ordinal;
  double value;
};

// RapidJSON refuses a number past the double range (kParseErrorNumberTooBig).
// Such numbers, found here outside the strings, are written over with a "0"
// and spaces, so that the reader takes the document with every offset
// unchanged; the builder puts ±Infinity back in their places.
std::vector<huge_number> write_over_huge_numbers(std::string& text) {
  std::vector<huge_number> huge;
  std::size_t ordinal = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i)
        if (text[i] == '\\') ++i;
      ++i;
      continue;
    }
    if (c != '-' && (c < '0' || c > '9')) {
      ++i;
      continue;
    }
    auto start = i;
    while (i < text.size() &&
           std::string_view("0123456789+-.eE").find(text[i]) != std::string_view::npos)
      ++i;
    std::string_view token(text.data() + start, i - start);
    if (!is_json_number(token)) continue;  // the reader refuses it again
    double d = 0;
    auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), d);
    if (ec == std::errc::result_out_of_range) {
      if (auto value = out_of_range_value(token); value != 0) {
        huge.push_back({ordinal, value});
        text.replace(start, token.size(), "0" + std::string(token.size() - 1, ' '));
      }
    }
    ++ordinal;
  }
  return huge;
}

// Values wait on a stack until their container is complete; then the
// container is built at its final size from the top of the stack. Building
// it member by member instead would copy it whenever it grows: the members of
// an ordered_json object are pairs with const keys, which vector growth
// copies (subtrees included) rather than moves.
class builder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, builder> {
 public:
  /// `values` and `keys`: empty stacks, lent for this document.
  builder(std::vector<json>& values, std::vector<std::string>& keys, std::size_t max_depth,
          std::vector<huge_number> huge = {})
      : max_depth_(max_depth), huge_(std::move(huge)), values_(values), keys_(keys) {}

  bool Null() { return add(json(nullptr)); }
  bool Bool(bool b) { return add(json(b)); }
  // Numbers arrive as their text (kParseNumbersAsStringsFlag).
  bool RawNumber(const char* s, rapidjson::SizeType len, bool) {
    auto ordinal = numbers_++;
    if (next_huge_ < huge_.size() && huge_[next_huge_].ordinal == ordinal)
      return add(json(huge_[next_huge_++].value));
    return add(parse_number(std::string_view(s, len)));
  }
  // Strings and keys come out as valid UTF-8: bytes that are not (raw, or
  // from a lone \uDC00-\uDFFF escape) become U+FFFD here, as write_json
  // would write them, so that duplicate keys are found among the keys as
  // written, and what the application gets is always safe to dump().
  bool String(const char* s, rapidjson::SizeType len, bool) {
    std::string text;
    utf8::append_repaired(std::string_view(s, len), text);
    return add(json(std::move(text)));
  }
  bool Key(const char* s, rapidjson::SizeType len, bool) {
    auto& key = keys_.emplace_back();
    utf8::append_repaired(std::string_view(s, len), key);
    return true;
  }
  bool StartObject() { return open_container(); }
  bool StartArray() { return open_container(); }
  bool EndObject(rapidjson::SizeType members) {
    --depth_;
    json object(json::value_t::object);
    auto& out = object.get_ref<object_t&>();
    out.reserve(members);
    auto value = values_.end() - static_cast<std::ptrdiff_t>(members);
    auto key = keys_.end() - static_cast<std::ptrdiff_t>(members);
    auto k = key;
    for (auto v = value; v != values_.end(); ++v, ++k)
      out.emplace_back(std::move(*k), std::move(*v));
    values_.erase(value, values_.end());
    keys_.erase(key, keys_.end());
    dedupe_keys(out);
    return add(std::move(object));
  }
  bool EndArray(rapidjson::SizeType items) {
    --depth_;
    json array(json::value_t::array);
    auto& out = array.get_ref<json::array_t&>();
    auto first = values_.end() - static_cast<std::ptrdiff_t>(items);
    out.assign(std::make_move_iterator(first), std::make_move_iterator(values_.end()));
    values_.erase(first, values_.end());
    return add(std::move(array));
  }

  bool too_deep() const noexcept { return too_deep_; }
  json take() { return values_.empty() ? json() : std::move(values_.back()); }

 private:
  bool add(json&& value) {
    values_.push_back(std::move(value));
    return true;
  }

  bool open_container() {
    if (depth_ >= max_depth_) {
      too_deep_ = true;
      return false;
    }
    ++depth_;
    return true;
  }

  std::size_t max_depth_;
  std::vector<huge_number> huge_;  // in document order
  std::size_t next_huge_ = 0;
  std::size_t numbers_ = 0;
  std::size_t depth_ = 0;
  bool too_deep_ = false;
  std::vector<json>& values_;
  std::vector<std::string>& keys_;
};

// What a parse needs besides its result, kept by each thread between
// documents, so that a packet's parse allocates only for what it returns.
// parse_json never runs inside another parse on the same thread.
struct scratch {
  scratch() {
    values.reserve(stack_reserve);
    keys.reserve(stack_reserve);
  }
  // Emptied after each document; a huge one does not keep its stacks' size.
  void reset() {
    values.clear();
    keys.clear();
    if (values.capacity() > stack_keep) std::vector<json>().swap(values);
    if (keys.capacity() > stack_keep) std::vector<std::string>().swap(keys);
  }
  static constexpr std::size_t stack_reserve = 32;
  static constexpr std::size_t stack_keep = 1024;
  // The reader's stack holds strings while it reads them, and cannot be
  // shrunk: a document longer than this gets a reader of its own.
  static constexpr std::size_t reader_keep = 16 * 1024;
  std::vector<json> values;
  std::vector<std::string> keys;
  rapidjson::Reader reader;
};

}  // namespace

namespace {

result<json> read(std::string_view text, std::size_t max_depth, std::vector<huge_number> huge,
                  rapidjson::ParseErrorCode& error) {
  thread_local scratch lent;
  struct give_back {
    scratch& s;
    ~give_back() { s.reset(); }
  } on_exit{lent};
  builder handler{lent.values, lent.keys, max_depth, std::move(huge)};
  rapidjson::MemoryStream stream(text.data(), text.size());
  constexpr unsigned flags = rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag;
  std::optional<rapidjson::Reader> own;
  auto& reader = text.size() <= scratch::reader_keep ? lent.reader : own.emplace();
  auto outcome = reader.Parse<flags>(stream, handler);
  error = outcome.Code();
  if (outcome.IsError()) return handler.too_deep() ? errc::json_too_deep : errc::invalid_json;
  // The reader takes a NUL byte for the end of input; JSON.parse does not.
  if (stream.Tell() != text.size()) return errc::invalid_json;
  return handler.take();
}

}  // namespace

result<json> parse_json(std::string_view text, std::size_t max_depth) {
  rapidjson::ParseErrorCode error{};
  auto value = read(text, max_depth, {}, error);
  if (value || error != rapidjson::kParseErrorNumberTooBig) return value;
  std::string written_over(text);
  auto huge = write_over_huge_numbers(written_over);
  if (huge.empty()) return value;
  return read(written_over, max_depth, std::move(huge), error);
}

}  // namespace sio
