// pam_squadcast.so through the real libpam (pam_wrapper) when Squadcast is down, slow,
// rate limiting or answering wrongly: what is an outage, what is a refusal, and when the
// offline grace may use a cached decision.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <thread>

#include "emulator_fixture.hpp"
#include "pam_module_args.hpp"
#include "pam_test_env.hpp"

using squadcast::test::acme;
using squadcast::test::auth_and_account;
using squadcast::test::base_args;
using squadcast::test::Emulator;
using squadcast::test::PamTestEnv;
using squadcast::test::run_pam;

namespace {

// Admins of the emulator's organisation, nothing cached, outages graced for 600 s.
std::string graced_admins_only(const Emulator& emu, PamTestEnv& env, const std::string& name) {
  return env.service(name, auth_and_account,
                     base_args(emu, env, "org_id=" + std::string(acme) +
                                             " min_role=admin cache_ttl=0 offline_grace=600 timeout=3"));
}

}  // namespace

TEST_CASE("Squadcast unreachable, timeout and offline grace", "[network]") {
  Emulator emu;
  PamTestEnv env;
  const std::string org = std::string("org_id=") + acme + " min_role=admin ";
  const auto admin = emu.refresh_token("tok-admin");

  SECTION("down: AUTHINFO_UNAVAIL") {
    auto service = env.service("sq-down", auth_and_account,
                               "org_id=" + std::string(acme) + " auth_url=https://127.0.0.1:1 api_url=https://127.0.0.1:1"
                               " timeout=2 cache_dir=" + env.cache_dir());
    CHECK(run_pam(service, "alice", {admin}, false).auth == PAM_AUTHINFO_UNAVAIL);
  }
  SECTION("a server that never answers is cut at timeout=") {
    emu.fault("exchange", 10, "hang");
    auto service = env.service("sq-hang", auth_and_account, base_args(emu, env, org + "cache_ttl=0" + " timeout=2"));
    auto start = std::chrono::steady_clock::now();
    CHECK(run_pam(service, "alice", {admin}, false).auth == PAM_AUTHINFO_UNAVAIL);
    auto took = std::chrono::steady_clock::now() - start;
    CHECK(took < std::chrono::milliseconds(3500));
  }
  SECTION("offline grace allows, then expires") {
    auto online = env.service("sq-grace", auth_and_account,
                              base_args(emu, env, org + "cache_ttl=0 offline_grace=4" + " timeout=1"));
    CHECK(run_pam(online, "alice", {admin}, true).auth == PAM_SUCCESS);
    emu.fault("any", 1000, "drop");
    auto result = run_pam(online, "alice", {admin}, true);
    CHECK(result.auth == PAM_SUCCESS);
    CHECK(result.account == PAM_SUCCESS);
    CHECK(run_pam(online, "bob", {emu.refresh_token("tok-user")}, false).auth == PAM_AUTHINFO_UNAVAIL);
    std::this_thread::sleep_for(std::chrono::seconds(4));
    CHECK(run_pam(online, "alice", {admin}, false).auth == PAM_AUTHINFO_UNAVAIL);
  }
  SECTION("the caller's proxy variables are ignored; proxy= is the only proxy") {
    const std::string dead = "http://127.0.0.1:9";
    for (const char* name : {"https_proxy", "HTTPS_PROXY", "ALL_PROXY"}) ::setenv(name, dead.c_str(), 1);
    auto direct = env.service("sq-env-proxy", auth_and_account, base_args(emu, env, org + "cache_ttl=0"));
    CHECK(run_pam(direct, "alice", {admin}, true).auth == PAM_SUCCESS);
    for (const char* name : {"https_proxy", "HTTPS_PROXY", "ALL_PROXY"}) ::unsetenv(name);
    auto proxied = env.service("sq-opt-proxy", auth_and_account,
                               base_args(emu, env, org + "cache_ttl=0 proxy=" + dead + " timeout=2"));
    CHECK(run_pam(proxied, "alice", {admin}, false).auth == PAM_AUTHINFO_UNAVAIL);
  }
  SECTION("no grace after a 401") {
    const auto short_admin = emu.refresh_token("tok-admin-short");
    auto service = env.service("sq-401", auth_and_account,
                               base_args(emu, env, org + "cache_ttl=0 offline_grace=600" + " timeout=1"));
    CHECK(run_pam(service, "alice", {short_admin}, true).auth == PAM_SUCCESS);
    emu.revoke("tok-admin-short");
    CHECK(run_pam(service, "alice", {short_admin}, false).auth == PAM_AUTH_ERR);
    emu.fault("any", 1000, "drop");
    CHECK(run_pam(service, "alice", {short_admin}, false).auth == PAM_AUTHINFO_UNAVAIL);
  }
  SECTION("a caller who stops the login past timeout= gets no grace") {
    // su and sudo keep the caller's real uid while PAM runs, so the caller may SIGSTOP them.
    // Stopped past timeout= during the exchange, the user lookup (which would refuse: a
    // demoted or removed user) is never sent, and the missed deadline looks like an outage.
    auto service = env.service("sq-stopped", auth_and_account,
                               base_args(emu, env, org + "cache_ttl=0 offline_grace=600" + " timeout=2"));
    CHECK(run_pam(service, "alice", {admin}, true).auth == PAM_SUCCESS);  // a grace entry exists
    emu.fault("user", 1000, "status", 403);         // Squadcast now refuses this user
    emu.fault("exchange", 1, "none", 0, "", 1000);  // the exchange answers after a second
    const auto exchanges = emu.counter("exchange");
    pid_t child = ::fork();
    if (child == 0) {
      ::setpgid(0, 0);  // run_pam forks again: stop the whole group, as a shell's job control does
      ::_exit(run_pam(service, "alice", {admin}, false).auth == PAM_SUCCESS ? 0 : 1);
    }
    ::setpgid(child, child);
    for (int i = 0; i < 200 && emu.counter("exchange") == exchanges; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(-child, SIGSTOP);  // the exchange request is out; its answer is a second away
    std::this_thread::sleep_for(std::chrono::seconds(3));  // past timeout=2
    ::kill(-child, SIGCONT);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 1);  // refused, not allowed by offline_grace
    CHECK(run_pam(service, "alice", {admin}, false).auth == PAM_AUTH_ERR);  // not stopped: the 403 refuses
  }
}

