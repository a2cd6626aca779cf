// sio::json -> JSON text, byte for byte as JSON.stringify writes it, with an
// explicit stack instead of recursion.
#include <charconv>
#include <cmath>
#include <cstring>
#include <vector>

#include "sio/protocol/json.hpp"
#include "sio/protocol/utf8.hpp"

namespace sio {
namespace {

constexpr char hex_digits[] = "0123456789abcdef";


template <class Int>
void write_integer(Int value, std::string& out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, end);
}

// Number.prototype.toString: the shortest digits that round-trip, in plain
// notation for 1e-7 <= |x| < 1e21 and as d.ddde±x otherwise.
void write_double(double value, std::string& out) {
  if (!std::isfinite(value)) {
    out.append("null");
    return;
  }
  if (value == 0) {  // also -0, which JavaScript prints as 0
    out.push_back('0');
    return;
  }
  char sci[32];
  auto [end, ec] = std::to_chars(sci, sci + sizeof sci, value, std::chars_format::scientific);
  std::string_view text(sci, static_cast<std::size_t>(end - sci));
  if (text.front() == '-') {
    out.push_back('-');
    text.remove_prefix(1);
  }
  auto e_pos = text.find('e');
  char digits[20];
  std::size_t k = 0;
  for (char c : text.substr(0, e_pos))
    if (c != '.') digits[k++] = c;
  int exponent = 0;
  auto exp_text = text.substr(e_pos + 1);
  if (exp_text.front() == '+') exp_text.remove_prefix(1);
  std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exponent);
  int n = exponent + 1;  // position of the decimal point relative to the digits
  int kk = static_cast<int>(k);
  if (kk <= n && n <= 21) {
    out.append(digits, k);
    out.append(static_cast<std::size_t>(n - kk), '0');
  } else if (0 < n && n <= 21) {
    out.append(digits, static_cast<std::size_t>(n));
    out.push_back('.');
    out.append(digits + n, static_cast<std::size_t>(kk - n));
  } else if (-6 < n && n <= 0) {
    out.append("0.");
    out.append(static_cast<std::size_t>(-n), '0');
    out.append(digits, k);
  } else {
    out.push_back(digits[0]);
    if (k > 1) {
      out.push_back('.');
      out.append(digits + 1, k - 1);
    }
    out.push_back('e');
    out.push_back(n - 1 >= 0 ? '+' : '-');
    write_integer(std::abs(n - 1), out);
  }
}

void write_binary(const json::binary_t& data, std::string& out, attachment_sink sink) {
  if (sink.buffers != nullptr) {
    out.append(R"({"_placeholder":true,"num":)");
    write_integer(sink.buffers->size(), out);
    out.push_back('}');
    sink.buffers->emplace_back(data.begin(), data.end());
    return;
  }
  out.append(R"({"type":"Buffer","data":[)");
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (i > 0) out.push_back(',');
    write_integer(static_cast<unsigned>(data[i]), out);
  }
  out.append("]}");
}

// One open array or object and the index of its next element.
struct frame {
  const json* node;
  std::size_t next;
};

// The deepest stack a thread keeps between documents.
constexpr std::size_t kept_depth = 256;

}  // namespace

void write_json_string(std::string_view text, std::string& out) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t n = text.size();
  out.push_back('"');
  std::size_t run = 0;  // start of the bytes copied verbatim
  std::size_t i = 0;
  auto flush = [&] { out.append(text.data() + run, i - run); };
  while (i < n) {
    unsigned char c = s[i];
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      if (auto len = utf8::sequence_length(s + i, n - i); len > 0) {
        i += len;
        continue;
      }
      flush();
      out.append(utf8::replacement_character);
      i += utf8::invalid_length(s + i, n - i);
      run = i;
      continue;
    }
    flush();
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\b': out.append("\\b"); break;
      case '\f': out.append("\\f"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      default:
        out.append("\\u00");
        out.push_back(hex_digits[c >> 4]);
        out.push_back(hex_digits[c & 15]);
    }
    run = ++i;
  }
  flush();
  out.push_back('"');
}

status write_json(const json& value, std::string& out, std::size_t max_depth,
                  attachment_sink sink) {
  const auto original_size = out.size();
  const auto original_attachments = sink.buffers ? sink.buffers->size() : 0;
  // The thread's stack from its last document: most documents are shallow,
  // and a fresh one would cost an allocation each time.
  thread_local std::vector<frame> stack;
  stack.clear();
  struct trim {
    ~trim() {
      if (stack.capacity() > kept_depth) std::vector<frame>().swap(stack);
    }
  } on_exit;

  // Writes a scalar, an empty container, or the opening bracket of a
  // non-empty one (which it pushes). False when that would be too deep.
  auto open = [&](const json& v) {
    switch (v.type()) {
      case json::value_t::array:
      case json::value_t::object: {
        bool is_array = v.is_array();
        if (stack.size() >= max_depth) return false;  // an empty one counts too
        if (v.empty()) {
          out.append(is_array ? "[]" : "{}");
          return true;
        }
        out.push_back(is_array ? '[' : '{');
        stack.push_back({&v, 0});
        return true;
      }
      case json::value_t::string: write_json_string(v.get_ref<const json::string_t&>(), out); break;
      case json::value_t::number_integer: write_integer(v.get<std::int64_t>(), out); break;
      case json::value_t::number_unsigned: write_integer(v.get<std::uint64_t>(), out); break;
      case json::value_t::number_float: write_double(v.get<double>(), out); break;
      case json::value_t::boolean: out.append(v.get<bool>() ? "true" : "false"); break;
      case json::value_t::binary: write_binary(v.get_binary(), out, sink); break;
      case json::value_t::null:
      case json::value_t::discarded: out.append("null"); break;
    }
    return true;
  };

  bool ok = open(value);
  while (ok && !stack.empty()) {
    auto [node, next] = stack.back();
    if (node->is_array()) {
      const auto& items = node->get_ref<const json::array_t&>();
      if (next == items.size()) {
        out.push_back(']');
        stack.pop_back();
        continue;
      }
      if (next > 0) out.push_back(',');
      ++stack.back().next;
      ok = open(items[next]);
    } else {
      const auto& members = node->get_ref<const json::object_t&>();
      if (next == members.size()) {
        out.push_back('}');
        stack.pop_back();
        continue;
      }
      if (next > 0) out.push_back(',');
      ++stack.back().next;
      const auto& member = *(members.begin() + static_cast<std::ptrdiff_t>(next));
      write_json_string(member.first, out);
      out.push_back(':');
      ok = open(member.second);
    }
  }
  if (!ok) {
    out.resize(original_size);
    if (sink.buffers) sink.buffers->resize(original_attachments);
    return errc::value_too_deep;
  }
  return {};
}

std::string to_json_text(const json& value) {
  std::string out;
  if (!write_json(value, out)) return {};
  return out;
}

}  // namespace sio
