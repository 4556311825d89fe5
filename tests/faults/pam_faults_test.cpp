// The fault matrix (the README's fault matrix), PAM half: pam_squadcast.so through the real
// libpam (pam_wrapper, nss_wrapper users), in the account group with token_source=user_store
// (the only group where a stored token means anything) so the user's credentials file is
// in play, against the emulator with a fault injected. Every row
// checks: the return code of pam_acct_mgmt, the time bound, the decision cache after,
// the user's credentials file after (byte for byte), and the log line (class, no token).
#include <catch2/catch.hpp>

#include <stdlib.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "emulator_fixture.hpp"
#include "fault_support.hpp"
#include "pam_test_env.hpp"

using squadcast::faults::files_ending;
using squadcast::faults::milliseconds;
using squadcast::faults::overwrite_0600;
using squadcast::faults::slurp;
using squadcast::faults::timed;
using squadcast::test::Emulator;
using squadcast::test::PamTestEnv;
using squadcast::test::run_account_only;
using squadcast::test::ModuleLogCapture;

namespace {

constexpr const char* acme = "5e8edb1f7e6f7d0001a1c0de";
const std::vector<std::string> account_only = {"account required @MODULE@ @ARGS@"};

enum class Target { emulator, closed_port, unresolvable };

struct Fault {
  const char* endpoint = nullptr;
  int count = 1000;
  const char* mode = "status";
  int status = 0;
  const char* retry_after = "";
};

struct PamRow {
  const char* name;
  Emulator::Options options{};
  Target target = Target::emulator;
  bool stop_emulator = false;
  bool wrong_ca = false;
  Fault fault{};
  int timeout_s = 3;
  int pam_rc = PAM_AUTHINFO_UNAVAIL;
  const char* log = "decision=unavailable";  // a substring of the module's log
  long bound_ms = 3500;
  bool sent = true;
  bool recovers = true;
  bool verdict = false;  // Squadcast answered (wrongly): a refusal that also erases the decision
};

// A wrong answer over verified TLS is Squadcast's verdict, not an outage.
PamRow refusal(const char* name) {
  PamRow row{name};
  row.pam_rc = PAM_PERM_DENIED;
  row.log = "decision=deny";
  row.verdict = true;
  return row;
}

long now_s() { return static_cast<long>(::time(nullptr)); }

std::string url_of(const PamRow& row, const Emulator& emu) {
  switch (row.target) {
    case Target::closed_port: return "https://127.0.0.1:1";
    case Target::unresolvable: return "https://nonexistent.invalid";
    case Target::emulator: break;
  }
  return emu.url();
}

std::string args_for(const PamTestEnv& env, const std::string& url, const std::string& ca, int timeout_s,
                     const std::string& extra = "") {
  return "auth_url=" + url + " api_url=" + url + " ca_file=" + ca + " cache_dir=" + env.cache_dir() +
         " timeout=" + std::to_string(timeout_s) + " org_id=" + acme +
         " min_role=admin token_source=user_store cache_ttl=300 debug " + extra;
}

// The module's log (pam_wrapper prints pam_syslog lines on stderr) around one run.
struct LoggedRun {
  int result = PAM_SYSTEM_ERR;  // what pam_acct_mgmt returned
  std::string log;
  milliseconds took{};
};

LoggedRun run_logged(const std::string& service, const std::string& user) {
  LoggedRun run;
  {
    ModuleLogCapture capture;
    run.result = timed(run.took, [&] { return run_account_only(service, user); });
    run.log = capture.text();
  }
  return run;
}

void check_no_token(const std::string& log, const std::vector<std::string>& tokens) {
  for (const auto& token : tokens) {
    CHECK(log.find(token) == std::string::npos);
    CHECK(log.find(token.substr(0, 12)) == std::string::npos);
  }
  CHECK(log.find("eyJ") == std::string::npos);
}

std::string only_decision(const PamTestEnv& env) {
  auto files = files_ending(env.cache_dir(), ".decision");
  REQUIRE(files.size() == 1);
  return files.front();
}

void set_verified_at(const PamTestEnv& env, long verified_at) {
  const std::string path = only_decision(env);
  auto json = nlohmann::json::parse(slurp(path));
  json["verified_at"] = verified_at;
  overwrite_0600(path, json.dump());
}

void run_pam_row(const PamRow& row) {
  Emulator emu(row.options);
  PamTestEnv env;
  const std::string url = url_of(row, emu);
  const std::string token = emu.refresh_token("tok-admin");
  env.write_user_store("alice", token);
  const std::string store = env.home("alice") + "/.config/squadcast/credentials";

  // Where the emulator can answer, a successful login first, then its decision is made
  // stale (older than cache_ttl) so the next login must ask Squadcast again.
  const bool reachable = row.target == Target::emulator && !row.options.plain_http && !row.options.expired_cert;
  if (reachable) {
    auto good = env.service("sq-good", account_only, args_for(env, url, emu.ca_file(), row.timeout_s));
    REQUIRE(run_account_only(good, "alice") == PAM_SUCCESS);
    set_verified_at(env, now_s() - 1000);
  }
  const auto decisions = files_ending(env.cache_dir(), ".decision");
  const std::string decision_before = decisions.empty() ? "" : slurp(decisions.front());
  const std::string store_before = slurp(store);
  const bool counted = row.target == Target::emulator && !row.stop_emulator;
  const long requests_before = counted ? emu.counter("total") : 0;

  auto service = env.service("sq-fault", account_only,
                             args_for(env, url, row.wrong_ca ? emu.other_ca_file() : emu.ca_file(), row.timeout_s));
  if (row.fault.endpoint) {
    emu.fault(row.fault.endpoint, row.fault.count, row.fault.mode, row.fault.status, row.fault.retry_after);
  }
  if (row.stop_emulator) emu.stop();

  LoggedRun run = run_logged(service, "alice");
  INFO("pam_acct_mgmt: " << run.result << " in " << run.took.count() << " ms; log:\n" << run.log);
  CHECK(run.result == row.pam_rc);
  CHECK(run.took.count() < row.bound_ms);
  if (std::getenv("SQUADCAST_FAULTS_REPORT") != nullptr) {
    auto at = run.log.find("decision=");
    std::string line = at == std::string::npos ? "" : run.log.substr(at, run.log.find('\n', at) - at);
    std::printf("REPORT pam | %s | rc %d | %lld ms | %s\n", row.name, run.result,
                static_cast<long long>(run.took.count()), line.c_str());
  }
  CHECK(run.log.find(row.log) != std::string::npos);
  check_no_token(run.log, {token});

  // Nothing wrong cached: the stale positive is neither refreshed nor served.
  auto after = files_ending(env.cache_dir(), ".decision");
  if (row.verdict) {
    CHECK(after.empty());  // nothing left for an offline grace to fall back on
  } else {
    CHECK(after.size() == decisions.size());
    if (!decisions.empty()) CHECK(slurp(decisions.front()) == decision_before);
  }
  CHECK(slurp(store) == store_before);
  if (counted) {
    const long sent = emu.counter("total") - requests_before;
    if (row.sent) CHECK(sent > 0);
    else CHECK(sent == 0);
  }

  if (row.recovers) {
    if (row.fault.endpoint) emu.fault(row.fault.endpoint, 0, "none");
    auto good = env.service("sq-good", account_only, args_for(env, url, emu.ca_file(), row.timeout_s));
    CHECK(run_account_only(good, "alice") == PAM_SUCCESS);
  }
}

}  // namespace

