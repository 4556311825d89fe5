#include <catch2/catch.hpp>

#include "squadcast/jwt_claims.hpp"
#include "support/test_jwt.hpp"

using namespace squadcast;
using squadcast::test::make_jwt;
using squadcast::test::sample_claims;

TEST_CASE("claims of a real-shaped access token are read") {
  auto claims = decode_token_claims(Secret(make_jwt(sample_claims())));
  REQUIRE(claims.ok());
  CHECK(claims.value().user_id == "5e8edb1f7e6f7d0001a10002");
  CHECK(claims.value().email == "alice@acme.test");
  CHECK(claims.value().organization_id == "5e8edb1f7e6f7d0001a1c0de");
  CHECK(claims.value().expires_at == 1900000000);
  CHECK(claims.value().issued_at == 1899827200);
  CHECK(claims.value().api_token);
}

TEST_CASE("a token missing a required claim is refused, naming the claim") {
  for (const char* claim : {"id", "email", "organization_id", "exp"}) {
    auto payload = sample_claims();
    payload.erase(claim);
    auto claims = decode_token_claims(Secret(make_jwt(payload)));
    REQUIRE_FALSE(claims.ok());
    CHECK(claims.error().message.find(claim) != std::string::npos);
  }
  auto wrong_type = sample_claims();
  wrong_type["exp"] = "tomorrow";
  CHECK_FALSE(decode_token_claims(Secret(make_jwt(wrong_type))).ok());
}

TEST_CASE("garbage tokens are refused without crashing") {
  for (const char* garbage : {"", ".", "..", "a.b.c", "a.b", "a.b.c.d", "x.!!!!.y", "x.e30.y", "x.W10.y",
                              "x.bnVsbA.y", "x.eyJpZCI6.y"}) {
    auto claims = decode_token_claims(Secret(garbage));
    CHECK_FALSE(claims.ok());
    CHECK(claims.error().kind == ErrorKind::bad_response);
  }
}

TEST_CASE("base64url decodes with and without padding and rejects other alphabets") {
  CHECK(base64url_decode("aGVsbG8") == std::optional<std::string>("hello"));
  CHECK(base64url_decode("aGVsbG8=") == std::optional<std::string>("hello"));
  CHECK(base64url_decode("-_8") == std::optional<std::string>("\xfb\xff"));
  CHECK_FALSE(base64url_decode("a+b/").has_value());
  CHECK_FALSE(base64url_decode("a").has_value());
}

TEST_CASE("claims with control characters are refused: they would break protocol lines") {
  auto payload = sample_claims();
  payload["email"] = "alice@acme.test\npassword=stolen";
  auto claims = decode_token_claims(Secret(make_jwt(payload)));
  REQUIRE_FALSE(claims.ok());
  CHECK(claims.error().kind == ErrorKind::bad_response);
  payload = sample_claims();
  payload["organization_id"] = std::string(400, 'a');
  CHECK_FALSE(decode_token_claims(Secret(make_jwt(payload))).ok());
}
