// require_team= and require_oncall= through the real libpam (pam_wrapper) against the
// emulator's teams and schedules (tests/emulator/README.md, "Teams and on-call"). A row is
// a scenario: options, who logs in, what auth and account answer, what the log says.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <thread>

#include "emulator_fixture.hpp"
#include "pam_module_args.hpp"
#include "pam_test_env.hpp"

using squadcast::test::account_only;
using squadcast::test::acme;
using squadcast::test::auth_and_account;
using squadcast::test::Emulator;
using squadcast::test::PamTestEnv;
using squadcast::test::run_account_only;
using squadcast::test::run_pam;

namespace {


// Each option once (a repeated one is a configuration error): the base's timeout and
// min_role only where the row names none.
std::string args_for(const Emulator& emu, const PamTestEnv& env, const std::string& extra) {
  std::string base = "auth_url=" + emu.url() + " api_url=" + emu.url() + " ca_file=" + emu.ca_file() +
                     " cache_dir=" + env.cache_dir() + " org_id=" + acme;
  if (extra.find("timeout=") == std::string::npos) base += " timeout=5";
  if (extra.find("min_role=") == std::string::npos) base += " min_role=stakeholder";
  return base + " " + extra;
}

// Runs auth (+ account) and returns the pam_syslog lines pam_wrapper printed meanwhile.
struct Logged {
  squadcast::test::PamRun run;
  std::string log;
};
Logged logged_run(const std::string& service, const std::string& user, const std::string& token, bool account) {
  Logged out;
  {
    squadcast::test::ModuleLogCapture capture;
    out.run = run_pam(service, user, {token}, account);
    out.log = capture.text();
  }
  return out;
}

long oncall_counter(Emulator& emu, const char* name) {
  return nlohmann::json::parse(emu.call_control("GET", "/_control/oncall/counters")).at(name).get<long>();
}

struct GateRow {
  const char* name;
  const char* args;
  const char* user;
  const char* token_id;
  int auth;
  const char* reason;  // must appear in the log as reason="..."
};

}  // namespace