TEST_CASE("pam: server down (emulator stopped)", "[down]") {
  PamRow row{"server down"};
  row.stop_emulator = true;
  row.recovers = false;
  run_pam_row(row);
}

TEST_CASE("pam: connection refused (closed port)", "[refused]") {
  PamRow row{"connection refused"};
  row.target = Target::closed_port;
  row.recovers = false;
  run_pam_row(row);
}

TEST_CASE("pam: no answer past the timeout (hang, timeout=2)", "[hang]") {
  PamRow row{"hang"};
  row.fault = {"exchange", 10, "hang"};
  row.timeout_s = 2;
  row.bound_ms = 2700;
  run_pam_row(row);
}

TEST_CASE("pam: 429 with Retry-After", "[429]") {
  PamRow row{"429"};
  row.fault = {"exchange", 1000, "status", 429, "1"};
  run_pam_row(row);
  PamRow later{"429 long"};
  later.fault = {"exchange", 1000, "status", 429, "3600"};
  later.bound_ms = 1500;
  run_pam_row(later);
}

TEST_CASE("pam: 500, 502, 503, 504", "[5xx]") {
  for (int status : {500, 502, 503, 504}) {
    INFO("HTTP " << status);
    PamRow row{"5xx"};
    row.fault = {"exchange", 1000, "status", status};
    run_pam_row(row);
  }
  PamRow user{"user 503"};
  user.fault = {"user", 1000, "status", 503};
  run_pam_row(user);
}

