// Directory mode (token_source=host) through the real libpam (pam_wrapper) against the
// emulator: the host's own credential (tok-host-1, a user-role "fleet-host" in no team)
// asks Squadcast about the person; nobody's token is on the host. A row is a scenario.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "emulator_fixture.hpp"
#include "pam_module_args.hpp"
#include "pam_test_env.hpp"

using squadcast::test::account_only;
using squadcast::test::acme;
using squadcast::test::Emulator;
using squadcast::test::PamTestEnv;
using squadcast::test::run_account_only;

namespace {

// The host credential as --enroll leaves it: 0600, ours.
std::string install_host_token(const PamTestEnv& env, const std::string& token, mode_t mode = 0600) {
  const std::string path = env.root() + "/host-token";
  ::unlink(path.c_str());
  std::ofstream(path) << token << "\n";
  ::chmod(path.c_str(), mode);
  return path;
}

std::string directory_args(const Emulator& emu, const PamTestEnv& env, const std::string& host_token,
                           const std::string& extra) {
  return "auth_url=" + emu.url() + " api_url=" + emu.url() + " ca_file=" + emu.ca_file() +
         " cache_dir=" + env.cache_dir() + " org_id=" + acme + " timeout=5 token_source=host host_token=" +
         host_token + " user_map=email_localpart email_domain=acme.test " + extra;
}

struct Account {
  int code;
  std::string log;
};

Account account_as(const std::string& service, const std::string& user) {
  squadcast::test::ModuleLogCapture capture;
  Account out{run_account_only(service, user), ""};
  out.log = capture.text();
  return out;
}

struct DirectoryRow {
  const char* name;
  const char* args;
  const char* user;
  int account;
  const char* reason;  // must appear in the log as reason="..."
};

}  // namespace

TEST_CASE("directory mode decides from the host's view of the person", "[directory]") {
  Emulator emu;
  PamTestEnv env;
  const auto host_token = install_host_token(env, emu.refresh_token("tok-host-1"));
  const DirectoryRow rows[] = {
      {"member", "require_team=payments", "alice", PAM_SUCCESS, "member of team payments"},
      {"non-member", "require_team=payments", "bob", PAM_PERM_DENIED, "not a member of team payments"},
      {"team by id", "require_team=5e8edb1f7e6f7d0001b20002 min_role=stakeholder", "sam", PAM_SUCCESS, "member of team 5e8edb1f7e6f7d0001b20002"},
      {"on call", "require_oncall=payments", "alice", PAM_SUCCESS, "on call: Payments primary (team payments)"},
      {"on call through a squad", "require_oncall=payments", "bob", PAM_SUCCESS,
       "on call: Payments secondary (team payments)"},
      {"only on a paused schedule", "require_oncall=payments", "olivia", PAM_PERM_DENIED, "not on call for team payments"},
      {"schedule by id", "require_oncall=payments/45", "alice", PAM_SUCCESS,
       "on call: Payments escalation (team payments)"},
      {"schedule by name", "[require_oncall=payments/Payments escalation]", "alice", PAM_SUCCESS,
       "on call: Payments escalation (team payments)"},
      {"schedule by name, someone else's", "[require_oncall=payments/Payments primary]", "bob", PAM_PERM_DENIED,
       "not on call for team payments (schedule Payments primary)"},
      {"role from the directory", "min_role=account_owner", "alice", PAM_PERM_DENIED, "role admin is below account_owner"},
      {"ability from the directory", "require_ability=manage-api-tokens", "olivia", PAM_SUCCESS, "all checks passed"},
      {"no such Squadcast user", "", "mallory", PAM_PERM_DENIED, "no Squadcast user mallory@acme.test"},
      {"another organisation's user is nobody here", "", "eve", PAM_PERM_DENIED, "no Squadcast user eve@acme.test"},
      {"a restricted team refuses the host", "require_team=5e8edb1f7e6f7d0001b20003", "olivia", PAM_PERM_DENIED,
       "not a member of team 5e8edb1f7e6f7d0001b20003: Squadcast refuses this user the team's members (HTTP 403"},
      {"an unknown team refuses everyone", "require_team=no-such-team", "alice", PAM_SERVICE_ERR,
       "unknown team 'no-such-team'"},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    const auto service = env.service("directory", account_only, directory_args(emu, env, host_token, row.args));
    auto result = account_as(service, row.user);
    CAPTURE(result.log);
    CHECK(result.code == row.account);
    CHECK(result.log.find(std::string("reason=\"") + row.reason) != std::string::npos);
    // The person's token is never used: only the host's token id spends calls.
    for (const auto& [token_id, calls] : emu.token_counters()) {
      if (token_id != "tok-host-1") CHECK(calls == 0);
    }
  }
}

