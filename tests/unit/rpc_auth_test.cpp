#include <gtest/gtest.h>

#include "auth.hpp"

namespace sio::rpc {
namespace {

TEST(GlobMatch, StarMatchesAnyRunOfCharacters) {
  EXPECT_TRUE(glob_match("/chat*", "/chat"));
  EXPECT_TRUE(glob_match("/chat*", "/chat/room"));
  EXPECT_TRUE(glob_match("*", "/"));
  EXPECT_TRUE(glob_match("/a*b*c", "/aXbYbZc"));
  EXPECT_FALSE(glob_match("/chat*", "/admin"));
  EXPECT_FALSE(glob_match("/chat", "/chat2"));
  EXPECT_FALSE(glob_match("/a*b", "/a"));
  EXPECT_TRUE(glob_match("", ""));
}

TEST(ParseTokens, ReadsSecretsScopesAndNamespaces) {
  auto p = parse_tokens(" first-secret:emit,read:/chat*,/  ;second-secret:admin\n");
  ASSERT_EQ(p.error, "");
  ASSERT_EQ(p.tokens.size(), 2u);
  EXPECT_EQ(p.tokens[0].secret, "first-secret");
  EXPECT_EQ(p.tokens[0].scopes, (std::vector<scope>{scope::emit, scope::read}));
  EXPECT_EQ(p.tokens[0].namespaces, (std::vector<std::string>{"/chat*", "/"}));
  EXPECT_EQ(p.tokens[1].scopes, (std::vector<scope>{scope::admin}));
  EXPECT_TRUE(p.tokens[1].namespaces.empty());
  EXPECT_TRUE(parse_tokens("").tokens.empty());
}

TEST(ParseTokens, NamesTheBadEntryWithoutItsSecret) {
  auto p = parse_tokens("good-secret:emit bad-secret:fly");
  EXPECT_EQ(p.error, "token entry 2: unknown scope 'fly' (emit, manage, read, watch, admin)");
  EXPECT_EQ(parse_tokens("short:emit").error, "token entry 1: the secret is shorter than 8 characters");
  EXPECT_EQ(parse_tokens("no-scopes-here").error,
            "token entry 1: expected SECRET:SCOPES[:NAMESPACES]");
}

TEST(IsLocalAddress, AcceptsUnixAndLoopbackOnly) {
  for (auto a : {"unix:/tmp/x.sock", "unix-abstract:x", "127.0.0.1:0", "127.1.2.3:50051",
                 "localhost:1", "[::1]:5", "ipv4:127.0.0.1:9"})
    EXPECT_TRUE(is_local_address(a)) << a;
  for (auto a : {"0.0.0.0:1", "[::]:1", "10.0.0.1:1", "127.0.0.1.evil.com:1", "example.com:1",
                 "127.0.0.1", ""})
    EXPECT_FALSE(is_local_address(a)) << a;
}

TEST(Authorizer, WithoutTokensEveryoneMayDoEverything) {
  authorizer auth{{}};
  auto id = auth.identify(std::nullopt);
  EXPECT_FALSE(id.error);
  EXPECT_FALSE(authorizer::allow(id.who, scope::admin, "/any"));
}

TEST(Authorizer, NeedsABearerHeaderNamingAKnownToken) {
  authorizer auth{parse_tokens("right-secret:read").tokens};
  EXPECT_EQ(auth.identify(std::nullopt).error->reason, "MISSING_TOKEN");
  EXPECT_EQ(auth.identify("right-secret").error->reason, "INVALID_TOKEN");
  EXPECT_EQ(auth.identify("Bearer wrong-secret").error->reason, "INVALID_TOKEN");
  EXPECT_EQ(auth.identify("Bearer right-secre").error->reason, "INVALID_TOKEN");
  EXPECT_EQ(auth.identify("Bearer right-secretX").error->reason, "INVALID_TOKEN");
  auto id = auth.identify("bearer right-secret");
  EXPECT_FALSE(id.error);
  ASSERT_NE(id.who, nullptr);
  EXPECT_EQ(id.who->secret, "right-secret");
}

TEST(Authorizer, ChecksScopeThenNamespace) {
  auto tokens = parse_tokens("chat-secret:emit:/chat* root-secret:admin").tokens;
  EXPECT_EQ(authorizer::allow(&tokens[0], scope::read, "/chat")->reason, "SCOPE_REQUIRED");
  EXPECT_EQ(authorizer::allow(&tokens[0], scope::emit, "/")->reason, "NAMESPACE_FORBIDDEN");
  EXPECT_FALSE(authorizer::allow(&tokens[0], scope::emit, "/chat/1"));
  EXPECT_FALSE(authorizer::allow(&tokens[1], scope::watch, "/"));
}

}  // namespace
}  // namespace sio::rpc
