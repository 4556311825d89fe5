// Token administration answers and the new-file delivery, in-process.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "squadcast/new_private_file.hpp"
#include "squadcast/sha256.hpp"
#include "squadcast/token_admin.hpp"
#include "support/temp_dir.hpp"

using namespace squadcast;

namespace {
const std::string value = std::string(128, 'a');
const std::string entry = R"({"id":"tok-1","organization_id":"org","user_id":"u1","token":")" + value +
                          R"(","last_refresh":1587240070,"rate_limit":600,"deleted":false})";
}  // namespace

TEST_CASE("token list: fingerprints instead of values, every field read") {
  auto list = parse_token_list(200, R"({"data":[)" + entry + "]}");
  REQUIRE(list.ok());
  REQUIRE(list.value().size() == 1);
  const TokenRecord& token = list.value()[0];
  CHECK(token.id == "tok-1");
  CHECK(token.user_id == "u1");
  CHECK(token.fingerprint == sha256_hex(value).substr(0, 8));
  CHECK(token.fingerprint == token_fingerprint(Secret(value)));
  CHECK(token.last_refresh == 1587240070);
  CHECK(token.rate_limit == 600);
  CHECK_FALSE(token.deleted);
}

TEST_CASE("token list: one entry with an id that could steer a URL fails the whole list") {
  auto list = parse_token_list(200, R"({"data":[)" + entry + R"(,{"id":"../users","token":"x"}]})");
  REQUIRE_FALSE(list.ok());
  CHECK(list.error().kind == ErrorKind::bad_response);
}

TEST_CASE("token administration statuses map to kinds; 403 names what is needed") {
  CHECK(parse_token_list(401, "").error().kind == ErrorKind::revoked);
  auto forbidden = parse_token_list(403, R"({"meta":{"status":403}})");
  REQUIRE_FALSE(forbidden.ok());
  CHECK(forbidden.error().kind == ErrorKind::forbidden);
  CHECK(forbidden.error().message.find("the account owner role or the manage-api-tokens ability") !=
        std::string::npos);
  CHECK(parse_token_list(429, "").error().kind == ErrorKind::rate_limited);
  CHECK(parse_token_list(502, "").error().kind == ErrorKind::server_error);
  CHECK(parse_token_list(200, "{").error().kind == ErrorKind::bad_response);
  CHECK(parse_created_token(404, "").error().kind == ErrorKind::not_found);
  CHECK(parse_revoke_answer(204, "").value() == RevokeOutcome::revoked);
  CHECK(parse_revoke_answer(404, "").value() == RevokeOutcome::already_gone);
  CHECK(parse_revoke_answer(403, "").error().kind == ErrorKind::forbidden);
}

TEST_CASE("created token: the value comes back as a Secret with a matching fingerprint") {
  auto created = parse_created_token(201, R"({"data":)" + entry + "}");
  REQUIRE(created.ok());
  CHECK(created.value().token.reveal() == value);
  CHECK(created.value().record.fingerprint == token_fingerprint(created.value().token));
  CHECK(parse_created_token(201, R"({"data":{"id":"tok-2"}})").error().kind == ErrorKind::bad_response);
}

TEST_CASE("user list: control characters cannot reach a terminal") {
  auto users = parse_user_list(200, R"({"data":[{"id":"u1","email":"a\u001b[2J@x","first_name":"A"},{"id":""}]})");
  REQUIRE(users.ok());
  REQUIRE(users.value().size() == 1);
  CHECK(users.value()[0].email == "a?[2J@x");
}

TEST_CASE("NewPrivateFile: 0600, never over an existing file or through a symlink, gone unless committed") {
  squadcast::test::TempDir dir;
  const std::string path = dir / "token";
  {
    auto file = NewPrivateFile::create(path);
    REQUIRE(file.ok());
    REQUIRE(file.value().commit("secret\n").ok());
  }
  struct stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(NewPrivateFile::create(path).error().kind == ErrorKind::permission);

  const std::string link = dir / "link";
  REQUIRE(::symlink((dir / "elsewhere").c_str(), link.c_str()) == 0);
  CHECK(NewPrivateFile::create(link).error().kind == ErrorKind::permission);
  CHECK_FALSE(std::filesystem::exists(dir / "elsewhere"));

  const std::string abandoned = dir / "abandoned";
  { auto file = NewPrivateFile::create(abandoned); }
  CHECK_FALSE(std::filesystem::exists(abandoned));
}