TEST_CASE("definite refusals and 429s are never graced, outages are", "[network]") {
  Emulator emu;
  PamTestEnv env;
  const auto admin = emu.refresh_token("tok-admin");
  const std::string service = graced_admins_only(emu, env, "sq-verdicts");
  struct Row {
    const char* name;
    const char* endpoint;
    const char* mode;
    int status;
    const char* role;  // alice's role in Squadcast for this row
    int auth;
  };
  const Row rows[] = {
      {"exchange 400", "exchange", "status", 400, "admin", PAM_AUTH_ERR},
      {"exchange 402", "exchange", "status", 402, "admin", PAM_AUTH_ERR},
      {"exchange 404", "exchange", "status", 404, "admin", PAM_AUTH_ERR},
      {"exchange 409", "exchange", "status", 409, "admin", PAM_AUTH_ERR},
      {"exchange 410", "exchange", "status", 410, "admin", PAM_AUTH_ERR},
      {"exchange 422", "exchange", "status", 422, "admin", PAM_AUTH_ERR},
      {"user lookup 400", "user", "status", 400, "admin", PAM_AUTH_ERR},
      {"user lookup 404", "user", "status", 404, "admin", PAM_AUTH_ERR},
      {"exchange not JSON", "exchange", "malformed", 0, "admin", PAM_AUTH_ERR},
      {"malformed role", nullptr, "none", 0, "admin\nrole=owner", PAM_AUTH_ERR},
      {"exchange 503 (an outage: graced)", "exchange", "status", 503, "admin", PAM_SUCCESS},
      // A 429 is unreachable but never graced: a revoked token's holder can exhaust its limit.
      {"exchange 429 (the token's own limit: not graced)", "exchange", "status", 429, "admin", PAM_AUTHINFO_UNAVAIL},
      {"user lookup 429 (not graced)", "user", "status", 429, "admin", PAM_AUTHINFO_UNAVAIL},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    for (const char* endpoint : {"exchange", "user"}) emu.fault(endpoint, 0, "none");  // count 0 clears that group
    emu.set_role("alice@acme.test", "admin");
    REQUIRE(run_pam(service, "alice", {admin}, true).auth == PAM_SUCCESS);  // a positive to grace from
    if (row.endpoint) emu.fault(row.endpoint, 1000, row.mode, row.status);
    emu.set_role("alice@acme.test", row.role);
    CHECK(run_pam(service, "alice", {admin}, false).auth == row.auth);
  }
}

TEST_CASE("the user lookup must answer for the token's own user", "[network]") {
  Emulator emu;
  PamTestEnv env;
  const auto admin = emu.refresh_token("tok-admin");
  const std::string service = graced_admins_only(emu, env, "sq-lookup");
  const std::string alice_id = "5e8edb1f7e6f7d0001a10002";
  auto user = [](const std::string& fields) {
    return R"({"data":{)" + fields + R"(,"role":"admin","abilities":[{"slug":"manage-users"}]}})";
  };
  struct Row {
    const char* name;
    std::string body;
    int auth;
  };
  const Row rows[] = {
      {"the token's id and email", user(R"("id":")" + alice_id + R"(","email":"alice@acme.test")"), PAM_SUCCESS},
      {"email in another case", user(R"("id":")" + alice_id + R"(","email":"Alice@ACME.test")"), PAM_SUCCESS},
      {"another user's id", user(R"("id":"5e8edb1f7e6f7d0001a10001","email":"alice@acme.test")"), PAM_AUTH_ERR},
      {"another email", user(R"("id":")" + alice_id + R"(","email":"olivia@acme.test")"), PAM_AUTH_ERR},
      {"no id", user(R"("email":"alice@acme.test")"), PAM_AUTH_ERR},
      {"no email", user(R"("id":")" + alice_id + R"(")"), PAM_AUTH_ERR},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    for (const char* endpoint : {"exchange", "user"}) emu.fault(endpoint, 0, "none");  // count 0 clears that group
    REQUIRE(run_pam(service, "alice", {admin}, true).auth == PAM_SUCCESS);  // a positive a grace could use
    emu.fault_body("user", 1000, row.body);
    std::string log;
    int rc = PAM_SYSTEM_ERR;
    {
      squadcast::test::ModuleLogCapture capture;
      rc = run_pam(service, "alice", {admin}, false).auth;
      log = capture.text();
    }
    INFO(log);
    CHECK(rc == row.auth);
    if (row.auth != PAM_SUCCESS) CHECK(log.find("decision=deny") != std::string::npos);  // the mismatch is logged
  }
}
