// The fault matrix (the README's fault matrix), helper half: the real squadcast-credential,
// a sandboxed HOME with the file store, against the emulator with a fault injected.
// Every row checks: exit code and the one-line message class of `token`, what `git get`
// does, the time bound, the access-token cache after, and the credentials file after
// (byte for byte), and that no token reached stderr.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>

#include "emulator_fixture.hpp"
#include "fault_support.hpp"
#include "helper_sandbox.hpp"
#include "squadcast/file_store.hpp"

using squadcast::faults::files_ending;
using squadcast::faults::milliseconds;
using squadcast::faults::overwrite_0600;
using squadcast::faults::slurp;
using squadcast::faults::timed;
using squadcast::helper::test::Finished;
using squadcast::helper::test::HelperSandbox;
using squadcast::test::Emulator;

namespace {

enum class Target { emulator, closed_port, unresolvable };

struct Fault {
  const char* endpoint = nullptr;  // null: no injected fault
  int count = 1000;
  const char* mode = "status";
  int status = 0;
  const char* retry_after = "";
};

struct HelperRow {
  const char* name;
  Emulator::Options options{};
  Target target = Target::emulator;
  bool stop_emulator = false;      // server down
  bool wrong_ca = false;           // other-ca.pem as SQUADCAST_CA_FILE
  Fault fault{};
  int timeout_s = 3;               // SQUADCAST_TIMEOUT
  int exit_code = 3;               // of `token`
  const char* message = "";        // the class: a substring of the one stderr line
  int git_exit = 0;                // of `git get` (0: git moves on to the next helper)
  long bound_ms = 3500;            // each call must return within this
  bool sent = true;                // did any request reach the emulator
  bool recovers = true;            // with the fault gone, `token` works again
  bool transient_recovers = false; // a single occurrence (count 1) is retried away
};

long now_s() { return static_cast<long>(::time(nullptr)); }

std::string only_cache_file(const HelperSandbox& sb) {
  auto files = files_ending(sb.cache_dir(), ".json");
  REQUIRE(files.size() == 1);
  return files.front();
}

// Rewrites the one cache entry: fields given override what the helper wrote.
void edit_cache_entry(const HelperSandbox& sb, std::optional<long> fetched_at, std::optional<long> expires_at) {
  const std::string path = only_cache_file(sb);
  auto json = nlohmann::json::parse(slurp(path));
  if (fetched_at) json["fetched_at"] = *fetched_at;
  if (expires_at) json["expires_at"] = *expires_at;
  overwrite_0600(path, json.dump());
}

std::string url_of(const HelperRow& row, const Emulator& emu) {
  switch (row.target) {
    case Target::closed_port: return "https://127.0.0.1:1";
    case Target::unresolvable: return "https://nonexistent.invalid";
    case Target::emulator: break;
  }
  return emu.url();
}

std::string host_of(const std::string& url) { return url.substr(url.find("://") + 3); }

// A credentials file written as `login` would, for endpoints a login cannot reach.
void write_store(const HelperSandbox& sb, const std::string& token, const std::string& auth_url) {
  squadcast::CredentialsByProfile credentials;
  credentials["default"] = squadcast::StoredCredential{squadcast::Secret(token), "alice@acme.test", auth_url, 1};
  std::filesystem::create_directories(sb.home / ".config/squadcast");
  ::chmod((sb.home / ".config").c_str(), 0700);
  ::chmod((sb.home / ".config/squadcast").c_str(), 0700);
  overwrite_0600(sb.credentials_file(), std::string(squadcast::serialize_credentials_file(credentials).reveal()));
}

// SQUADCAST_FAULTS_REPORT=1: one line per call, what the README's fault matrix is filled from.
void report(const char* row, const char* call, const Finished& f, milliseconds took) {
  if (std::getenv("SQUADCAST_FAULTS_REPORT") == nullptr) return;
  std::printf("REPORT helper | %s | %s | exit %d | %lld ms | %s", row, call, f.code,
              static_cast<long long>(took.count()), f.err.empty() ? "\n" : f.err.c_str());
}

void check_one_line(const Finished& f, const char* message) {
  INFO("stderr: " << f.err);
  CHECK(f.err.rfind("squadcast-credential: ", 0) == 0);
  CHECK(std::count(f.err.begin(), f.err.end(), '\n') == 1);
  CHECK(f.err.find(message) != std::string::npos);
}

void run_helper_row(const HelperRow& row) {
  Emulator emu(row.options);
  HelperSandbox sb(emu);
  const std::string url = url_of(row, emu);
  sb.env["SQUADCAST_TIMEOUT"] = std::to_string(row.timeout_s);
  const std::string token = emu.refresh_token("tok-admin");
  sb.secrets.push_back(token);

  // Logged in beforehand. Where a login can reach the emulator, a real one, then its
  // cache entry is made stale (expired a minute ago) so the next call must exchange.
  const bool real_login = row.target == Target::emulator && !row.options.plain_http && !row.options.expired_cert;
  if (real_login) {
    sb.login("tok-admin");
    edit_cache_entry(sb, std::nullopt, now_s() - 60);
  } else {
    write_store(sb, token, url);
  }
  sb.env["SQUADCAST_AUTH_URL"] = url;
  sb.env["SQUADCAST_API_URL"] = url;
  if (row.wrong_ca) sb.env["SQUADCAST_CA_FILE"] = emu.other_ca_file();
  const std::string store_before = slurp(sb.credentials_file());
  const auto cache_files = files_ending(sb.cache_dir(), ".json");
  const std::string cache_before = cache_files.empty() ? "" : slurp(cache_files.front());
  const bool counted = row.target == Target::emulator && !row.stop_emulator;
  const long exchanges_before = counted ? emu.counter("total") : 0;

  if (row.fault.endpoint) {
    emu.fault(row.fault.endpoint, row.fault.count, row.fault.mode, row.fault.status, row.fault.retry_after);
  }
  if (row.stop_emulator) emu.stop();

  milliseconds took{};
  Finished token_run = timed(took, [&] { return sb.helper({"token"}); });
  INFO("token: exit " << token_run.code << " in " << took.count() << " ms: " << token_run.err);
  CHECK(token_run.code == row.exit_code);
  CHECK(token_run.out.empty());  // nothing stale, nothing half-made on stdout
  check_one_line(token_run, row.message);
  CHECK(took.count() < row.bound_ms);
  report(row.name, "token", token_run, took);

  Finished git_run = timed(took, [&] {
    return sb.helper({"git", "get"}, "protocol=https\nhost=" + host_of(url) + "\n\n");
  });
  INFO("git get: exit " << git_run.code << " in " << took.count() << " ms: " << git_run.err);
  CHECK(git_run.code == row.git_exit);
  CHECK(git_run.out.find("password=") == std::string::npos);
  check_one_line(git_run, row.message);
  CHECK(took.count() < row.bound_ms);
  report(row.name, "git get", git_run, took);

  // Nothing wrong cached: the stale entry is untouched (or there is still none).
  auto cache_after = files_ending(sb.cache_dir(), ".json");
  CHECK(cache_after.size() == cache_files.size());
  if (!cache_files.empty()) CHECK(slurp(cache_files.front()) == cache_before);
  // Nothing lost from the store.
  CHECK(slurp(sb.credentials_file()) == store_before);

  if (counted) {
    const long sent = emu.counter("total") - exchanges_before;
    if (row.sent) CHECK(sent > 0);
    else CHECK(sent == 0);
  }

  if (row.recovers) {
    if (row.fault.endpoint) emu.fault(row.fault.endpoint, 0, "none");
    if (row.wrong_ca) sb.env["SQUADCAST_CA_FILE"] = emu.ca_file();
    Finished again = sb.helper({"token"});
    INFO("after the fault: " << again.err);
    CHECK(again.code == 0);
    CHECK(again.out.rfind("eyJ", 0) == 0);
    CHECK(slurp(sb.credentials_file()) == store_before);
  }
  if (row.transient_recovers) {
    for (const auto& file : files_ending(sb.cache_dir(), ".json")) std::filesystem::remove(file);
    emu.fault(row.fault.endpoint, 1, row.fault.mode, row.fault.status, row.fault.retry_after);
    Finished once = timed(took, [&] { return sb.helper({"token"}); });
    INFO("one " << row.fault.mode << " then a good answer: " << once.err);
    CHECK(once.code == 0);
    CHECK(took.count() < row.bound_ms);
    if (row.fault.retry_after[0] != '\0') CHECK(took.count() >= 1000 * std::atol(row.fault.retry_after) - 50);
  }
}

}  // namespace

