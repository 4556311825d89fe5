// exec's pieces in-process: durations, the command's environment, the command line, and
// that every error returns before anything is started (FakeAccount).
#include <catch2/catch.hpp>
#include <sstream>

#include "command_line.hpp"
#include "commands/exec_command.hpp"
#include "error_reporting.hpp"
#include "fake_account.hpp"
#include "squadcast_account.hpp"

using namespace squadcast;
using namespace squadcast::helper;

TEST_CASE("exec: --min-ttl durations") {
  struct Row {
    const char* text;
    std::int64_t seconds;
  };
  for (Row row : {Row{"900", 900}, Row{"0", 0}, Row{"45s", 45}, Row{"15m", 900}, Row{"1h", 3600},
                  Row{"1h30m", 5400}, Row{"2m30s", 150}, Row{"24h", 86400}}) {
    INFO(row.text);
    auto parsed = parse_duration(row.text);
    REQUIRE(parsed);
    CHECK(parsed.value() == row.seconds);
  }
  for (const char* bad : {"", "m", "15x", "1h30", "-5m", "+5", "15 m", "25h", "86401", "99999999999999999999", "1.5h"}) {
    INFO(bad);
    auto parsed = parse_duration(bad);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().message.find("--min-ttl") == 0);
  }
}

TEST_CASE("exec: the environment drops every inherited Squadcast variable it sets, keeps the rest") {
  Secret access("eyJhbGciOiJIUzI1NiJ9.eyJpZCI6IjEifQ.c2ln");
  Secret refresh("0123456789abcdef0123456789abcdef");
  ExecVariables variables;
  variables.profile = "work";
  variables.region = "eu";
  variables.access_token = &access;
  variables.refresh_token = &refresh;
  const std::vector<std::string_view> inherited = {
      "PATH=/usr/bin",         "SQUADCAST_REFRESH_TOKEN=stale", "SQUADCAST_REFRESHTOKEN=stale",
      "SQUADCAST_REGION=us",   "SQUADCASTSDK_BEARER_AUTH=old",  "SQUADCAST_PROFILE=other",
      "SQUADCAST_PROFILES=x",  "SQUADCAST_AUTH_URL=https://a",  "HOME=/home/alice"};
  ChildEnvironment full(inherited, variables);
  CHECK(full.lines() == std::vector<std::string>{"PATH=/usr/bin", "SQUADCAST_PROFILES=x", "SQUADCAST_AUTH_URL=https://a",
                                                 "HOME=/home/alice", "SQUADCAST_REFRESH_TOKEN=0123456789abcdef0123456789abcdef",
                                                 "SQUADCAST_REFRESHTOKEN=0123456789abcdef0123456789abcdef",
                                                 "SQUADCASTSDK_BEARER_AUTH=eyJhbGciOiJIUzI1NiJ9.eyJpZCI6IjEifQ.c2ln",
                                                 "SQUADCAST_REGION=eu", "SQUADCAST_PROFILE=work"});
  auto envp = full.envp();
  REQUIRE(envp.size() == full.lines().size() + 1);
  CHECK(envp.back() == nullptr);
  CHECK(std::string(envp[0]) == "PATH=/usr/bin");

  variables.refresh_token = nullptr;  // --access-token-only
  variables.region.clear();
  ChildEnvironment token_only(inherited, variables);
  CHECK(token_only.lines() == std::vector<std::string>{"PATH=/usr/bin", "SQUADCAST_PROFILES=x",
                                                       "SQUADCAST_AUTH_URL=https://a", "HOME=/home/alice",
                                                       "SQUADCASTSDK_BEARER_AUTH=eyJhbGciOiJIUzI1NiJ9.eyJpZCI6IjEifQ.c2ln",
                                                       "SQUADCAST_PROFILE=work"});
}

TEST_CASE("exec: options before '--' are ours, everything after it is the command's") {
  auto parsed = parse_command_line("squadcast-credential", {"exec", "--min-ttl", "5m", "--access-token-only", "--",
                                                            "sh", "-c", "exit 1", "--profile", "--"});
  REQUIRE(parsed);
  const CommandLine& command = parsed.value();
  CHECK(command.action == "exec");
  CHECK(command.min_ttl == "5m");
  CHECK(command.access_token_only);
  CHECK_FALSE(command.overrides.profile);
  CHECK(command.child_command == std::vector<std::string>{"sh", "-c", "exit 1", "--profile", "--"});
  auto equals = parse_command_line("squadcast-credential", {"--min-ttl=1h", "exec", "env"});
  REQUIRE(equals);
  CHECK(equals.value().min_ttl == "1h");
  CHECK(equals.value().operands == std::vector<std::string>{"env"});
  CHECK_FALSE(parse_command_line("squadcast-credential", {"exec", "--min-ttl"}));
}

TEST_CASE("exec: every error returns token's exit code before anything is started") {
  test::FakeAccount account;
  std::istringstream in;
  std::ostringstream out, err;
  CommandLine command;
  command.action = "exec";
  command.child_command = {"/bin/sh", "-c", "exit 99"};  // would end this test process

  account.token_error = Error{ErrorKind::revoked, "the refresh token was revoked"};
  CHECK(run_exec_command(command, account, in, out, err) == exit_revoked);
  CHECK(err.str() == "squadcast-credential: the refresh token was revoked\n");
  CHECK(account.validity_requests == std::vector<std::int64_t>{default_min_ttl_seconds});

  account.token_error.reset();
  account.logged_in = false;  // a cached access token, but the refresh token is gone
  err.str("");
  command.min_ttl = "1h";
  CHECK(run_exec_command(command, account, in, out, err) == exit_not_logged_in);
  CHECK(err.str() == "squadcast-credential: nothing stored\n");
  CHECK(account.validity_requests.back() == 3600);

  err.str("");
  command.min_ttl = "soon";
  CHECK(run_exec_command(command, account, in, out, err) == exit_usage);
  CHECK(account.validity_requests.size() == 2);

  err.str("");
  command.min_ttl.reset();
  command.operands = {"env"};
  CHECK(run_exec_command(command, account, in, out, err) == exit_usage);
  CHECK(err.str().find("after '--'") != std::string::npos);
  CHECK(out.str().empty());
}

TEST_CASE("exec: SQUADCAST_REGION only for a named region's own endpoints") {
  auto account_for = [](const std::string& region, const std::string& auth_url) {
    Config config;
    config.region = region;
    config.endpoints = resolve_endpoints(region, auth_url, "", false).value();
    static std::ostringstream ignored;
    return std::make_unique<SquadcastAccount>(config, [](const char*) -> const char* { return nullptr; }, ignored);
  };
  CHECK(account_for("us", "")->named_region() == "us");
  CHECK(account_for("eu", "")->named_region() == "eu");
  CHECK(account_for("eu", "https://auth.example.test")->named_region().empty());
  CHECK(account_for("us", "https://auth.squadcast.com/")->named_region() == "us");
}
