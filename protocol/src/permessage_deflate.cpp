// Negotiating permessage-deflate: a Sec-WebSocket-Extensions offer in, the
// agreed parameters and the response header out. Follows the ws library
// (lib/extension.js parse(), lib/permessage-deflate.js normalizeParams() and
// acceptAsServer()) so that a client meets the same answers as from the
// reference server.
#include <charconv>
#include <optional>
#include <string_view>
#include <vector>

#include "sio/protocol/permessage_deflate.hpp"

namespace sio::websocket {
namespace {

constexpr std::string_view extension_name = "permessage-deflate";
constexpr std::size_t none = std::string_view::npos;

struct param {
  std::string name;
  std::string value;
  bool has_value = false;
};

struct offer {
  std::string name;
  std::vector<param> params;
};

// RFC 7230 tchar: what an extension name, parameter name or value is made of.
bool is_token_char(unsigned char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != none;
}

bool is_space(unsigned char c) { return c == ' ' || c == '\t'; }

std::string without_backslashes(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != '\\') out.push_back(c);
  return out;
}

// The state machine of ws's parse(), step for step, so that the same
// headers are refused: e.g. whitespace is allowed around ';' and ',' but not
// around '=', at the very start or at the end; a quoted value must be a
// non-empty token after unescaping.
class extension_parser {
 public:
  std::optional<std::vector<offer>> parse(std::string_view h) {
    unsigned char code = 0;
    std::size_t i = 0;
    for (; i < h.size(); ++i) {
      code = static_cast<unsigned char>(h[i]);
      bool ok = !in_extension_     ? on_extension_name(h, i, code)
                : !in_param_value_ ? on_param_name(h, i, code)
                                   : on_param_value(h, i, code);
      if (!ok) return std::nullopt;
    }
    if (start_ == none || in_quotes_ || is_space(code)) return std::nullopt;
    if (end_ == none) end_ = i;
    std::string_view token = h.substr(start_, end_ - start_);
    if (!in_extension_) {
      offers_.push_back({std::string(token), std::move(params_)});
    } else {
      if (!in_param_value_)
        params_.push_back({std::string(token), {}, false});
      else
        params_.push_back({std::move(param_name_), unescaped(token), true});
      offers_.push_back({std::move(extension_), std::move(params_)});
    }
    return std::move(offers_);
  }

 private:
  bool on_extension_name(std::string_view h, std::size_t i, unsigned char code) {
    if (end_ == none && is_token_char(code)) {
      if (start_ == none) start_ = i;
    } else if (i != 0 && is_space(code)) {
      if (end_ == none && start_ != none) end_ = i;
    } else if (code == ';' || code == ',') {
      if (start_ == none) return false;
      if (end_ == none) end_ = i;
      std::string name(h.substr(start_, end_ - start_));
      if (code == ',') {
        offers_.push_back({std::move(name), std::move(params_)});
        params_.clear();
      } else {
        extension_ = std::move(name);
        in_extension_ = true;
      }
      start_ = end_ = none;
    } else {
      return false;
    }
    return true;
  }

  bool on_param_name(std::string_view h, std::size_t i, unsigned char code) {
    if (end_ == none && is_token_char(code)) {
      if (start_ == none) start_ = i;
    } else if (is_space(code)) {
      if (end_ == none && start_ != none) end_ = i;
    } else if (code == ';' || code == ',') {
      if (start_ == none) return false;
      if (end_ == none) end_ = i;
      params_.push_back({std::string(h.substr(start_, end_ - start_)), {}, false});
      if (code == ',') end_offer();
      start_ = end_ = none;
    } else if (code == '=' && start_ != none && end_ == none) {
      param_name_ = std::string(h.substr(start_, i - start_));
      in_param_value_ = true;
      start_ = end_ = none;
    } else {
      return false;
    }
    return true;
  }

  bool on_param_value(std::string_view h, std::size_t i, unsigned char code) {
    if (escaping_) {
      // A quoted value, once unescaped, must still be a token (RFC 6455 9.1).
      if (!is_token_char(code)) return false;
      if (start_ == none)
        start_ = i;
      else
        must_unescape_ = true;
      escaping_ = false;
    } else if (in_quotes_) {
      if (is_token_char(code)) {
        if (start_ == none) start_ = i;
      } else if (code == '"' && start_ != none) {
        in_quotes_ = false;
        end_ = i;
      } else if (code == '\\') {
        escaping_ = true;
      } else {
        return false;
      }
    } else if (code == '"' && h[i - 1] == '=') {
      in_quotes_ = true;
    } else if (end_ == none && is_token_char(code)) {
      if (start_ == none) start_ = i;
    } else if (start_ != none && is_space(code)) {
      if (end_ == none) end_ = i;
    } else if (code == ';' || code == ',') {
      if (start_ == none) return false;
      if (end_ == none) end_ = i;
      params_.push_back({std::move(param_name_), unescaped(h.substr(start_, end_ - start_)), true});
      if (code == ',') end_offer();
      in_param_value_ = false;
      start_ = end_ = none;
    } else {
      return false;
    }
    return true;
  }