// One TEST_CASE per row of the README's fault matrix.

TEST_CASE("helper: server down (emulator stopped)", "[helper][down]") {
  HelperRow row{"server down"};
  row.stop_emulator = true;
  row.message = "Couldn't connect to server";
  row.recovers = false;
  run_helper_row(row);
}

TEST_CASE("helper: connection refused (closed port)", "[helper][refused]") {
  HelperRow row{"connection refused"};
  row.target = Target::closed_port;
  row.message = "Couldn't connect to server";
  row.recovers = false;
  run_helper_row(row);
}

TEST_CASE("helper: no answer past the timeout (hang, timeout=2)", "[helper][hang]") {
  HelperRow row{"hang"};
  row.fault = {"exchange", 10, "hang"};
  row.timeout_s = 2;
  row.message = "in time";
  row.bound_ms = 2700;
  run_helper_row(row);
}

TEST_CASE("helper: 429 with Retry-After", "[helper][429]") {
  HelperRow row{"429"};
  row.fault = {"exchange", 1000, "status", 429, "1"};
  row.message = "rate limiting";
  row.transient_recovers = true;
  run_helper_row(row);
}

TEST_CASE("helper: 429 with a Retry-After past the deadline gives up at once", "[helper][429]") {
  HelperRow row{"429 long"};
  row.fault = {"exchange", 1000, "status", 429, "3600"};
  row.message = "rate limiting";
  row.bound_ms = 1500;
  run_helper_row(row);
}