TEST_CASE("team membership and on-call duty", "[teams]") {
  Emulator emu;
  PamTestEnv env;
  const GateRow rows[] = {
      {"member", "require_team=payments", "alice", "tok-admin", PAM_SUCCESS, "member of team payments"},
      {"non-member", "require_team=payments", "bob", "tok-user", PAM_PERM_DENIED, "not a member of team payments"},
      {"member, team by id", "require_team=5e8edb1f7e6f7d0001b20002", "sam", "tok-stakeholder", PAM_SUCCESS,
       "member of team 5e8edb1f7e6f7d0001b20002"},
      {"member, team by name", "require_team=Platform", "sam", "tok-stakeholder", PAM_SUCCESS, "member of team Platform"},
      {"member of one of several", "require_team=payments,platform", "bob", "tok-user", PAM_SUCCESS,
       "member of team platform"},
      {"on call", "require_oncall=payments", "alice", "tok-admin", PAM_SUCCESS,
       "on call: Payments primary (team payments)"},
      {"on call through a squad", "require_oncall=payments", "bob", "tok-user", PAM_SUCCESS,
       "on call: Payments secondary (team payments)"},
      {"not on call", "require_oncall=platform", "sam", "tok-stakeholder", PAM_PERM_DENIED,
       "not on call for team platform"},
      {"only on a paused schedule", "require_oncall=payments", "olivia", "tok-owner", PAM_PERM_DENIED,
       "not on call for team payments"},
      {"schedule on page 2", "[require_oncall=payments/Payments escalation]", "alice", "tok-admin", PAM_SUCCESS,
       "on call: Payments escalation (team payments)"},
      {"schedule by id", "require_oncall=payments/45", "alice", "tok-admin", PAM_SUCCESS,
       "on call: Payments escalation (team payments)"},
      {"another schedule", "[require_oncall=payments/Payments secondary]", "alice", "tok-admin", PAM_PERM_DENIED,
       "not on call for team payments (schedule Payments secondary)"},
      {"403 on a restricted team", "require_team=5e8edb1f7e6f7d0001b20003", "alice", "tok-admin", PAM_PERM_DENIED,
       "not a member of team 5e8edb1f7e6f7d0001b20003; Squadcast refuses this user the team's members (HTTP 403"},
      {"403 on a restricted team's schedules", "require_oncall=5e8edb1f7e6f7d0001b20003", "alice", "tok-admin",
       PAM_PERM_DENIED, "not on call for team 5e8edb1f7e6f7d0001b20003: Squadcast refuses this user"},
      {"restricted team, member", "require_oncall=5e8edb1f7e6f7d0001b20003", "olivia", "tok-owner", PAM_SUCCESS,
       "on call: Security primary (team 5e8edb1f7e6f7d0001b20003)"},
      {"unknown team name", "require_team=no-such-team", "alice", "tok-admin", PAM_SERVICE_ERR,
       "unknown team 'no-such-team'"},
      {"unknown team id (v4 404)", "require_oncall=5e8edb1f7e6f7d0001b2ffff", "alice", "tok-admin", PAM_SERVICE_ERR,
       "unknown team '5e8edb1f7e6f7d0001b2ffff'"},
      {"member and on call", "require_team=payments require_oncall=payments", "alice", "tok-admin", PAM_SUCCESS,
       "on call: Payments primary (team payments)"},
      {"on call but not a member", "require_team=payments require_oncall=payments", "bob", "tok-user",
       PAM_PERM_DENIED, "not a member of team payments"},
      {"role is checked first", "min_role=admin require_team=platform", "bob", "tok-user", PAM_PERM_DENIED,
       "role user is below admin"},
  };
  int n = 0;
  for (const auto& row : rows) {
    INFO(row.name);
    // Caches off so rows stay independent.
    auto service = env.service("sq-team-" + std::to_string(n++), auth_and_account,
                               args_for(emu, env, std::string("cache_ttl=0 oncall_ttl=0 ") + row.args));
    auto result = logged_run(service, row.user, emu.refresh_token(row.token_id), true);
    INFO(result.log);
    CHECK(result.run.auth == row.auth);
    if (row.auth == PAM_SUCCESS) CHECK(result.run.account == PAM_SUCCESS);
    CHECK(result.log.find(std::string("reason=\"") + row.reason) != std::string::npos);
  }
}

