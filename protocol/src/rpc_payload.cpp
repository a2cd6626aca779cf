#include "sio/protocol/rpc_payload.hpp"

#include <cstdint>

namespace sio::rpc_payload {
namespace {

// Replaces the placeholders inside `value` by their attachment, marking each
// attachment used. Iterative, like the rest of the JSON code: no input can
// exhaust the stack.
status resolve(json& value, const std::vector<bytes>& attachments, std::vector<bool>& used) {
  std::vector<json*> todo{&value};
  while (!todo.empty()) {
    json* node = todo.back();
    todo.pop_back();
    if (node->is_array()) {
      for (auto& item : *node)
        if (item.is_structured()) todo.push_back(&item);
      continue;
    }
    if (!node->is_object()) continue;
    auto flag = node->find("_placeholder");
    if (flag != node->end() && flag->is_boolean() && flag->get<bool>()) {
      auto num = node->find("num");
      if (num == node->end() || !(num->is_number_unsigned() || num->is_number_integer()))
        return errc::invalid_placeholder;
      auto index = num->get<std::int64_t>();
      if (index < 0 || static_cast<std::uint64_t>(index) >= attachments.size())
        return errc::invalid_placeholder;
      auto i = static_cast<std::size_t>(index);
      used[i] = true;
      *node = json::binary(json::binary_t::container_type(attachments[i].begin(),
                                                          attachments[i].end()));
      continue;
    }
    for (auto& member : node->items())
      if (member.value().is_structured()) todo.push_back(&member.value());
  }
  return {};
}

}  // namespace

result<std::vector<json>> decode(const payload& p, const limits& lim) {
  if (p.attachments.size() > lim.max_attachments) return errc::too_large;
  std::size_t total = 0;
  for (const auto& a : p.args) total += a.data.size();
  for (const auto& b : p.attachments) total += b.size();
  if (total > lim.max_bytes) return errc::too_large;

  std::vector<json> out;
  out.reserve(p.args.size());
  std::vector<bool> used(p.attachments.size(), false);
  for (const auto& a : p.args) {
    if (a.type == arg::kind::binary) {
      out.push_back(json::binary(json::binary_t::container_type(a.data.begin(), a.data.end())));
      continue;
    }
    auto value = parse_json(a.data, lim.max_depth);
    if (!value) return errc::invalid_json;
    if (auto st = resolve(*value, p.attachments, used); !st) return st.error();
    out.push_back(std::move(*value));
  }
  for (bool u : used)
    if (!u) return errc::invalid_placeholder;
  return out;
}

result<payload> encode(const std::vector<json>& values, std::size_t max_depth) {
  payload p;
  p.args.reserve(values.size());
  for (const auto& v : values) {
    if (v.is_binary()) {
      const auto& b = v.get_binary();
      p.args.push_back({arg::kind::binary, std::string(b.begin(), b.end())});
      continue;
    }
    arg a;
    if (auto st = write_json(v, a.data, max_depth, attachment_sink{&p.attachments}); !st)
      return st.error();
    p.args.push_back(std::move(a));
  }
  return p;
}

}  // namespace sio::rpc_payload
