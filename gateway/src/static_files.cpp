#include "static_files.hpp"

#include <array>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

#include <nlohmann/json.hpp>

#include "sio/gateway/engine_route.hpp"

namespace sio::detail::static_files {
namespace {

namespace fs = std::filesystem;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// A version fit to stand in a quoted ETag: semver characters only.
bool plain_version(std::string_view v) {
  if (v.empty() || v.size() > 64) return false;
  for (char c : v)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' ||
          c == '-' || c == '+'))
      return false;
  return true;
}

constexpr std::array<std::string_view, 8> client_files = {
    "socket.io.esm.min.js",
    "socket.io.esm.min.js.map",
    "socket.io.js",
    "socket.io.js.map",
    "socket.io.min.js",
    "socket.io.min.js.map",
    "socket.io.msgpack.min.js",
    "socket.io.msgpack.min.js.map",
};

struct type_entry {
  std::string_view extension;
  std::string_view type;
};

constexpr std::array<type_entry, 22> types = {{
    {"html", "text/html; charset=utf-8"},
    {"htm", "text/html; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"json", "application/json; charset=utf-8"},
    {"map", "application/json; charset=utf-8"},
    {"txt", "text/plain; charset=utf-8"},
    {"md", "text/markdown; charset=utf-8"},
    {"xml", "application/xml"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"ico", "image/x-icon"},
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
    {"ttf", "font/ttf"},
    {"wasm", "application/wasm"},
    {"pdf", "application/pdf"},
}};

}  // namespace

std::optional<std::string> decode_path(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  for (std::size_t i = 0; i < path.size(); ++i) {
    char c = path[i];
    if (c == '%') {
      if (i + 2 >= path.size()) return std::nullopt;
      int hi = hex_value(path[i + 1]);
      int lo = hex_value(path[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    }
    if (c == '\0') return std::nullopt;
    out.push_back(c);
  }
  return out;
}

std::string_view content_type(std::string_view filename) {
  auto slash = filename.find_last_of('/');
  if (slash != std::string_view::npos) filename.remove_prefix(slash + 1);
  auto dot = filename.find_last_of('.');
  if (dot == std::string_view::npos) return "application/octet-stream";
  auto extension = filename.substr(dot + 1);
  for (const auto& t : types)
    if (iequals(t.extension, extension)) return t.type;
  return "application/octet-stream";
}

std::optional<file> resolve(const std::string& root, std::string_view target) {
  if (root.empty()) return std::nullopt;
  auto raw = route::path_of(target);
  raw = raw.substr(0, raw.find('#'));
  if (raw.empty() || raw.front() != '/') return std::nullopt;
  auto decoded = decode_path(raw);
  if (!decoded || decoded->find('\\') != std::string::npos) return std::nullopt;

  // Rebuild the relative path from its segments, refusing any that could
  // climb out of the root or name a hidden file.
  std::string relative;
  std::string_view rest = *decoded;
  while (!rest.empty()) {
    auto slash = rest.find('/');
    auto segment = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    if (segment.empty()) continue;
    if (segment.front() == '.') return std::nullopt;
    if (!relative.empty()) relative.push_back('/');
    relative.append(segment);
  }
  if (decoded->back() == '/') relative += relative.empty() ? "index.html" : "/index.html";

  std::error_code ec;
  auto base = fs::canonical(fs::path(root), ec);
  if (ec) return std::nullopt;
  auto real = fs::canonical(base / relative, ec);
  if (ec) return std::nullopt;
  // Symbolic links may point anywhere: what they lead to must still be inside.
  auto inside = real.lexically_relative(base);
  if (inside.empty() || *inside.begin() == "..") return std::nullopt;
  if (!fs::is_regular_file(real, ec) || ec) return std::nullopt;
  return file{real.string(), content_type(relative)};
}

bool is_client_file(std::string_view name) {
  for (auto f : client_files)
    if (f == name) return true;
  return false;
}

std::string_view client_file(std::string_view target, std::string_view engine_path) {
  auto path = route::path_of(target);
  if (path.substr(0, engine_path.size()) != engine_path) return {};
  auto name = path.substr(engine_path.size());
  // "/socket.io" as the path (no trailing slash) serves "/socket.io/socket.io.js".
  if (engine_path.empty() || engine_path.back() != '/') {
    if (name.empty() || name.front() != '/') return {};
    name.remove_prefix(1);
  }
  for (auto f : client_files)
    if (f == name) return f;
  return {};
}

std::string_view client_content_type(std::string_view name) {
  auto map = std::string_view(".map");
  bool is_map = name.size() >= map.size() && name.substr(name.size() - map.size()) == map;
  return is_map ? "application/json; charset=utf-8" : "application/javascript; charset=utf-8";
}

std::string client_version(const std::string& client_dir) {
  if (client_dir.empty()) return {};
  auto dir = fs::path(client_dir).lexically_normal();
  if (!dir.has_filename()) dir = dir.parent_path();  // "dist/" -> "dist"
  if (auto text = read_file((dir.parent_path() / "package.json").string())) {
    auto manifest = nlohmann::json::parse(*text, nullptr, false);
    if (manifest.is_object() && manifest.contains("version") && manifest["version"].is_string()) {
      auto version = manifest["version"].get<std::string>();
      if (plain_version(version)) return version;
    }
  }
  // The bundle's banner: "/*!\n * Socket.IO v4.8.4\n ...".
  std::ifstream in(dir / "socket.io.js", std::ios::binary);
  std::string head(256, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  constexpr std::string_view banner = "Socket.IO v";
  auto at = head.find(banner);
  if (at == std::string::npos) return {};
  auto start = at + banner.size();
  auto end = start;
  while (end < head.size() && plain_version(std::string_view(head).substr(end, 1))) ++end;
  auto version = head.substr(start, end - start);
  return plain_version(version) ? version : std::string{};
}

std::string client_etag(std::string_view version) {
  std::string etag = "\"";
  etag.append(version);
  etag.push_back('"');
  return etag;
}

bool etag_matches(std::string_view if_none_match, std::string_view etag) {
  while (!if_none_match.empty()) {
    auto comma = if_none_match.find(',');
    auto entry = trim(if_none_match.substr(0, comma));
    if_none_match =
        comma == std::string_view::npos ? std::string_view{} : if_none_match.substr(comma + 1);
    if (entry == "*" || entry == etag) return true;
    if (entry.size() == etag.size() + 2 && entry.substr(0, 2) == "W/" && entry.substr(2) == etag)
      return true;
  }
  return false;
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string content{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) return std::nullopt;
  return content;
}

}  // namespace sio::detail::static_files