TEST_CASE("hand-off, pause and the on-call answer cache", "[teams]") {
  Emulator emu;
  PamTestEnv env;
  const auto alice = emu.refresh_token("tok-admin");
  const auto bob = emu.refresh_token("tok-user");

  SECTION("a hand-off takes effect once oncall_ttl has passed") {
    auto service = env.service("sq-handoff", auth_and_account,
                               args_for(emu, env, "cache_ttl=300 oncall_ttl=2 [require_oncall=payments/Payments primary]"));
    CHECK(run_pam(service, "alice", {alice}, true).auth == PAM_SUCCESS);
    CHECK(run_pam(service, "bob", {bob}, true).auth == PAM_PERM_DENIED);
    emu.call_control("POST", "/_control/oncall/handoff",
                     R"({"schedule_id":42,"from":"alice@acme.test","to":"bob@acme.test"})");
    CHECK(run_pam(service, "bob", {bob}, true).auth == PAM_SUCCESS);      // the new responder: at once
    CHECK(run_pam(service, "alice", {alice}, true).auth == PAM_SUCCESS);  // still within oncall_ttl
    std::this_thread::sleep_for(std::chrono::milliseconds(2200));
    auto after = logged_run(service, "alice", alice, false);
    CHECK(after.run.auth == PAM_PERM_DENIED);
    CHECK(after.log.find("reason=\"not on call for team payments (schedule Payments primary)\"") != std::string::npos);
  }
  SECTION("a paused schedule puts nobody on call") {
    auto service = env.service("sq-pause", auth_and_account,
                               args_for(emu, env, "cache_ttl=0 oncall_ttl=0 require_oncall=payments/42"));
    CHECK(run_pam(service, "alice", {alice}, false).auth == PAM_SUCCESS);
    emu.call_control("POST", "/_control/oncall/pause", R"({"schedule_id":42,"paused":true})");
    CHECK(run_pam(service, "alice", {alice}, false).auth == PAM_PERM_DENIED);
    emu.call_control("POST", "/_control/oncall/pause", R"({"schedule_id":42,"paused":false})");
    CHECK(run_pam(service, "alice", {alice}, false).auth == PAM_SUCCESS);
  }
  SECTION("within oncall_ttl the answer is reused; account reuses auth's") {
    auto service = env.service("sq-oncall-cache", auth_and_account,
                               args_for(emu, env, "cache_ttl=300 oncall_ttl=60 require_oncall=payments"));
    CHECK(run_pam(service, "alice", {alice}, true).account == PAM_SUCCESS);
    const long pages = oncall_counter(emu, "schedules");
    CHECK(pages == 2);  // alice is on two schedules, one per page: both pages followed once
    CHECK(run_pam(service, "alice", {alice}, true).account == PAM_SUCCESS);
    CHECK(oncall_counter(emu, "schedules") == pages);
    CHECK(emu.counter("exchange") == 1);
  }
  SECTION("a refusal is not cached") {
    auto service = env.service("sq-oncall-no", auth_and_account,
                               args_for(emu, env, "cache_ttl=0 oncall_ttl=60 require_oncall=platform"));
    auto sam = emu.refresh_token("tok-stakeholder");
    CHECK(run_pam(service, "sam", {sam}, false).auth == PAM_PERM_DENIED);
    emu.call_control("POST", "/_control/oncall/handoff",
                     R"({"schedule_id":46,"from":"olivia@acme.test","to":"sam@acme.test"})");
    CHECK(run_pam(service, "sam", {sam}, false).auth == PAM_SUCCESS);
  }
}