TEST_CASE("helper: 500, 502, 503, 504", "[helper][5xx]") {
  for (int status : {500, 502, 503, 504}) {
    INFO("HTTP " << status);
    HelperRow row{"5xx"};
    row.fault = {"exchange", 1000, "status", status};
    const std::string message = "failed to answer the token exchange (HTTP " + std::to_string(status);
    row.message = message.c_str();
    row.transient_recovers = status == 503;
    run_helper_row(row);
  }
}

TEST_CASE("helper: 503 on the user lookup", "[helper][5xx]") {
  HelperRow row{"user 503"};
  row.fault = {"user", 1000, "status", 503};
  row.message = "HTTP 503";
  run_helper_row(row);
}

TEST_CASE("helper: malformed JSON", "[helper][malformed]") {
  HelperRow row{"malformed"};
  row.fault = {"exchange", 1000, "malformed"};
  row.message = "not valid JSON";
  run_helper_row(row);
}

TEST_CASE("helper: truncated body", "[helper][truncated]") {
  HelperRow row{"truncated"};
  row.fault = {"exchange", 1000, "truncated"};
  row.message = "transfer closed";
  run_helper_row(row);
}

TEST_CASE("helper: a 10 MB body", "[helper][huge]") {
  HelperRow row{"huge"};
  row.fault = {"exchange", 1000, "huge"};
  row.message = "exceeds 1048576 bytes";
  run_helper_row(row);
}

