#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <sstream>

#include "fake_account.hpp"
#include "protocols/terraform_protocol.hpp"

using namespace squadcast;
using namespace squadcast::helper;
using squadcast::helper::test::FakeAccount;

namespace {
struct TerraformRun {
  int code;
  std::string out, err;
};

TerraformRun run_terraform(FakeAccount& account, std::string_view action, std::vector<std::string> operands,
                           const std::string& input = "") {
  std::istringstream in(input);
  std::ostringstream out, err;
  int code = run_terraform_action(action, operands, account, in, out, err);
  return {code, out.str(), err.str()};
}
}  // namespace

TEST_CASE("terraform get HOST prints the token as JSON") {
  FakeAccount account;
  auto run = run_terraform(account, "get", {"api.squadcast.com"});
  CHECK(run.code == 0);
  CHECK(nlohmann::json::parse(run.out) == nlohmann::json{{"token", std::string(account.grant.access_token.reveal())}});
}

TEST_CASE("terraform get for an unknown host prints {}") {
  FakeAccount account;
  auto run = run_terraform(account, "get", {"app.terraform.io"});
  CHECK(run.code == 0);
  CHECK(run.out == "{}\n");
  CHECK(account.token_requests == 0);
}

TEST_CASE("terraform get when not logged in prints {} and a hint") {
  FakeAccount account;
  account.token_error = Error{ErrorKind::not_found, "not logged in"};
  auto run = run_terraform(account, "get", {"api.squadcast.com"});
  CHECK(run.code == 0);
  CHECK(run.out == "{}\n");
  CHECK(run.err == "squadcast-credential: not logged in\n");
}

TEST_CASE("terraform get fails with exit 1 when the token was revoked") {
  FakeAccount account;
  account.token_error = Error{ErrorKind::revoked, "revoked"};
  auto run = run_terraform(account, "get", {"api.squadcast.com"});
  CHECK(run.code == 1);
  CHECK(run.out.empty());
}

TEST_CASE("terraform store HOST reads the token from JSON on stdin") {
  FakeAccount account;
  auto run = run_terraform(account, "store", {"api.squadcast.com"}, R"({"token":"abc123"})");
  CHECK(run.code == 0);
  REQUIRE(account.offered.size() == 1);
  CHECK(account.offered[0] == "abc123");
}

TEST_CASE("terraform store refuses bad JSON and foreign hosts") {
  FakeAccount account;
  CHECK(run_terraform(account, "store", {"api.squadcast.com"}, "abc123").code == 1);
  CHECK(run_terraform(account, "store", {"app.terraform.io"}, R"({"token":"abc123"})").code == 1);
  CHECK(account.offered.empty());
}

TEST_CASE("terraform forget HOST drops the cached access token") {
  FakeAccount account;
  CHECK(run_terraform(account, "forget", {"api.squadcast.com"}).code == 0);
  CHECK(account.drops == 1);
}

TEST_CASE("terraform actions need exactly one HOST") {
  FakeAccount account;
  CHECK(run_terraform(account, "get", {}).code == 1);
  CHECK(run_terraform(account, "get", {"a", "b"}).code == 1);
}
