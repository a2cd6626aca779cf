// The gateway's static files: target -> file mapping (no escape from the
// root), content types, the client bundle's names, version and ETag, and the
// route that lets the bundle through before Engine.IO.
#include "static_files.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "sio/gateway/engine_route.hpp"

namespace fs = std::filesystem;
namespace sf = sio::detail::static_files;

namespace {

void write(const fs::path& p, const std::string& content) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << content;
}

/// A fresh directory tree per test:
///   outside/secret.txt
///   www/index.html, www/app.js, www/style.CSS, www/a b.txt, www/.hidden,
///   www/sub/index.html, www/sub/page.html, www/empty/ (no index.html)
///   www/link-out -> ../outside/secret.txt, www/dir-out -> ../outside,
///   www/link-in -> app.js
class StaticFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string templ = (fs::temp_directory_path() / "sio-static-XXXXXX").string();
    ASSERT_NE(mkdtemp(templ.data()), nullptr);
    base_ = templ;
    root_ = base_ / "www";
    write(base_ / "outside" / "secret.txt", "secret");
    write(root_ / "index.html", "<h1>home</h1>");
    write(root_ / "app.js", "console.log(1)");
    write(root_ / "style.CSS", "body{}");
    write(root_ / "a b.txt", "spaced");
    write(root_ / ".hidden", "hidden");
    write(root_ / "sub" / "index.html", "sub home");
    write(root_ / "sub" / "page.html", "page");
    fs::create_directories(root_ / "empty");
    fs::create_symlink("../outside/secret.txt", root_ / "link-out");
    fs::create_symlink("../outside", root_ / "dir-out");
    fs::create_symlink("app.js", root_ / "link-in");
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(base_, ec);
  }

  /// The file `target` resolves to, relative to the root; "" for none.
  std::string resolved(std::string_view target) const {
    auto f = sf::resolve(root_.string(), target);
    if (!f) return "";
    return fs::path(f->path).lexically_relative(fs::canonical(root_)).string();
  }

  fs::path base_;
  fs::path root_;
};

TEST_F(StaticFiles, RootAndDirectoriesServeTheirIndex) {
  EXPECT_EQ(resolved("/"), "index.html");
  EXPECT_EQ(resolved("/?transports=polling"), "index.html");
  EXPECT_EQ(resolved("/index.html"), "index.html");
  EXPECT_EQ(resolved("/sub/"), "sub/index.html");
  EXPECT_EQ(resolved("//sub//page.html"), "sub/page.html");
  EXPECT_EQ(resolved("/sub/page.html#top"), "sub/page.html");
  // A directory without its slash, or without an index, is no file.
  EXPECT_EQ(resolved("/sub"), "");
  EXPECT_EQ(resolved("/empty/"), "");
}

TEST_F(StaticFiles, ContentTypeFollowsTheExtension) {
  auto f = sf::resolve(root_.string(), "/");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->content_type, "text/html; charset=utf-8");
  EXPECT_EQ(sf::resolve(root_.string(), "/app.js")->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(sf::resolve(root_.string(), "/style.CSS")->content_type, "text/css; charset=utf-8");
  EXPECT_EQ(sf::content_type("x.png"), "image/png");
  EXPECT_EQ(sf::content_type("dir.d/x.svg"), "image/svg+xml");
  EXPECT_EQ(sf::content_type("x.JSON"), "application/json; charset=utf-8");
  EXPECT_EQ(sf::content_type("Makefile"), "application/octet-stream");
  EXPECT_EQ(sf::content_type("x.unknown"), "application/octet-stream");
  EXPECT_EQ(sf::content_type("dir.d/noext"), "application/octet-stream");
}

TEST_F(StaticFiles, PercentEscapesAreDecoded) {
  EXPECT_EQ(resolved("/a%20b.txt"), "a b.txt");
  EXPECT_EQ(resolved("/%61pp.js"), "app.js");
  EXPECT_EQ(resolved("/sub%2Fpage.html"), "sub/page.html");
  EXPECT_EQ(resolved("/a+b.txt"), "");  // '+' is no space in a path
  EXPECT_EQ(sf::decode_path("/a%2fb%2F%41"), "/a/b/A");
  EXPECT_FALSE(sf::decode_path("/bad%"));
  EXPECT_FALSE(sf::decode_path("/bad%4"));
  EXPECT_FALSE(sf::decode_path("/bad%zz"));
  EXPECT_FALSE(sf::decode_path("/nul%00byte"));
}

TEST_F(StaticFiles, NothingOutsideTheRoot) {
  for (auto target :
       {"/../outside/secret.txt", "/sub/../../outside/secret.txt", "/%2e%2e/outside/secret.txt",
        "/%2E%2E%2Foutside%2Fsecret.txt", "/sub/%2e%2e/index.html", "/./index.html", "/..",
        "/..%5coutside", "/.hidden", "/%2ehidden", "/link-out", "/dir-out/secret.txt",
        "/index.html%00.js", "/sub\\..\\index.html", "index.html", "http://host/index.html", ""})
    EXPECT_EQ(resolved(target), "") << target;
  // A link that stays inside is fine.
  EXPECT_EQ(resolved("/link-in"), "app.js");
}

TEST_F(StaticFiles, MissingFilesAndRoots) {
  EXPECT_EQ(resolved("/nope.html"), "");
  EXPECT_EQ(resolved("/sub/nope/"), "");
  EXPECT_FALSE(sf::resolve("", "/"));
  EXPECT_FALSE(sf::resolve((base_ / "no-such-dir").string(), "/"));
}