TEST_CASE("pam: other 4xx are refusals, not outages", "[4xx]") {
  for (int status : {400, 402, 404, 409, 410, 422}) {
    INFO("exchange HTTP " << status);
    PamRow row = refusal("exchange 4xx");
    row.fault = {"exchange", 1000, "status", status};
    run_pam_row(row);
  }
  for (int status : {400, 404, 422}) {
    INFO("user lookup HTTP " << status);
    PamRow row = refusal("user 4xx");
    row.fault = {"user", 1000, "status", status};
    run_pam_row(row);
  }
}

TEST_CASE("pam: malformed JSON", "[malformed]") {
  PamRow row = refusal("malformed");
  row.fault = {"exchange", 1000, "malformed"};
  run_pam_row(row);
}

TEST_CASE("pam: truncated body", "[truncated]") {
  PamRow row{"truncated"};
  row.fault = {"exchange", 1000, "truncated"};
  run_pam_row(row);
}

TEST_CASE("pam: a 10 MB body", "[huge]") {
  PamRow row = refusal("huge");
  row.fault = {"exchange", 1000, "huge"};
  run_pam_row(row);
}

TEST_CASE("pam: connection dropped without an answer", "[drop]") {
  PamRow row{"drop"};
  row.fault = {"exchange", 1000, "drop"};
  run_pam_row(row);
}

TEST_CASE("pam: wrong CA and expired server certificate", "[tls]") {
  PamRow wrong{"wrong CA"};
  wrong.wrong_ca = true;
  wrong.sent = false;
  run_pam_row(wrong);
  PamRow expired{"expired cert"};
  expired.options.expired_cert = true;
  expired.sent = false;
  expired.recovers = false;
  run_pam_row(expired);
}

TEST_CASE("pam: plain http is refused by configuration, never sent", "[http]") {
  PamRow row{"plain http"};
  row.options.plain_http = true;
  row.pam_rc = PAM_SERVICE_ERR;
  row.log = "configuration error";
  row.bound_ms = 1000;
  row.sent = false;
  row.recovers = false;
  run_pam_row(row);
}

TEST_CASE("pam: unresolvable host name", "[dns]") {
  PamRow row{"unresolvable"};
  row.target = Target::unresolvable;
  row.recovers = false;
  run_pam_row(row);
}

