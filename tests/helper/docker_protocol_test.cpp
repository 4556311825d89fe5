#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <sstream>

#include "fake_account.hpp"
#include "protocols/docker_protocol.hpp"

using namespace squadcast;
using namespace squadcast::helper;
using squadcast::helper::test::FakeAccount;

namespace {
struct DockerRun {
  int code;
  std::string out, err;
};

DockerRun run_docker(FakeAccount& account, std::string_view action, const std::string& input) {
  std::istringstream in(input);
  std::ostringstream out, err;
  int code = run_docker_action(action, account, in, out, err);
  return {code, out.str(), err.str()};
}
}  // namespace

TEST_CASE("docker get for the Squadcast host answers ServerURL, Username and Secret") {
  FakeAccount account;
  auto run = run_docker(account, "get", "api.squadcast.com\n");
  REQUIRE(run.code == 0);
  auto answer = nlohmann::json::parse(run.out);
  CHECK(answer["ServerURL"] == "api.squadcast.com");
  CHECK(answer["Username"] == "alice@acme.test");
  CHECK(answer["Secret"] == std::string(account.grant.access_token.reveal()));
}

TEST_CASE("docker get accepts a URL with scheme and path") {
  FakeAccount account;
  auto run = run_docker(account, "get", "https://api.squadcast.com/v2/");
  CHECK(run.code == 0);
  CHECK(nlohmann::json::parse(run.out)["ServerURL"] == "https://api.squadcast.com/v2/");
}

TEST_CASE("docker hands a token only for https (a bare host means https), never another scheme") {
  struct Row {
    const char* server_url;
    bool answered;
  } rows[] = {
      {"api.squadcast.com", true},           // docker's bare host: an https registry
      {"https://api.squadcast.com", true},
      {"HTTPS://api.squadcast.com/v2/", true},
      {"http://api.squadcast.com", false},   // plain http: the token would travel in clear
      {"ftp://api.squadcast.com", false},
      {"ws://api.squadcast.com", false},
      {"file://api.squadcast.com", false},
  };
  for (const auto& row : rows) {
    INFO(row.server_url);
    FakeAccount account;
    auto run = run_docker(account, "get", row.server_url);
    CHECK((run.code == 0) == row.answered);
    if (!row.answered) {
      CHECK(run.out == "credentials not found in native keychain\n");
      CHECK(account.token_requests == 0);
    }
  }
  // Plain http only where the configuration serves a loopback URL over http.
  FakeAccount loopback;
  loopback.hosts = {{"http", "127.0.0.1:8080"}};
  CHECK(run_docker(loopback, "get", "http://127.0.0.1:8080").code == 0);
  CHECK(run_docker(loopback, "get", "https://127.0.0.1:8080").code == 1);
  CHECK(run_docker(loopback, "get", "127.0.0.1:8080").code == 1);  // bare = https
}

TEST_CASE("docker get for a foreign registry is the exact not-found text with exit 1") {
  FakeAccount account;
  auto run = run_docker(account, "get", "index.docker.io");
  CHECK(run.code == 1);
  CHECK(run.out == "credentials not found in native keychain\n");
  CHECK(account.token_requests == 0);
}

TEST_CASE("docker get when not logged in is the not-found text") {
  FakeAccount account;
  account.token_error = Error{ErrorKind::not_found, "not logged in"};
  auto run = run_docker(account, "get", "api.squadcast.com");
  CHECK(run.code == 1);
  CHECK(run.out == "credentials not found in native keychain\n");
}

TEST_CASE("docker get errors go to stdout with exit 1") {
  FakeAccount account;
  account.token_error = Error{ErrorKind::network, "cannot reach Squadcast at https://auth.squadcast.com: refused; your stored token is kept"};
  auto run = run_docker(account, "get", "api.squadcast.com");
  CHECK(run.code == 1);
  CHECK(run.out == account.token_error->message + "\n");
  CHECK(run.err.empty());
}

TEST_CASE("docker store offers the Secret with the Username") {
  FakeAccount account;
  auto run = run_docker(account, "store", R"({"ServerURL":"api.squadcast.com","Username":"alice@acme.test","Secret":"abc123"})");
  CHECK(run.code == 0);
  CHECK(run.out.empty());
  REQUIRE(account.offered.size() == 1);
  CHECK(account.offered[0] == "abc123");
  CHECK(account.offered_usernames[0] == "alice@acme.test");
}

TEST_CASE("docker store refuses malformed JSON and foreign servers") {
  FakeAccount account;
  CHECK(run_docker(account, "store", "not json").code == 1);
  CHECK(run_docker(account, "store", R"({"ServerURL":"api.squadcast.com"})").code == 1);
  CHECK(run_docker(account, "store", R"({"ServerURL":"ghcr.io","Username":"u","Secret":"s"})").code == 1);
  CHECK(account.offered.empty());
}

TEST_CASE("docker erase drops the cached access token") {
  FakeAccount account;
  CHECK(run_docker(account, "erase", "api.squadcast.com\n").code == 0);
  CHECK(account.drops == 1);
  CHECK(run_docker(account, "erase", "ghcr.io\n").out == "credentials not found in native keychain\n");
  CHECK(account.drops == 1);
}

TEST_CASE("docker list maps the server to the username, or is empty when logged out") {
  FakeAccount account;
  auto run = run_docker(account, "list", "");
  CHECK(run.code == 0);
  CHECK(nlohmann::json::parse(run.out) == nlohmann::json{{"api.squadcast.com", "alice@acme.test"}});
  account.logged_in = false;
  CHECK(nlohmann::json::parse(run_docker(account, "list", "").out) == nlohmann::json::object());
}

TEST_CASE("docker unknown action is an error on stdout") {
  FakeAccount account;
  auto run = run_docker(account, "version2", "");
  CHECK(run.code == 1);
  CHECK_FALSE(run.out.empty());
}
