#include <catch2/catch.hpp>

#include "squadcast/exchange.hpp"
#include "squadcast/user_lookup.hpp"
#include "support/test_jwt.hpp"

using namespace squadcast;

namespace {

std::string ok_body(const std::string& access_token, const std::string& refresh = "abc123") {
  return R"({"data":{"access_token":")" + access_token +
         R"(","expires_at":1587412870,"issued_at":1587240070,"refresh_token":")" + refresh + R"(","type":"Bearer"}})";
}

}  // namespace

TEST_CASE("a 200 exchange answer gives the token, its expiry and the refresh token") {
  std::string jwt = test::make_jwt(test::sample_claims());
  auto token = parse_exchange_response(200, ok_body(jwt));
  REQUIRE(token.ok());
  CHECK(token.value().access_token.reveal() == jwt);
  CHECK(token.value().expires_at == 1587412870);
  CHECK(token.value().issued_at == 1587240070);
  CHECK(token.value().refresh_token.reveal() == "abc123");
}

TEST_CASE("each exchange status maps to its typed outcome") {
  const std::string envelope = R"({"meta":{"status":401,"error_message":"Invalid refresh token"}})";
  struct Row { long status; ErrorKind kind; };
  for (Row row : {Row{401, ErrorKind::revoked}, Row{403, ErrorKind::revoked}, Row{429, ErrorKind::rate_limited},
                  Row{500, ErrorKind::server_error}, Row{502, ErrorKind::server_error},
                  Row{503, ErrorKind::server_error}, Row{504, ErrorKind::server_error},
                  Row{400, ErrorKind::refused}, Row{402, ErrorKind::refused}, Row{404, ErrorKind::refused},
                  Row{409, ErrorKind::refused}, Row{410, ErrorKind::refused}, Row{422, ErrorKind::refused},
                  Row{302, ErrorKind::refused}}) {
    auto result = parse_exchange_response(row.status, envelope);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().kind == row.kind);
  }
  auto revoked = parse_exchange_response(401, envelope);
  CHECK(revoked.error().message.find("Invalid refresh token") != std::string::npos);
  CHECK_FALSE(parse_exchange_response(401, "").ok());  // no body at all
}

TEST_CASE("bad exchange bodies are bad_response, never a crash") {
  std::string jwt = test::make_jwt(test::sample_claims());
  for (const std::string& body :
       {std::string(""), std::string("not json"), std::string("[]"), std::string(R"({"data":null})"),
        std::string(R"({"data":{"expires_at":1}})"), std::string(R"({"data":{"access_token":"","expires_at":1}})"),
        std::string(R"({"data":{"access_token":")") + jwt + R"("}})",
        std::string(R"({"data":{"access_token":"a b\nc","expires_at":1}})"),
        ok_body(jwt, "has space"), std::string(100000, '['), std::string(R"({"data":{"access_token":)")}) {
    auto result = parse_exchange_response(200, body);
    REQUIRE_FALSE(result.ok());
    CHECK(result.error().kind == ErrorKind::bad_response);
  }
}

TEST_CASE("refresh tokens are checked for shape before sending") {
  CHECK(check_refresh_token_shape(Secret(std::string(128, 'a'))).ok());
  CHECK(check_refresh_token_shape(Secret("Any-Other_Shape.is~fine")).ok());
  CHECK_FALSE(check_refresh_token_shape(Secret("")).ok());
  CHECK_FALSE(check_refresh_token_shape(Secret("abc def")).ok());
  CHECK_FALSE(check_refresh_token_shape(Secret("abc\n")).ok());
  CHECK_FALSE(check_refresh_token_shape(Secret(std::string("ab\0c", 4))).ok());
  CHECK_FALSE(check_refresh_token_shape(Secret(std::string(4097, 'a'))).ok());
}

TEST_CASE("the user answer gives role and ability slugs") {
  auto user = parse_user_response(200, R"({"data":{"id":"u1","email":"a@b.test","role":"admin",
      "abilities":[{"id":"1","name":"Manage users","slug":"manage-users","default":true},{"slug":"manage-teams"}]}})");
  REQUIRE(user.ok());
  CHECK(user.value().role == "admin");
  CHECK(user.value().abilities == std::vector<std::string>{"manage-users", "manage-teams"});
  CHECK(parse_user_response(401, "").error().kind == ErrorKind::revoked);
  CHECK(parse_user_response(404, "").error().kind == ErrorKind::refused);
  CHECK(parse_user_response(400, "").error().kind == ErrorKind::refused);
  CHECK(parse_user_response(503, "").error().kind == ErrorKind::server_error);
  // Which of these may be graced: api_answer_test.cpp, in one place.
  CHECK(parse_user_response(200, R"({"data":{"id":"u1"}})").error().kind == ErrorKind::bad_response);
  CHECK(parse_user_response(200, "{").error().kind == ErrorKind::bad_response);
}

TEST_CASE("roles and ability slugs that are not plain words are refused or dropped") {
  CHECK(parse_user_response(200, R"({"data":{"role":"admin\nforged"}})").error().kind == ErrorKind::bad_response);
  auto user = parse_user_response(200, R"({"data":{"role":"user","abilities":[{"slug":"ok-slug"},{"slug":"bad slug"},7]}})");
  REQUIRE(user.ok());
  CHECK(user.value().abilities == std::vector<std::string>{"ok-slug"});
}
