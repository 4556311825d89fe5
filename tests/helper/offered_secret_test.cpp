#include <catch2/catch.hpp>

#include "offered_secret.hpp"

using namespace squadcast;
using namespace squadcast::helper;

TEST_CASE("three base64url parts look like a JWT") {
  CHECK(looks_like_jwt("eyJhbGciOiJIUzI1NiJ9.eyJpZCI6IjEifQ.c2ln-_bmF0dXJl"));
  CHECK_FALSE(looks_like_jwt("1385a22ed51af9a9e40034ddc8862be9"));
  CHECK_FALSE(looks_like_jwt("a.b"));
  CHECK_FALSE(looks_like_jwt("a..c"));
  CHECK_FALSE(looks_like_jwt("a.b.c.d"));
  CHECK_FALSE(looks_like_jwt("a.b.c="));
  CHECK_FALSE(looks_like_jwt(""));
}

TEST_CASE("an offered JWT is an access token and is ignored") {
  CHECK(classify_offered_secret(Secret("eyJhbGciOiJIUzI1NiJ9.eyJpZCI6IjEifQ.c2ln"), std::nullopt) ==
        OfferedSecret::access_token);
}

TEST_CASE("an offered secret equal to the cached access token is ignored") {
  Secret cached("opaque-access-token");
  CHECK(classify_offered_secret(Secret("opaque-access-token"), cached) == OfferedSecret::access_token);
}

TEST_CASE("an offered hex refresh token is kept") {
  CHECK(classify_offered_secret(Secret("9c65826bb346902ba3de466cd74f9e29"), Secret("other")) ==
        OfferedSecret::refresh_token);
}

TEST_CASE("an offered secret with whitespace or nothing at all is refused") {
  CHECK(classify_offered_secret(Secret("has space"), std::nullopt) == OfferedSecret::malformed);
  CHECK(classify_offered_secret(Secret(""), std::nullopt) == OfferedSecret::malformed);
  CHECK(classify_offered_secret(Secret(std::string(5000, 'a')), std::nullopt) == OfferedSecret::malformed);
}