TEST_CASE("directory mode asks per roster, not per login", "[directory]") {
  Emulator emu;
  PamTestEnv env;
  const auto host_token = install_host_token(env, emu.refresh_token("tok-host-1"));
  const auto service = env.service("directory", account_only,
                                   directory_args(emu, env, host_token, "require_oncall=payments"));
  REQUIRE(account_as(service, "alice").code == PAM_SUCCESS);
  const long after_first = emu.counter("total");
  for (int i = 0; i < 20; ++i) {
    auto again = account_as(service, "alice");
    CHECK(again.code == PAM_SUCCESS);
    CHECK(again.log.find("source=roster-cache") != std::string::npos);
  }
  CHECK(emu.counter("total") == after_first);  // twenty logins, no request
  // Another person of the same team: only their record is new, the on-call roster is shared.
  REQUIRE(account_as(service, "bob").code == PAM_SUCCESS);
  CHECK(emu.counter("graphql") == 1);
  CHECK(emu.counter("exchange") == 1);  // the host's access token is cached root-only
}

TEST_CASE("directory mode: a 429 on the host credential is retried within timeout, honouring Retry-After", "[directory]") {
  Emulator emu;
  PamTestEnv env;
  const auto host_token = install_host_token(env, emu.refresh_token("tok-host-1"));
  const auto service = env.service("directory", account_only, directory_args(emu, env, host_token, "require_team=payments"));
  emu.fault("exchange", 1, "status", 429, "1");
  auto first = account_as(service, "alice");
  CHECK(first.code == PAM_SUCCESS);
  CHECK(emu.counter("exchange") == 2);  // the 429, then the retry after Retry-After
}

TEST_CASE("directory mode: a refusal asks again after 10 s, so a hand-off is seen", "[directory]") {
  Emulator emu;
  PamTestEnv env;
  const auto host_token = install_host_token(env, emu.refresh_token("tok-host-1"));
  const auto service = env.service("directory", account_only,
                                   directory_args(emu, env, host_token, "require_oncall=payments/42"));
  REQUIRE(account_as(service, "bob").code == PAM_PERM_DENIED);
  emu.call_control("POST", "/_control/oncall/handoff",
                   R"({"schedule_id":42,"from":"alice@acme.test","to":"bob@acme.test"})");
  REQUIRE(account_as(service, "bob").code == PAM_PERM_DENIED);  // refused rosters are reused for 10 s
  const long graphql_before = emu.counter("graphql");
  for (int i = 0; i < 5; ++i) CHECK(account_as(service, "bob").code == PAM_PERM_DENIED);
  CHECK(emu.counter("graphql") == graphql_before);  // a refused user cannot flood Squadcast
  std::this_thread::sleep_for(std::chrono::seconds(11));
  auto in = account_as(service, "bob");
  CHECK(in.code == PAM_SUCCESS);
  CHECK(in.log.find("on call: Payments primary") != std::string::npos);
}

TEST_CASE("directory mode: offboarding within roster_ttl, offline grace, revoked host credential", "[directory]") {
  Emulator emu;
  PamTestEnv env;
  const auto host_token = install_host_token(env, emu.refresh_token("tok-host-1"));
  const auto member = env.service("member", account_only,
                                  directory_args(emu, env, host_token, "require_team=payments roster_ttl=5 offline_grace=3600"));
  const auto oncall = env.service("oncall", account_only,
                                  directory_args(emu, env, host_token, "require_oncall=payments roster_ttl=5"));
  REQUIRE(account_as(member, "alice").code == PAM_SUCCESS);
  REQUIRE(account_as(oncall, "alice").code == PAM_SUCCESS);
  std::this_thread::sleep_for(std::chrono::seconds(6));  // past roster_ttl

  SECTION("Squadcast unreachable: team rosters within offline_grace, on-call only within oncall_offline_grace") {
    emu.fault("any", 1000, "status", 503);
    auto graced = account_as(member, "alice");
    CHECK(graced.code == PAM_SUCCESS);
    CHECK(graced.log.find("source=roster-offline-grace") != std::string::npos);
    CHECK(account_as(oncall, "alice").code == PAM_AUTHINFO_UNAVAIL);  // oncall_offline_grace=0
  }
  SECTION("a 429 is never graced") {
    emu.fault("any", 1000, "status", 429);
    CHECK(account_as(member, "alice").code == PAM_AUTHINFO_UNAVAIL);
  }
  SECTION("a deleted user is out once the roster is older than roster_ttl") {
    emu.delete_user("alice@acme.test");
    auto out = account_as(member, "alice");
    CHECK(out.code == PAM_PERM_DENIED);
    CHECK(out.log.find("no Squadcast user alice@acme.test") != std::string::npos);
  }
  SECTION("a GraphQL error is never 'nobody' and never 'everybody'") {
    emu.graphql_error(100, "internal resolver failure");
    auto out = account_as(oncall, "alice");
    CHECK(out.code == PAM_PERM_DENIED);
    CHECK(out.log.find("internal resolver failure") != std::string::npos);
    emu.graphql_error(100, "x", "malformed");
    CHECK(account_as(oncall, "alice").code == PAM_PERM_DENIED);
  }
  SECTION("a revoked host credential refuses everyone with the fix") {
    emu.revoke("tok-host-1");
    auto out = account_as(member, "alice");
    CHECK(out.code == PAM_SERVICE_ERR);
    CHECK(out.log.find("host credential revoked or invalid: enrol a new one with squadcast-pam-check --enroll") !=
          std::string::npos);
  }
}