TEST_CASE("pam: rotated refresh token", "[rotation]") {
  Emulator emu;
  PamTestEnv env;
  const std::string token = emu.refresh_token("tok-admin");
  env.write_user_store("alice", token);
  const std::string store = env.home("alice") + "/.config/squadcast/credentials";
  const std::string store_before = slurp(store);
  emu.set_rotation(true);
  auto service = env.service("sq-rot", account_only, args_for(env, emu.url(), emu.ca_file(), 3));
  LoggedRun run = run_logged(service, "alice");
  INFO(run.log);
  CHECK(run.result == PAM_SUCCESS);
  const std::string rotated = emu.refresh_token("tok-admin");
  CHECK(rotated != token);
  check_no_token(run.log, {token, rotated});
  // The module never writes to the user's store: the file is unchanged, and now holds
  // a token the server has retired (see the README's fault matrix). The positive decision
  // covers the next cache_ttl seconds.
  CHECK(slurp(store) == store_before);
  CHECK(files_ending(env.cache_dir(), ".decision").size() == 1);
  CHECK(run_account_only(service, "alice") == PAM_SUCCESS);
  CHECK(emu.counter("exchange") == 1);
}

TEST_CASE("pam: expires_at already in the past (lifetime -10)", "[expired]") {
  Emulator emu;
  PamTestEnv env;
  const std::string token = emu.refresh_token("tok-admin");
  env.write_user_store("alice", token);
  const std::string store_before = slurp(env.home("alice") + "/.config/squadcast/credentials");
  emu.set_lifetime(-10);
  auto service = env.service("sq-exp", account_only, args_for(env, emu.url(), emu.ca_file(), 3));
  LoggedRun run = run_logged(service, "alice");
  INFO(run.log);
  CHECK(run.result == PAM_PERM_DENIED);  // Squadcast's answer, however odd: a refusal
  CHECK(run.took.count() < 3500);
  CHECK(run.log.find("already expired") != std::string::npos);
  check_no_token(run.log, {token});
  CHECK(files_ending(env.cache_dir(), ".decision").empty());  // nothing cached
  CHECK(slurp(env.home("alice") + "/.config/squadcast/credentials") == store_before);
  CHECK(emu.counter("exchange") == 1);
}

TEST_CASE("pam: the clock jumps", "[clock]") {
  Emulator emu;
  PamTestEnv env;
  const std::string token = emu.refresh_token("tok-admin");
  env.write_user_store("alice", token);
  auto service = env.service("sq-clock", account_only, args_for(env, emu.url(), emu.ca_file(), 3));
  REQUIRE(run_account_only(service, "alice") == PAM_SUCCESS);
  long expected = emu.counter("exchange");
  REQUIRE(expected == 1);
  struct Jump {
    const char* name;
    long verified_offset;
  };
  const Jump jumps[] = {{"verified_at an hour in the future (clock went back)", 3600},
                        {"verified_at older than cache_ttl (clock went forward)", -1000}};
  for (const auto& jump : jumps) {
    INFO(jump.name);
    const long now = now_s();
    set_verified_at(env, now + jump.verified_offset);
    CHECK(run_account_only(service, "alice") == PAM_SUCCESS);
    CHECK(emu.counter("exchange") == ++expected);  // asked Squadcast again
    auto entry = nlohmann::json::parse(slurp(only_decision(env)));
    CHECK(entry["verified_at"].get<long>() <= now_s());
    CHECK(entry["verified_at"].get<long>() >= now - 5);
  }
  // A future-dated decision must not serve as an offline grace either.
  set_verified_at(env, now_s() + 3600);
  auto grace = env.service("sq-clock-grace", account_only,
                           args_for(env, emu.url(), emu.ca_file(), 2, "offline_grace=600"));
  emu.fault("any", 1000, "drop");
  CHECK(run_account_only(grace, "alice") == PAM_AUTHINFO_UNAVAIL);
  // Sanity: a fresh decision is still a cache hit.
  emu.fault("any", 0, "none");
  set_verified_at(env, now_s() - 1);
  const long before = emu.counter("exchange");  // the dropped request above counts too
  CHECK(run_account_only(service, "alice") == PAM_SUCCESS);
  CHECK(emu.counter("exchange") == before);
}