  void end_offer() {
    offers_.push_back({std::move(extension_), std::move(params_)});
    params_.clear();
    in_extension_ = false;
  }

  std::string unescaped(std::string_view value) {
    if (!must_unescape_) return std::string(value);
    must_unescape_ = false;
    return without_backslashes(value);
  }

  std::vector<offer> offers_;
  std::vector<param> params_;
  std::string extension_;
  std::string param_name_;
  bool in_extension_ = false;    // an extension name was read, now its parameters
  bool in_param_value_ = false;  // a parameter name and '=' were read
  bool must_unescape_ = false;
  bool escaping_ = false;
  bool in_quotes_ = false;
  std::size_t start_ = none;  // where the current token starts
  std::size_t end_ = none;    // where it ends, once whitespace or a quote ended it
};

// A window size as JavaScript's Number() reads the text ("010", "9.0",
// "1e1", "0xA" are all numbers there), when it is an integer from 8 to 15.
std::optional<std::uint8_t> window_bits(std::string_view v) {
  double x = 0;
  if (v.size() > 2 && v[0] == '0' && std::string_view("xXoObB").find(v[1]) != none) {
    int base = (v[1] == 'x' || v[1] == 'X') ? 16 : (v[1] == 'o' || v[1] == 'O') ? 8 : 2;
    unsigned long long n = 0;
    auto [p, ec] = std::from_chars(v.data() + 2, v.data() + v.size(), n, base);
    if (ec != std::errc() || p != v.data() + v.size()) return std::nullopt;
    x = static_cast<double>(n);
  } else {
    if (!v.empty() && v[0] == '+') v.remove_prefix(1);
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
    if (ec != std::errc() || p != v.data() + v.size()) return std::nullopt;
  }
  for (int bits = 8; bits <= 15; ++bits)
    if (x == bits) return static_cast<std::uint8_t>(bits);
  return std::nullopt;
}

// normalizeParams() for one offer: every parameter known, none repeated,
// flags without a value, window sizes 8..15 (client_max_window_bits may
// also come without a value: "any size you like").
bool valid_offer(const offer& o) {
  for (std::size_t k = 0; k < o.params.size(); ++k) {
    const param& p = o.params[k];
    for (std::size_t j = 0; j < k; ++j)
      if (o.params[j].name == p.name) return false;
    if (p.name == "client_max_window_bits") {
      if (p.has_value && !window_bits(p.value)) return false;
    } else if (p.name == "server_max_window_bits") {
      if (!p.has_value || !window_bits(p.value)) return false;
    } else if (p.name == "client_no_context_takeover" || p.name == "server_no_context_takeover") {
      if (p.has_value) return false;
    } else {
      return false;
    }
  }
  return true;
}

// acceptAsServer() with ws's default options: every valid offer is
// acceptable, its parameters are agreed and echoed in the client's order;
// a valueless client_max_window_bits is dropped (the client keeps 15).
deflate_negotiation accept(const offer& o) {
  deflate_negotiation n;
  n.what = deflate_negotiation::outcome::accepted;
  n.response = extension_name;
  for (const param& p : o.params) {
    if (p.name == "client_max_window_bits" && !p.has_value) continue;
    n.response += "; ";
    n.response += p.name;
    if (p.name == "server_no_context_takeover") {
      n.params.server_no_context_takeover = true;
    } else if (p.name == "client_no_context_takeover") {
      n.params.client_no_context_takeover = true;
    } else {
      std::uint8_t bits = *window_bits(p.value);
      (p.name == "server_max_window_bits" ? n.params.server_max_window_bits
                                          : n.params.client_max_window_bits) = bits;
      n.response += '=';
      n.response += std::to_string(bits);
    }
  }
  return n;
}

}  // namespace

deflate_negotiation negotiate_deflate(std::string_view header) {
  auto offers = extension_parser().parse(header);
  if (!offers) return {deflate_negotiation::outcome::invalid, {}, {}};
  const offer* first = nullptr;
  for (const offer& o : *offers) {
    if (o.name != extension_name) continue;
    if (!valid_offer(o)) return {deflate_negotiation::outcome::invalid, {}, {}};
    if (!first) first = &o;
  }
  if (!first) return {};
  return accept(*first);
}

}  // namespace sio::websocket
