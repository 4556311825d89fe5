#include <catch2/catch.hpp>

#include <sstream>

#include "fake_account.hpp"
#include "protocols/git_protocol.hpp"

using namespace squadcast;
using namespace squadcast::helper;
using squadcast::helper::test::FakeAccount;

namespace {
struct GitRun {
  int code;
  std::string out, err;
};

GitRun run_git(FakeAccount& account, std::string_view action, const std::string& input) {
  std::istringstream in(input);
  std::ostringstream out, err;
  int code = run_git_action(action, account, in, out, err);
  return {code, out.str(), err.str()};
}
}  // namespace

TEST_CASE("git request parsing reads keys up to the blank line and ignores unknown ones") {
  std::istringstream in("protocol=https\nhost=API.Squadcast.com\npath=x/y\nusername=a@b\npassword=pw\r\n"
                        "capability[]=authtype\ncapability[]=state\nwwwauth[]=Bearer realm=x\nfuture=1\n\nhost=ignored\n");
  auto request = read_git_request(in);
  REQUIRE(request);
  CHECK(request.value().protocol == "https");
  CHECK(request.value().host == "api.squadcast.com");
  CHECK(request.value().path == "x/y");
  CHECK(request.value().username == "a@b");
  REQUIRE(request.value().password);
  CHECK(request.value().password->reveal() == "pw");
  CHECK(request.value().has("authtype"));
  CHECK(request.value().has("state"));
  CHECK_FALSE(request.value().has("other"));
}

TEST_CASE("git request parsing takes protocol and host from url=") {
  std::istringstream in("url=https://api.squadcast.com:8443/v3/users\n");
  auto request = read_git_request(in);
  REQUIRE(request);
  CHECK(request.value().protocol == "https");
  CHECK(request.value().host == "api.squadcast.com:8443");
}

TEST_CASE("git get for the Squadcast host answers username, password and expiry") {
  FakeAccount account;
  auto run = run_git(account, "get", "protocol=https\nhost=api.squadcast.com\n\n");
  CHECK(run.code == 0);
  CHECK(run.out == "username=alice@acme.test\npassword=" + std::string(account.grant.access_token.reveal()) +
                       "\npassword_expiry_utc=1587412870\n");
  CHECK(run.err.empty());
}

TEST_CASE("git get answers for the auth host too") {
  FakeAccount account;
  auto run = run_git(account, "get", "protocol=https\nhost=auth.squadcast.com\n\n");
  CHECK(run.out.find("password=") != std::string::npos);
}

TEST_CASE("git get for a foreign host prints nothing, exits 0 and never asks for a token") {
  FakeAccount account;
  auto run = run_git(account, "get", "protocol=https\nhost=github.com\n\n");
  CHECK(run.code == 0);
  CHECK(run.out.empty());
  CHECK(run.err.empty());
  CHECK(account.token_requests == 0);
}

TEST_CASE("git get over plain http for the Squadcast host prints nothing") {
  FakeAccount account;
  auto run = run_git(account, "get", "protocol=http\nhost=api.squadcast.com\n\n");
  CHECK(run.out.empty());
  CHECK(account.token_requests == 0);
}

TEST_CASE("git get answers only when protocol= names the configured scheme") {
  struct Row {
    const char* request;
    bool answered;
  } rows[] = {
      {"protocol=https\nhost=api.squadcast.com\n\n", true},
      {"host=api.squadcast.com\n\n", false},  // no protocol=: nothing says TLS
      {"protocol=\nhost=api.squadcast.com\n\n", false},
      {"protocol=ftp\nhost=api.squadcast.com\n\n", false},
      {"url=api.squadcast.com\n\n", false},
      {"url=https://api.squadcast.com/repo.git\n\n", true},
      {"url=http://api.squadcast.com/repo.git\n\n", false},
  };
  for (const auto& row : rows) {
    INFO(row.request);
    FakeAccount account;
    auto run = run_git(account, "get", row.request);
    CHECK(run.code == 0);
    CHECK(run.out.empty() != row.answered);
    CHECK(account.token_requests == (row.answered ? 1 : 0));
  }
  FakeAccount loopback;  // http where the configuration allows it (loopback, tests)
  loopback.hosts = {{"http", "127.0.0.1:8080"}};
  CHECK(run_git(loopback, "get", "protocol=http\nhost=127.0.0.1:8080\n\n").out.find("password=") != std::string::npos);
  CHECK(run_git(loopback, "get", "host=127.0.0.1:8080\n\n").out.empty());
}

