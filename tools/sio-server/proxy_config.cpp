#include "proxy_config.hpp"

#include <fstream>
#include <set>
#include <sstream>

#include <toml++/toml.h>

namespace sio {
namespace {

/// What is wrong, thrown from deep in a table and caught once.
struct config_error {
  std::string what;
};

std::string where(const toml::node& n) {
  return "line " + std::to_string(n.source().begin.line);
}

[[noreturn]] void fail(const toml::node& n, const std::string& what) {
  throw config_error{where(n) + ": " + what};
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
  return s;
}

std::string text(const toml::node& n, const std::string& key) {
  if (!n.is_string()) fail(n, key + " must be a string");
  return std::string(*n.value<std::string>());
}

bool boolean(const toml::node& n, const std::string& key) {
  if (!n.is_boolean()) fail(n, key + " must be true or false");
  return *n.value<bool>();
}

std::int64_t integer(const toml::node& n, const std::string& key, std::int64_t min,
                     std::int64_t max) {
  if (!n.is_integer()) fail(n, key + " must be an integer");
  auto v = *n.value<std::int64_t>();
  if (v < min || v > max)
    fail(n, key + " must be between " + std::to_string(min) + " and " + std::to_string(max));
  return v;
}

std::chrono::milliseconds millis(const toml::node& n, const std::string& key) {
  return std::chrono::milliseconds(integer(n, key, 1, 600000));
}

std::vector<std::string> strings(const toml::node& n, const std::string& key) {
  const auto* a = n.as_array();
  if (!a) fail(n, key + " must be an array of strings");
  std::vector<std::string> out;
  for (const auto& item : *a) out.push_back(text(item, key));
  return out;
}

std::string read_file(const toml::node& n, const std::string& key) {
  auto path = text(n, key);
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(n, key + ": cannot read " + path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// gRPC refuses (fails every call with) a metadata key outside these.
bool valid_metadata_key(const std::string& key) {
  if (key.empty()) return false;
  for (char c : key)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
      return false;
  return key.rfind("grpc-", 0) != 0;
}

backend_entry read_backend(const toml::table& t) {
  backend_entry b;
  for (const auto& [key_name, value] : t) {
    std::string key(key_name.str());
    if (key == "name") {
      b.name = text(value, key);
    } else if (key == "endpoint") {
      b.options.endpoint = text(value, key);
    } else if (key == "metadata") {
      const auto* m = value.as_table();
      if (!m) fail(value, "metadata must be a table of strings");
      for (const auto& [name, v] : *m) {
        auto header = lower(std::string(name.str()));
        if (!valid_metadata_key(header)) fail(v, "metadata: not a gRPC metadata key: " + header);
        b.options.metadata.emplace_back(header, text(v, "metadata." + header));
      }
    } else if (key == "max_inflight") {
      b.options.max_inflight = static_cast<std::size_t>(integer(value, key, 1, 1000000));
    } else if (key == "tls") {
      b.options.tls.enabled = boolean(value, key);
    } else if (key == "tls_ca") {
      b.options.tls.root_certs = read_file(value, key);
    } else if (key == "tls_cert") {
      b.options.tls.cert_chain = read_file(value, key);
    } else if (key == "tls_key") {
      b.options.tls.private_key = read_file(value, key);
    } else if (key == "tls_server_name") {
      b.options.tls.server_name = text(value, key);
    } else {
      fail(value, "[[backends]]: unknown key " + key);
    }
  }
  if (b.name.empty()) fail(t, "[[backends]] needs a name");
  if (b.options.endpoint.empty()) fail(t, "backend " + b.name + " needs an endpoint");
  if (b.options.tls.cert_chain.empty() != b.options.tls.private_key.empty())
    fail(t, "backend " + b.name + ": tls_cert and tls_key go together");
  bool tls_files = !b.options.tls.root_certs.empty() || !b.options.tls.cert_chain.empty() ||
                   !b.options.tls.server_name.empty();
  if (tls_files && !b.options.tls.enabled)
    fail(t, "backend " + b.name + ": tls_* keys without tls = true");
  return b;
}

route_entry read_route(const toml::table& t) {
  route_entry r;
  auto& o = r.options;
  for (const auto& [key_name, value] : t) {
    std::string key(key_name.str());
    if (key == "namespace") {
      r.nsp = text(value, key);
      if (r.nsp != "*" && (r.nsp.empty() || r.nsp.front() != '/'))
        fail(value, "namespace must start with / (or be \"*\")");
    } else if (key == "connect") {
      r.connect = text(value, key);
    } else if (key == "disconnect") {
      r.disconnect = text(value, key);
    } else if (key == "events") {
      const auto* m = value.as_table();
      if (!m) fail(value, "events must be a table: event name (or \"*\") = backend name");
      for (const auto& [name, v] : *m)
        r.events.emplace_back(std::string(name.str()), text(v, "events." + std::string(name.str())));
    } else if (key == "connect_timeout_ms") {
      o.connect_timeout = millis(value, key);
    } else if (key == "event_timeout_ms") {
      o.event_timeout = millis(value, key);
    } else if (key == "disconnect_timeout_ms") {
      o.disconnect_timeout = millis(value, key);
    } else if (key == "with_data") {
      o.with_data = boolean(value, key);
    } else if (key == "with_rooms") {
      o.with_rooms = boolean(value, key);
    } else if (key == "headers") {
      for (auto& h : strings(value, key)) o.headers.push_back(lower(std::move(h)));
    } else if (key == "on_error") {
      auto v = text(value, key);
      if (v != "reject" && v != "accept") fail(value, "on_error must be \"reject\" or \"accept\"");
      o.on_error = v == "accept" ? rpc::connect_on_error::accept : rpc::connect_on_error::reject;
    } else if (key == "ack_on_error") {
      auto v = text(value, key);
      if (v != "error_object" && v != "none")
        fail(value, "ack_on_error must be \"error_object\" or \"none\"");
      o.ack_error = v == "none" ? rpc::ack_on_error::none : rpc::ack_on_error::error_object;
    } else if (key == "max_inflight") {
      o.max_inflight = static_cast<std::size_t>(integer(value, key, 1, 1024));
    } else if (key == "max_queue") {
      o.max_queue = static_cast<std::size_t>(integer(value, key, 0, 100000));
    } else if (key == "pause_reading") {
      o.pause_reading = boolean(value, key);
    } else {
      fail(value, "[[routes]]: unknown key " + key);
    }
  }
  if (r.nsp.empty()) fail(t, "[[routes]] needs a namespace");
  return r;
}

const toml::array* tables_of(const toml::table& root, const char* name) {
  const auto* node = root.get(name);
  if (!node) return nullptr;
  const auto* a = node->as_array();
  if (!a || !a->is_array_of_tables())
    fail(*node, std::string(name) + " must be written [[" + name + "]]");
  return a;
}

}  // namespace

std::variant<proxy_config, std::string> read_proxy_config(const std::string& path) {
  try {
    auto root = toml::parse_file(path);
    proxy_config out;
    std::set<std::string> names;
    if (const auto* backends = tables_of(root, "backends"))
      for (const auto& t : *backends) {
        auto b = read_backend(*t.as_table());
        if (!names.insert(b.name).second) fail(t, "two backends named " + b.name);
        out.backends.push_back(std::move(b));
      }
    std::set<std::string> namespaces;
    if (const auto* routes = tables_of(root, "routes"))
      for (const auto& t : *routes) {
        auto r = read_route(*t.as_table());
        if (!namespaces.insert(r.nsp).second) fail(t, "two routes for namespace " + r.nsp);
        auto known = [&](const std::string& backend, const std::string& what) {
          if (!backend.empty() && !names.count(backend))
            fail(t, "route " + r.nsp + ": " + what + " names no [[backends]]: " + backend);
        };
        known(r.connect, "connect");
        known(r.disconnect, "disconnect");
        for (const auto& [event, backend] : r.events) known(backend, "events." + event);
        out.routes.push_back(std::move(r));
      }
    return out;
  } catch (const toml::parse_error& e) {
    return path + ": line " + std::to_string(e.source().begin.line) + ": " +
           std::string(e.description());
  } catch (const config_error& e) {
    return path + ": " + e.what;
  }
}

}  // namespace sio