TEST_F(StaticFiles, ReadsWholeFiles) {
  EXPECT_EQ(sf::read_file((root_ / "app.js").string()), "console.log(1)");
  EXPECT_FALSE(sf::read_file((root_ / "nope").string()));
}

TEST(StaticClientFiles, NamesUnderTheEnginePath) {
  EXPECT_EQ(sf::client_file("/socket.io/socket.io.js", "/socket.io/"), "socket.io.js");
  EXPECT_EQ(sf::client_file("/socket.io/socket.io.min.js?v=3", "/socket.io/"), "socket.io.min.js");
  EXPECT_EQ(sf::client_file("/socket.io/socket.io.min.js.map", "/socket.io/"),
            "socket.io.min.js.map");
  EXPECT_EQ(sf::client_file("/socket.io/socket.io.esm.min.js", "/socket.io/"),
            "socket.io.esm.min.js");
  EXPECT_EQ(sf::client_file("/socket.io/socket.io.js", "/socket.io"), "socket.io.js");
  EXPECT_EQ(sf::client_file("/x/socket.io.js", "/x/"), "socket.io.js");
  EXPECT_EQ(sf::client_file("/socket.io/?EIO=4&transport=polling", "/socket.io/"), "");
  EXPECT_EQ(sf::client_file("/socket.io/other.js", "/socket.io/"), "");
  EXPECT_EQ(sf::client_file("/socket.io/sub/socket.io.js", "/socket.io/"), "");
  EXPECT_EQ(sf::client_file("/socket.io.js", "/socket.io/"), "");
  EXPECT_EQ(sf::client_file("/socket.iosocket.io.js", "/socket.io"), "");
  EXPECT_EQ(sf::client_content_type("socket.io.js"), "application/javascript; charset=utf-8");
  EXPECT_EQ(sf::client_content_type("socket.io.js.map"), "application/json; charset=utf-8");
}

TEST_F(StaticFiles, ClientVersionFromPackageJsonOrBanner) {
  auto pkg = base_ / "client";
  write(pkg / "package.json", R"({"name":"socket.io-client","version":"4.8.4"})");
  write(pkg / "dist" / "socket.io.js", "/*!\n * Socket.IO v9.9.9\n */");
  EXPECT_EQ(sf::client_version((pkg / "dist").string()), "4.8.4");
  EXPECT_EQ(sf::client_version((pkg / "dist").string() + "/"), "4.8.4");
  fs::remove(pkg / "package.json");
  EXPECT_EQ(sf::client_version((pkg / "dist").string()), "9.9.9");
  write(pkg / "package.json", R"({"version":"4.8.4\"; x"})");  // unfit for an ETag
  EXPECT_EQ(sf::client_version((pkg / "dist").string()), "9.9.9");
  fs::remove(pkg / "dist" / "socket.io.js");
  EXPECT_EQ(sf::client_version((pkg / "dist").string()), "");
  EXPECT_EQ(sf::client_version(""), "");
}

TEST(StaticClientFiles, EtagAsTheReference) {
  auto etag = sf::client_etag("4.8.4");
  EXPECT_EQ(etag, "\"4.8.4\"");
  EXPECT_TRUE(sf::etag_matches("\"4.8.4\"", etag));
  EXPECT_TRUE(sf::etag_matches("W/\"4.8.4\"", etag));
  EXPECT_TRUE(sf::etag_matches("\"1.0.0\", \"4.8.4\"", etag));
  EXPECT_TRUE(sf::etag_matches("*", etag));
  EXPECT_FALSE(sf::etag_matches("", etag));
  EXPECT_FALSE(sf::etag_matches("\"4.8.3\"", etag));
  EXPECT_FALSE(sf::etag_matches("4.8.4", etag));
  EXPECT_FALSE(sf::etag_matches("w/\"4.8.4\"", etag));
}

// The client bundle lives under the Engine.IO path; the route lets exactly
// its files through, and only when a client_dir is set.
TEST(StaticRoute, ClientBundleBypassesEngineIo) {
  sio::gateway_options opts;
  opts.client_dir = "dist";
  auto decide = [&](std::string_view method, std::string_view target) {
    return sio::route::decide(sio::route::request_view{method, target, "", false}, opts).what;
  };
  using sio::route::action;
  EXPECT_EQ(decide("GET", "/socket.io/socket.io.js"), action::client_file);
  EXPECT_EQ(decide("HEAD", "/socket.io/socket.io.min.js"), action::client_file);
  EXPECT_EQ(decide("GET", "/socket.io/socket.io.min.js.map?x=1"), action::client_file);
  EXPECT_EQ(decide("POST", "/socket.io/socket.io.js"), action::client_file);
  EXPECT_EQ(decide("GET", "/socket.io/?EIO=4&transport=polling"), action::handshake);
  EXPECT_EQ(decide("GET", "/socket.io/other.js"), action::fail);
  EXPECT_EQ(decide("GET", "/"), action::not_engine_io);
  EXPECT_EQ(decide("GET", "/socket.io.js"), action::not_engine_io);

  // With CORS on, a preflight for the bundle is a preflight.
  opts.cors_origin = "*";
  EXPECT_EQ(decide("OPTIONS", "/socket.io/socket.io.js"), action::preflight);

  // Without a client_dir the bundle is not served: Engine.IO answers.
  opts.client_dir.clear();
  EXPECT_EQ(decide("GET", "/socket.io/socket.io.js"), action::fail);
}

}  // namespace