TEST_CASE("git get matches the port when the configured URL has one") {
  FakeAccount account;
  account.hosts = {{"https", "127.0.0.1:8443"}};
  CHECK(run_git(account, "get", "protocol=https\nhost=127.0.0.1:8443\n\n").out.find("password=") != std::string::npos);
  CHECK(run_git(account, "get", "protocol=https\nhost=127.0.0.1\n\n").out.empty());
  CHECK(run_git(account, "get", "protocol=https\nhost=127.0.0.1:9999\n\n").out.empty());
}

TEST_CASE("git get with capability authtype adds authtype=Bearer and credential") {
  FakeAccount account;
  auto run = run_git(account, "get", "capability[]=authtype\nprotocol=https\nhost=api.squadcast.com\n\n");
  const std::string token(account.grant.access_token.reveal());
  CHECK(run.out.find("capability[]=authtype\n") != std::string::npos);
  CHECK(run.out.find("authtype=Bearer\n") != std::string::npos);
  CHECK(run.out.find("credential=" + token + "\n") != std::string::npos);
}

TEST_CASE("git get without capability authtype does not send authtype") {
  FakeAccount account;
  auto run = run_git(account, "get", "protocol=https\nhost=api.squadcast.com\n\n");
  CHECK(run.out.find("authtype") == std::string::npos);
}

TEST_CASE("git get reports a token error on stderr in one line and prints nothing") {
  FakeAccount account;
  account.token_error = Error{ErrorKind::revoked, "the refresh token for profile 'default' was revoked or is invalid"};
  auto run = run_git(account, "get", "protocol=https\nhost=api.squadcast.com\n\n");
  CHECK(run.out.empty());
  CHECK(run.err == "squadcast-credential: the refresh token for profile 'default' was revoked or is invalid\n");
}

TEST_CASE("git store offers the password to the account with the username") {
  FakeAccount account;
  auto run = run_git(account, "store", "protocol=https\nhost=api.squadcast.com\nusername=alice@acme.test\npassword=abc123\n\n");
  CHECK(run.code == 0);
  REQUIRE(account.offered.size() == 1);
  CHECK(account.offered[0] == "abc123");
  CHECK(account.offered_usernames[0] == "alice@acme.test");
}

TEST_CASE("git store for a foreign host stores nothing") {
  FakeAccount account;
  run_git(account, "store", "protocol=https\nhost=github.com\nusername=x\npassword=abc123\n\n");
  CHECK(account.offered.empty());
}

TEST_CASE("git store reports a refusal on stderr") {
  FakeAccount account;
  account.store_error = Error{ErrorKind::invalid_input, "not storing the offered secret"};
  auto run = run_git(account, "store", "protocol=https\nhost=api.squadcast.com\npassword=a b\n\n");
  CHECK(run.code == 1);
  CHECK(run.err == "squadcast-credential: not storing the offered secret\n");
}

TEST_CASE("git erase drops the cached access token for the Squadcast host only") {
  FakeAccount account;
  run_git(account, "erase", "protocol=https\nhost=github.com\n\n");
  CHECK(account.drops == 0);
  run_git(account, "erase", "protocol=https\nhost=api.squadcast.com\npassword=x\n\n");
  CHECK(account.drops == 1);
  CHECK(account.offered.empty());
}

TEST_CASE("git unknown actions are ignored, as git requires") {
  FakeAccount account;
  auto run = run_git(account, "frobnicate", "host=api.squadcast.com\n\n");
  CHECK(run.code == 0);
  CHECK(run.out.empty());
}