TEST_CASE("helper: connection dropped without an answer", "[helper][drop]") {
  HelperRow row{"drop"};
  row.fault = {"exchange", 1000, "drop"};
  row.message = "Empty reply from server";
  run_helper_row(row);
}

TEST_CASE("helper: wrong CA", "[helper][tls]") {
  HelperRow row{"wrong CA"};
  row.wrong_ca = true;
  row.message = "TLS verification failed";
  row.sent = false;
  run_helper_row(row);
}

TEST_CASE("helper: expired server certificate", "[helper][tls]") {
  HelperRow row{"expired cert"};
  row.options.expired_cert = true;
  row.message = "TLS verification failed";
  row.sent = false;
  row.recovers = false;
  run_helper_row(row);
}

TEST_CASE("helper: plain http is refused by configuration, never sent", "[helper][http]") {
  HelperRow row{"plain http"};
  row.options.plain_http = true;
  row.exit_code = 4;
  row.git_exit = 1;
  row.message = "refusing plain http to loopback";
  row.bound_ms = 1000;
  row.sent = false;
  row.recovers = false;
  run_helper_row(row);
}

TEST_CASE("helper: unresolvable host name", "[helper][dns]") {
  HelperRow row{"unresolvable"};
  row.target = Target::unresolvable;
  row.message = "Could not resolve host";
  row.recovers = false;
  run_helper_row(row);
}

// --- rows that are about tokens and clocks, not transport ---------------------------------

namespace {

struct LoggedIn {
  Emulator emu;
  HelperSandbox sb{emu};
  std::string store_before;
  LoggedIn() {
    sb.env["SQUADCAST_TIMEOUT"] = "3";
    sb.login("tok-admin");
    store_before = slurp(sb.credentials_file());
  }
};

}  // namespace