TEST_CASE("directory mode: the host credential file must be ours, 0600, not a symlink", "[directory]") {
  Emulator emu;
  PamTestEnv env;
  const std::string token = emu.refresh_token("tok-host-1");
  SECTION("missing") {
    const auto service = env.service("directory", account_only,
                                     directory_args(emu, env, env.root() + "/absent", ""));
    auto out = account_as(service, "alice");
    CHECK(out.code == PAM_SERVICE_ERR);
    CHECK(out.log.find("squadcast-pam-check --enroll") != std::string::npos);
  }
  SECTION("readable by others") {
    const auto path = install_host_token(env, token, 0644);
    auto out = account_as(env.service("directory", account_only, directory_args(emu, env, path, "")), "alice");
    CHECK(out.code == PAM_SERVICE_ERR);
    CHECK(out.log.find("host credential " + path) != std::string::npos);
  }
  SECTION("a symlink") {
    const auto real = install_host_token(env, token);
    const std::string link = env.root() + "/host-token-link";
    REQUIRE(::symlink(real.c_str(), link.c_str()) == 0);
    auto out = account_as(env.service("directory", account_only, directory_args(emu, env, link, "")), "alice");
    CHECK(out.code == PAM_SERVICE_ERR);
  }
  CHECK(emu.counter("total") == 0);  // refused before asking anything
}

TEST_CASE("directory mode is for account only", "[directory]") {
  Emulator emu;
  PamTestEnv env;
  const auto host_token = install_host_token(env, emu.refresh_token("tok-host-1"));
  const auto service = env.service("directory", {"auth required @MODULE@ @ARGS@"},
                                   directory_args(emu, env, host_token, ""));
  auto run = squadcast::test::run_pam(service, "alice", {"anything"}, false);
  CHECK(run.auth == PAM_SERVICE_ERR);
}

TEST_CASE("a refused person is told why in one line, unless hide_reason or PAM_SILENT", "[directory]") {
  Emulator emu;
  PamTestEnv env;
  const auto host_token = install_host_token(env, emu.refresh_token("tok-host-1"));
  const auto told = squadcast::test::run_account_told(
      env.service("directory", account_only, directory_args(emu, env, host_token, "require_team=payments")), "bob");
  CHECK(told.account == PAM_PERM_DENIED);
  CHECK(std::string(told.told) == "Squadcast refused access: not a member of team payments\n");
  const auto allowed = squadcast::test::run_account_told(
      env.service("directory", account_only, directory_args(emu, env, host_token, "require_team=payments")), "alice");
  CHECK(allowed.account == PAM_SUCCESS);
  CHECK(std::string(allowed.told).empty());
  const auto hidden = squadcast::test::run_account_told(
      env.service("directory", account_only, directory_args(emu, env, host_token, "require_team=payments hide_reason")),
      "bob");
  CHECK(hidden.account == PAM_PERM_DENIED);
  CHECK(std::string(hidden.told).empty());
  emu.revoke("tok-host-1");
  const auto broken = squadcast::test::run_account_told(
      env.service("directory", account_only, directory_args(emu, env, host_token, "require_team=payments roster_ttl=5")),
      "mallory");
  CHECK(broken.account == PAM_SERVICE_ERR);
  CHECK(std::string(broken.told).find("cannot be checked on this host") != std::string::npos);
  CHECK(std::string(broken.told).find(emu.refresh_token("tok-host-1")) == std::string::npos);
}