TEST_CASE("errors and outages of the team lookups", "[teams]") {
  Emulator emu;
  PamTestEnv env;
  const auto alice = emu.refresh_token("tok-admin");
  const std::string oncall = "cache_ttl=0 offline_grace=600 require_oncall=payments ";

  SECTION("a v4 error envelope: 5xx is an outage, 403 a refusal, both with the server's message") {
    auto service = env.service("sq-v4", auth_and_account, args_for(emu, env, oncall + "oncall_ttl=0"));
    emu.call_control("POST", "/_control/oncall/fault", R"({"count":10,"status":503,"envelope":"v4"})");
    auto down = logged_run(service, "alice", alice, false);
    CHECK(down.run.auth == PAM_AUTHINFO_UNAVAIL);
    CHECK(down.log.find("injected failure") != std::string::npos);
    emu.call_control("POST", "/_control/oncall/reset");
    // By id, so the one faulted request is the schedules page (no team list first).
    auto by_id = env.service("sq-v4-id", auth_and_account,
                             args_for(emu, env, "cache_ttl=0 oncall_ttl=0 require_oncall=5e8edb1f7e6f7d0001b20001"));
    CHECK(run_pam(by_id, "alice", {alice}, false).auth == PAM_SUCCESS);
    emu.call_control("POST", "/_control/oncall/fault", R"({"count":1,"status":403,"envelope":"v4"})");
    auto refused = logged_run(by_id, "alice", alice, false);
    CHECK(refused.run.auth == PAM_PERM_DENIED);
    CHECK(refused.log.find("reason=\"not on call for team 5e8edb1f7e6f7d0001b20001: Squadcast refuses this user the "
                           "team's schedules (HTTP 403: injected failure)\"") != std::string::npos);
    // Neither envelope (an HTML error page), past the client's retries: an outage.
    emu.call_control("POST", "/_control/oncall/fault", R"({"count":10,"status":500,"envelope":"none"})");
    CHECK(run_pam(service, "alice", {alice}, false).auth == PAM_AUTHINFO_UNAVAIL);
  }
  SECTION("Squadcast down: offline_grace alone never extends an on-call answer") {
    auto service = env.service("sq-down-nograce", auth_and_account,
                               args_for(emu, env, oncall + "oncall_ttl=0 timeout=2"));
    CHECK(run_pam(service, "alice", {alice}, true).auth == PAM_SUCCESS);
    emu.fault("any", 1000, "drop");
    CHECK(run_pam(service, "alice", {alice}, true).auth == PAM_AUTHINFO_UNAVAIL);
  }
  SECTION("Squadcast down: oncall_offline_grace lets the last responder in, nobody else") {
    auto service = env.service("sq-down-grace", auth_and_account,
                               args_for(emu, env, oncall + "oncall_ttl=0 oncall_offline_grace=600 timeout=2"));
    CHECK(run_pam(service, "alice", {alice}, true).auth == PAM_SUCCESS);
    emu.fault("any", 1000, "drop");
    auto result = logged_run(service, "alice", alice, true);
    CHECK(result.run.auth == PAM_SUCCESS);
    CHECK(result.run.account == PAM_SUCCESS);
    CHECK(result.log.find("source=offline_grace reason=\"on call: Payments primary (team payments)\"") != std::string::npos);
    CHECK(run_pam(service, "bob", {emu.refresh_token("tok-user")}, false).auth == PAM_AUTHINFO_UNAVAIL);
  }
  SECTION("only the team lookups down: the same rules") {
    auto no_grace = env.service("sq-teams-down", auth_and_account, args_for(emu, env, oncall + "oncall_ttl=0"));
    auto grace = env.service("sq-teams-down-grace", auth_and_account,
                             args_for(emu, env, oncall + "oncall_ttl=0 oncall_offline_grace=600"));
    CHECK(run_pam(grace, "alice", {alice}, false).auth == PAM_SUCCESS);
    emu.call_control("POST", "/_control/oncall/fault", R"({"count":100,"status":502,"envelope":"v3"})");
    CHECK(run_pam(no_grace, "alice", {alice}, false).auth == PAM_AUTHINFO_UNAVAIL);
    CHECK(run_pam(grace, "alice", {alice}, false).auth == PAM_SUCCESS);
  }
  SECTION("a revoked token is refused even with an on-call answer cached") {
    const auto short_admin = emu.refresh_token("tok-admin-short");
    auto service = env.service("sq-team-401", auth_and_account,
                               args_for(emu, env, "cache_ttl=300 oncall_ttl=0 oncall_offline_grace=600 require_oncall=payments"));
    CHECK(run_pam(service, "alice", {short_admin}, false).auth == PAM_SUCCESS);
    emu.revoke("tok-admin-short");
    CHECK(run_pam(service, "alice", {short_admin}, false).auth == PAM_PERM_DENIED);
    emu.fault("any", 1000, "drop");
    CHECK(run_pam(service, "alice", {short_admin}, false).auth == PAM_AUTHINFO_UNAVAIL);
  }
}

TEST_CASE("team and on-call checks in the account phase", "[teams]") {
  Emulator emu;
  PamTestEnv env;
  SECTION("token_source=user_store (key-based SSH, sudo)") {
    auto service = env.service("sq-team-store", account_only,
                               args_for(emu, env, "cache_ttl=0 oncall_ttl=0 token_source=user_store require_oncall=payments"));
    env.write_user_store("alice", emu.refresh_token("tok-admin"));
    env.write_user_store("sam", emu.refresh_token("tok-stakeholder"));
    CHECK(run_account_only(service, "alice") == PAM_SUCCESS);
    CHECK(run_account_only(service, "sam") == PAM_PERM_DENIED);
  }
  SECTION("account asking more than auth checked, with no token to ask with") {
    auto service = env.service("sq-team-mismatch",
                               {"auth required @MODULE@ " + args_for(emu, env, "cache_ttl=0"),
                                "account required @MODULE@ " + args_for(emu, env, "cache_ttl=0 require_team=payments")},
                               "");
    auto result = run_pam(service, "alice", {emu.refresh_token("tok-admin")}, true);
    CHECK(result.auth == PAM_SUCCESS);
    CHECK(result.account == PAM_PERM_DENIED);
  }
}