TEST_CASE("helper: rotated refresh token", "[helper][rotation]") {
  LoggedIn world;
  auto& emu = world.emu;
  auto& sb = world.sb;
  const std::string old_token = emu.refresh_token("tok-admin");
  edit_cache_entry(sb, std::nullopt, now_s() - 60);  // stale: the next call exchanges
  emu.set_rotation(true);

  Finished first = sb.helper({"token"});
  INFO(first.err);
  CHECK(first.code == 0);
  CHECK(first.err.empty());
  const std::string new_token = emu.refresh_token("tok-admin");
  sb.secrets.push_back(new_token);
  REQUIRE(new_token != old_token);
  const std::string store = slurp(sb.credentials_file());
  CHECK(store.find(new_token) != std::string::npos);  // the new one is stored
  CHECK(store.find(old_token) == std::string::npos);  // the old one is gone
  struct stat st {};
  REQUIRE(::stat(sb.credentials_file().c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  // The stored one is the one that works: a forced exchange succeeds again (and rotates).
  std::filesystem::remove(only_cache_file(sb));
  Finished second = sb.helper({"token"});
  INFO(second.err);
  CHECK(second.code == 0);
  const std::string newest = emu.refresh_token("tok-admin");
  sb.secrets.push_back(newest);
  CHECK(slurp(sb.credentials_file()).find(newest) != std::string::npos);
}

// The exchange rotates the token but a later step of the same call fails: the new
// refresh token must still be stored, since the server already made the old one invalid.
TEST_CASE("helper: rotation, then the user lookup fails", "[helper][rotation]") {
  LoggedIn world;
  auto& emu = world.emu;
  auto& sb = world.sb;
  edit_cache_entry(sb, std::nullopt, now_s() - 60);
  emu.set_rotation(true);
  emu.fault("user", 1000, "status", 503);
  Finished failed = sb.helper({"token"});
  CHECK(failed.code == 3);
  const std::string current = emu.refresh_token("tok-admin");
  sb.secrets.push_back(current);
  emu.fault("user", 0, "none");
  INFO("BUG: the rotated refresh token is dropped when the user lookup fails");
  CHECK(slurp(sb.credentials_file()).find(current) != std::string::npos);
  Finished again = sb.helper({"token"});
  INFO(again.err);
  CHECK(again.code == 0);  // with the bug: 2, the store holds a token the server revoked
}

TEST_CASE("helper: expires_at already in the past (lifetime -10)", "[helper][expired]") {
  LoggedIn world;
  auto& emu = world.emu;
  auto& sb = world.sb;
  const std::string cache_file = only_cache_file(sb);
  edit_cache_entry(sb, std::nullopt, now_s() - 60);
  const std::string cache_before = slurp(cache_file);
  emu.set_lifetime(-10);

  milliseconds took{};
  Finished run = timed(took, [&] { return sb.helper({"token"}); });
  INFO(run.err);
  CHECK(run.code == 3);
  CHECK(run.out.empty());
  check_one_line(run, "already expired; check this machine's clock");
  CHECK(took.count() < 3500);
  CHECK(emu.counter("exchange") == 2);     // login + this one: no retry loop on it
  CHECK(slurp(cache_file) == cache_before);  // the born-expired token was not cached
  CHECK(slurp(sb.credentials_file()) == world.store_before);
  emu.set_lifetime(3600);
  CHECK(sb.helper({"token"}).code == 0);
}

TEST_CASE("helper: rotation with expires_at in the past", "[helper][expired][rotation]") {
  LoggedIn world;
  auto& emu = world.emu;
  auto& sb = world.sb;
  edit_cache_entry(sb, std::nullopt, now_s() - 60);
  emu.set_rotation(true);
  emu.set_lifetime(-10);
  CHECK(sb.helper({"token"}).code == 3);
  const std::string current = emu.refresh_token("tok-admin");
  sb.secrets.push_back(current);
  emu.set_lifetime(3600);
  INFO("BUG: the rotated refresh token is dropped when the new access token is born expired");
  CHECK(slurp(sb.credentials_file()).find(current) != std::string::npos);
  CHECK(sb.helper({"token"}).code == 0);
}

TEST_CASE("helper: the clock jumps", "[helper][clock]") {
  LoggedIn world;
  auto& emu = world.emu;
  auto& sb = world.sb;
  const long start = emu.counter("exchange");
  struct Jump {
    const char* name;
    long fetched_offset;  // relative to now
    long expires_offset;
  };
  // A valid-looking entry whose fetched_at is in the future (the clock went back), an
  // entry expired by a jump forward, and one inside the 300 s minimum validity.
  const Jump jumps[] = {
      {"fetched_at an hour in the future", 3600, 86400},
      {"expired by a jump forward", -86400, -10},
      {"inside min_validity after a jump forward", -86400, 100},
  };
  long expected = start;
  for (const auto& jump : jumps) {
    INFO(jump.name);
    const long now = now_s();
    edit_cache_entry(sb, now + jump.fetched_offset, now + jump.expires_offset);
    const std::string planted = slurp(only_cache_file(sb));
    const std::string planted_token = nlohmann::json::parse(planted)["access_token"];
    Finished run = sb.helper({"token"});
    INFO(run.err);
    CHECK(run.code == 0);
    CHECK(emu.counter("exchange") == ++expected);  // a fresh exchange, not the stale token
    CHECK(run.out != planted_token + "\n");
    auto entry = nlohmann::json::parse(slurp(only_cache_file(sb)));
    CHECK(entry["fetched_at"].get<long>() <= now_s());
    CHECK(entry["fetched_at"].get<long>() >= now - 5);
    CHECK(entry["expires_at"].get<long>() > now_s() + 300);
    struct stat st {};
    REQUIRE(::stat(only_cache_file(sb).c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(slurp(sb.credentials_file()) == world.store_before);
  }
  // And a sane entry is still a cache hit: the checks above did not just disable the cache.
  CHECK(sb.helper({"token"}).code == 0);
  CHECK(emu.counter("exchange") == expected);
}
