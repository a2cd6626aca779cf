#pragma once

#include <optional>
#include <string>
#include <string_view>

/// Plain HTTP files beside the Engine.IO endpoint: an app's web directory
/// (gateway_options::static_dir) and the official client bundle
/// (gateway_options::client_dir, served under the Engine.IO path as the
/// reference's serveClient does). This part maps request targets to files and
/// knows their headers; the HTTP session only reads the file and answers.
namespace sio::detail::static_files {

/// Percent-decodes the path of a URL ("%20" is a space, '+' stays '+').
/// Nothing when an escape is malformed or the result holds a NUL byte.
std::optional<std::string> decode_path(std::string_view path);

/// The Content-Type of a file, by its extension (case-insensitive);
/// application/octet-stream for any other.
std::string_view content_type(std::string_view filename);

struct file {
  std::string path;               // the file to read
  std::string_view content_type;  // its Content-Type
};

/// The file of `root` that the request target names: "/" and any path ending
/// in '/' mean its index.html. Nothing when there is no such regular file, or
/// when the path could leave `root`: a ".." or "." segment, a hidden (dot)
/// name, a bad escape, a NUL, a backslash, or a symbolic link that points
/// outside `root`.
std::optional<file> resolve(const std::string& root, std::string_view target);

/// The official client files served under the Engine.IO path (the
/// reference's CLIENT_FILES).
bool is_client_file(std::string_view name);

/// The client file a request target asks for ("socket.io.min.js" for
/// "/socket.io/socket.io.min.js?v=1" under "/socket.io/"), or "" when it asks
/// for none. The query plays no part, as in the reference.
std::string_view client_file(std::string_view target, std::string_view engine_path);

/// Content-Type of a client file: application/javascript, application/json
/// for the source maps, both with charset=utf-8 (as the reference).
std::string_view client_content_type(std::string_view name);

/// The version of the client bundle in `client_dir` (a socket.io-client
/// dist/ directory): the "version" of the package.json beside it, else the
/// "Socket.IO vX.Y.Z" banner of socket.io.js; "" when neither says.
std::string client_version(const std::string& client_dir);

/// The ETag of the client files: the version, quoted (as the reference).
std::string client_etag(std::string_view version);

/// Whether an If-None-Match header value matches `etag` (or its weak form
/// W/etag); a comma-separated list matches if one entry does, "*" always.
bool etag_matches(std::string_view if_none_match, std::string_view etag);

/// The whole content of a file; nothing when it cannot be read.
std::optional<std::string> read_file(const std::string& path);

}  // namespace sio::detail::static_files
