// squadcast-credential exec, driven as a process against the emulator: what the command
// sees, that it replaces the helper (pid, parent, signals, exit status), and that errors
// stop it from starting.
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>

#include "helper_sandbox.hpp"
#include "read_text.hpp"
#include "squadcast/jwt_claims.hpp"

using squadcast::helper::test::Finished;
using squadcast::helper::test::find_program;
using squadcast::helper::test::HelperSandbox;
using squadcast::test::Emulator;
using squadcast::test::read_text;

namespace {
using Environment = std::map<std::string, std::string>;

const std::string admin_id = "5e8edb1f7e6f7d0001a10002";

// `env` output: one NAME=value a line (the sandbox has no multi-line values).
Environment parse_env(const std::string& text) {
  Environment env;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    auto equals = line.find('=');
    REQUIRE(equals != std::string::npos);
    REQUIRE(env.count(line.substr(0, equals)) == 0);
    env[line.substr(0, equals)] = line.substr(equals + 1);
  }
  return env;
}

void write_text(const std::string& path, const std::string& text, mode_t mode) {
  std::ofstream(path) << text;
  ::chmod(path.c_str(), mode);
}

std::string access_token(HelperSandbox& box, const std::vector<std::string>& profile_args = {}) {
  std::vector<std::string> args = profile_args;
  args.emplace_back("token");
  Finished token = box.helper(args);
  REQUIRE(token.code == 0);
  return token.out.substr(0, token.out.size() - 1);
}

std::size_t count_of(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++count;
  return count;
}

const char* const region_note = "SQUADCAST_REGION is not set: profile '";
}  // namespace

TEST_CASE("exec: the command sees the caller's environment minus stale Squadcast variables plus the profile's") {
  Emulator emu;
  HelperSandbox box(emu);
  std::string refresh = emu.refresh_token("tok-admin");
  box.secrets.push_back(refresh);
  REQUIRE(box.helper({"--profile", "work", "login", "--stdin"}, refresh + "\n").code == 0);
  box.env["SQUADCAST_REFRESH_TOKEN"] = "stale-terraform-token";
  box.env["SQUADCAST_REFRESHTOKEN"] = "stale-pulumi-token";
  box.env["SQUADCASTSDK_BEARER_AUTH"] = "stale-sdk-token";
  box.env["SQUADCAST_REGION"] = "eu";  // the explicit URLs win, so it must go
  box.env["SQUADCAST_PROFILE"] = "stale-profile";
  box.env["UNRELATED"] = "kept as it was";

  Finished run = box.helper({"exec", "--profile", "work", "--", "env"});
  INFO(run.err);
  REQUIRE(run.code == 0);
  Environment expected = box.env;
  for (const char* name : {"SQUADCAST_REFRESH_TOKEN", "SQUADCAST_REFRESHTOKEN", "SQUADCASTSDK_BEARER_AUTH",
                           "SQUADCAST_REGION", "SQUADCAST_PROFILE"}) {
    expected.erase(name);
  }
  expected["SQUADCAST_REFRESH_TOKEN"] = refresh;
  expected["SQUADCAST_REFRESHTOKEN"] = refresh;
  expected["SQUADCASTSDK_BEARER_AUTH"] = access_token(box, {"--profile", "work"});
  expected["SQUADCAST_PROFILE"] = "work";
  CHECK(parse_env(run.out) == expected);
  // Explicit URLs: no region, and one line saying what to use instead.
  CHECK(count_of(run.err, region_note) == 1);
  CHECK(run.err.find("SQUADCAST_API_URL") != std::string::npos);
}

TEST_CASE("exec: the command's exit status and terminating signal come through unchanged") {
  Emulator emu;
  HelperSandbox box(emu);
  box.login("tok-admin");
  Finished exited = box.helper({"exec", "--", "sh", "-c", "exit 42"});
  CHECK(exited.code == 42);
  CHECK(exited.signal == 0);
  Finished killed = box.helper({"exec", "--", "sh", "-c", "kill -TERM $$"});
  CHECK(killed.signal == SIGTERM);
  Finished success = box.helper({"exec", "--", "true"});
  CHECK(success.code == 0);
}

TEST_CASE("exec: no process in between, and SIGINT sent to the pid the caller started reaches the command") {
  Emulator emu;
  HelperSandbox box(emu);
  box.login("tok-admin");
  const std::string ready = box.home / "ready";
  // A caller that ignores SIGINT (a background job of a script) hands that on, and the
  // shell may not trap it then: start from the default disposition, as a terminal does.
  struct sigaction previous {};
  struct sigaction by_default {};
  by_default.sa_handler = SIG_DFL;
  ::sigaction(SIGINT, &by_default, &previous);
  auto running = box.start_helper(
      {"exec", "--", "sh", "-c",
       "trap 'echo interrupted; exit 7' INT; echo \"$$ $PPID\" > \"$1.tmp\"; mv \"$1.tmp\" \"$1\"; "
       "while :; do sleep 0.05; done",
       "sh", ready});
  ::sigaction(SIGINT, &previous, nullptr);
  for (int i = 0; i < 600 && !std::filesystem::exists(ready); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  REQUIRE(std::filesystem::exists(ready));
  std::istringstream ids(read_text(ready));
  pid_t pid = 0, parent = 0;
  ids >> pid >> parent;
  CHECK(parent == ::getpid());  // the test started the helper: the command is that same process
  REQUIRE(pid > 0);
  REQUIRE(::kill(pid, SIGINT) == 0);
  Finished finished = running.wait();
  CHECK(finished.code == 7);
  CHECK(finished.out == "interrupted\n");
}

TEST_CASE("exec: 127 for a command that is not found, 126 for one that cannot be run, one line each") {
  Emulator emu;
  HelperSandbox box(emu);
  box.login("tok-admin");
  Finished missing = box.helper({"exec", "--", "no-such-command-squadcast"});
  CHECK(missing.code == 127);
  CHECK(missing.err.find("squadcast-credential: no-such-command-squadcast: command not found\n") != std::string::npos);
  Finished no_file = box.helper({"exec", "--", box.home / "absent"});
  CHECK(no_file.code == 127);
  CHECK(no_file.err.find(box.home / "absent" + ": No such file or directory\n") != std::string::npos);
  const std::string script = box.home / "not-executable";
  write_text(script, "#!/bin/sh\necho ran\n", 0644);
  Finished denied = box.helper({"exec", "--", script});
  CHECK(denied.code == 126);
  CHECK(denied.err.find(script + ": Permission denied\n") != std::string::npos);
  CHECK(denied.out.empty());
}

TEST_CASE("exec: a PATH directory it may not search moves the search on, as in a shell (127, or 126 for a found file)") {
  Emulator emu;
  HelperSandbox box(emu);
  box.login("tok-admin");
  // root searches any directory: drop the two capabilities that let it, for the helper only.
  std::vector<std::string> as_user;
  if (::geteuid() == 0) {
    const std::string setpriv = find_program("setpriv");
    if (setpriv.empty()) {
      WARN("SKIP: setpriv (util-linux) is needed to test an unsearchable directory as root");
      return;
    }
    as_user = {setpriv, "--bounding-set", "-dac_override,-dac_read_search", "--inh-caps", "-all"};
  }
  const std::string locked = box.home / "locked";
  const std::string bin = box.home / "bin";
  std::filesystem::create_directories(locked);
  std::filesystem::create_directories(bin);
  write_text(bin + "/squadcast-runs", "#!/bin/sh\necho ran\n", 0755);
  write_text(bin + "/squadcast-cannot-run", "#!/bin/sh\necho ran\n", 0644);
  REQUIRE(::chmod(locked.c_str(), 0) == 0);
  box.env["PATH"] = locked + ":" + bin + ":" + box.env["PATH"];
  auto exec = [&](const std::string& command) {
    std::vector<std::string> argv = as_user;
    argv.insert(argv.end(), {std::string(SQUADCAST_HELPER_DIR) + "/squadcast-credential", "exec", "--", command});
    return box.program(argv);
  };
  Finished missing = exec("no-such-command-squadcast");
  CHECK(missing.code == 127);
  CHECK(missing.err.ends_with("\nsquadcast-credential: no-such-command-squadcast: command not found\n"));
  Finished denied = exec("squadcast-cannot-run");
  CHECK(denied.code == 126);
  CHECK(denied.err.ends_with("\nsquadcast-credential: squadcast-cannot-run: Permission denied\n"));
  Finished runs = exec("squadcast-runs");
  CHECK(runs.code == 0);
  CHECK(runs.out == "ran\n");
  ::chmod(locked.c_str(), 0700);
}

TEST_CASE("exec: --min-ttl exchanges first when the cached access token expires sooner") {
  Emulator emu;
  HelperSandbox box(emu);
  emu.set_lifetime(600);
  box.login("tok-admin");
  long exchanges = emu.counter("exchange");
  REQUIRE(box.helper({"token"}).code == 0);  // min_validity 300 < 600: a hit
  CHECK(emu.counter("exchange") == exchanges);
  Finished short_lived = box.helper({"exec", "--", "true"});  // default 15m > 600 s
  CHECK(short_lived.code == 0);
  CHECK(emu.counter("exchange") == exchanges + 1);
  CHECK(short_lived.err.find("sooner than --min-ttl (900 s)") != std::string::npos);
  CHECK(box.helper({"exec", "--min-ttl", "5m", "--", "true"}).code == 0);
  CHECK(emu.counter("exchange") == exchanges + 1);
  CHECK(box.helper({"exec", "--min-ttl=1200", "--", "true"}).code == 0);
  CHECK(emu.counter("exchange") == exchanges + 2);
  emu.set_lifetime(7200);
  CHECK(box.helper({"exec", "--min-ttl", "1h", "--", "true"}).code == 0);  // 600 s left: exchange
  CHECK(emu.counter("exchange") == exchanges + 3);
  Finished fresh = box.helper({"exec", "--min-ttl", "1h", "--", "true"});
  CHECK(emu.counter("exchange") == exchanges + 3);
  CHECK(fresh.err.find("--min-ttl") == std::string::npos);

  const std::string started = box.home / "started";
  Finished bad = box.helper({"exec", "--min-ttl", "1h30", "--", "touch", started});
  CHECK(bad.code == 4);
  CHECK(bad.err.find("--min-ttl: invalid duration '1h30'") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(started));
}

TEST_CASE("exec --access-token-only: only the access token and the profile, the store not even read") {
  Emulator emu;
  HelperSandbox box(emu);
  box.login("tok-admin");
  std::string token = access_token(box);
  box.env["SQUADCAST_REFRESH_TOKEN"] = "stale-terraform-token";
  box.env["SQUADCAST_REGION"] = "us";
  // The store could not be parsed: a cache hit must not read it (its mode is still checked).
  write_text(box.credentials_file(), "not json", 0600);
  Finished run = box.helper({"exec", "--access-token-only", "--", "env"});
  INFO(run.err);
  REQUIRE(run.code == 0);
  Environment seen = parse_env(run.out);
  CHECK(seen["SQUADCASTSDK_BEARER_AUTH"] == token);
  CHECK(seen["SQUADCAST_PROFILE"] == "default");
  CHECK(seen.count("SQUADCAST_REFRESH_TOKEN") == 0);
  CHECK(seen.count("SQUADCAST_REFRESHTOKEN") == 0);
  CHECK(seen.count("SQUADCAST_REGION") == 0);
  CHECK(run.out.find(emu.refresh_token("tok-admin")) == std::string::npos);
  CHECK(run.err.find(region_note) == std::string::npos);
  // No refresh-token variable, yet the command has the refresh token: Squadcast's access
  // token carries it in its payload (docs/exec.md, "What an access token gives").
  const std::size_t dot = token.find('.');
  auto payload = squadcast::base64url_decode(token.substr(dot + 1, token.rfind('.') - dot - 1));
  REQUIRE(payload.has_value());
  CHECK(nlohmann::json::parse(*payload).at("refresh_token") == emu.refresh_token("tok-admin"));
}

TEST_CASE("exec: nesting re-injects the same tokens, nothing refuses it") {
  Emulator emu;
  HelperSandbox box(emu);
  box.login("tok-admin");
  std::string refresh = emu.refresh_token("tok-admin");
  // The default backend: the inner exec finds SQUADCAST_REFRESH_TOKEN and uses it.
  box.env["SQUADCAST_CREDENTIAL_BACKEND"] = "auto";
  box.env["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=" + box.home / "no-bus-here";
  Finished outer = box.helper({"exec", "--", "env"});
  Finished nested = box.helper({"exec", "--", "squadcast-credential", "exec", "--", "env"});
  INFO(nested.err);
  REQUIRE(nested.code == 0);
  Environment once = parse_env(outer.out), twice = parse_env(nested.out);
  CHECK(twice["SQUADCAST_REFRESH_TOKEN"] == refresh);
  CHECK(twice["SQUADCAST_REFRESHTOKEN"] == refresh);
  CHECK(twice["SQUADCAST_PROFILE"] == "default");
  CHECK(twice["SQUADCASTSDK_BEARER_AUTH"].rfind("eyJ", 0) == 0);
  once.erase("SQUADCASTSDK_BEARER_AUTH");  // the inner one may hold a newer access token
  twice.erase("SQUADCASTSDK_BEARER_AUTH");
  CHECK(once == twice);
  Finished nested_status = box.helper({"exec", "--", "sh", "-c", "squadcast-credential status --json"});
  CHECK(nested_status.code == 0);
  CHECK(nlohmann::json::parse(nested_status.out)["email"] == "alice@acme.test");
}

TEST_CASE("exec: a real curl in the command calls the API with the injected access token, no token in any argv") {
  const std::string curl = find_program("curl");
  if (curl.empty()) {
    WARN("SKIP: curl is not installed");
    return;
  }
  Emulator emu;
  HelperSandbox box(emu);
  box.login("tok-admin");
  std::string token = access_token(box);
  // curl reads the header from a fifo, so it blocks with its argv on show until the
  // shell (a builtin printf: no process of its own) writes the token into it.
  const std::string script = box.home / "call-api.sh";
  write_text(script, R"(set -e
dir=$1 ca=$2 url=$3
mkfifo "$dir/headers"
curl -sS --fail --cacert "$ca" -H @"$dir/headers" "$url" > "$dir/curl.out" &
pid=$!
i=0
until grep -q cacert "/proc/$pid/cmdline" 2>/dev/null || [ $i -ge 600 ]; do sleep 0.05; i=$((i + 1)); done
cat "/proc/$$/cmdline" "/proc/$pid/cmdline" > "$dir/cmdlines"
printf 'Authorization: Bearer %s\n' "$SQUADCASTSDK_BEARER_AUTH" > "$dir/headers"
wait $pid
cat "$dir/curl.out"
)",
             0600);
  long lookups = emu.counter("user");
  Finished run = box.helper({"exec", "--access-token-only", "--", "sh", script, box.home.path(), emu.ca_file(),
                             emu.url() + "/v3/users/" + admin_id});
  INFO(run.err);
  REQUIRE(run.code == 0);
  auto user = nlohmann::json::parse(run.out);
  CHECK(user["data"]["email"] == "alice@acme.test");
  CHECK(emu.counter("user") == lookups + 1);
  std::string cmdlines = read_text(box.home / "cmdlines");
  CHECK(cmdlines.find("cacert") != std::string::npos);  // curl's own argv was read
  CHECK(cmdlines.find(token) == std::string::npos);
  CHECK(cmdlines.find("eyJ") == std::string::npos);
}

TEST_CASE("exec: not logged in, revoked and unreachable are token's messages and exit codes, nothing started") {
  Emulator emu;
  HelperSandbox box(emu);
  const std::string started = box.home / "started";
  auto same_as_token = [&](int code) {
    Finished token = box.helper({"token"});
    Finished run = box.helper({"exec", "--", "touch", started});
    CHECK(token.code == code);
    CHECK(run.code == code);
    CHECK(run.err == token.err);
    CHECK(run.out.empty());
    CHECK_FALSE(std::filesystem::exists(started));
  };
  same_as_token(1);
  box.login("tok-admin");
  emu.revoke("tok-admin");
  std::filesystem::remove_all(box.cache_dir());
  same_as_token(2);
  emu.reset();
  box.login("tok-admin");
  std::filesystem::remove_all(box.cache_dir());
  box.env["SQUADCAST_TIMEOUT"] = "3";  // retries end by then
  emu.stop();
  same_as_token(3);
}

TEST_CASE("exec: the command gets the caller's umask and core-size limit, not the helper's own") {
  Emulator emu;
  HelperSandbox box(emu);
  box.login("tok-admin");
  const mode_t previous = ::umask(027);
  rlimit core{};
  REQUIRE(::getrlimit(RLIMIT_CORE, &core) == 0);
  const rlimit saved = core;
  if (core.rlim_max != 0) core.rlim_cur = core.rlim_max == RLIM_INFINITY ? 1 << 20 : core.rlim_max;
  ::setrlimit(RLIMIT_CORE, &core);
  Finished run = box.helper({"exec", "--", "sh", "-c", "grep Umask /proc/self/status; grep 'core file' /proc/self/limits"});
  std::string own = read_text("/proc/self/limits");
  ::umask(previous);
  ::setrlimit(RLIMIT_CORE, &saved);
  REQUIRE(run.code == 0);
  CHECK(run.out.find("Umask:\t0027\n") != std::string::npos);
  auto line_start = own.find("Max core file size");
  REQUIRE(line_start != std::string::npos);
  std::string core_line = own.substr(line_start, own.find('\n', line_start) + 1 - line_start);
  CHECK(run.out.find(core_line) != std::string::npos);
  if (core.rlim_cur == 0) WARN("the hard core limit is 0 here: the core-limit check cannot tell the difference");
}

TEST_CASE("exec without a command starts $SHELL with the variables and says so on one line") {
  Emulator emu;
  HelperSandbox box(emu);
  box.login("tok-admin");
  box.env["SHELL"] = "/bin/sh";
  Finished run = box.helper({"exec"}, "echo \"profile=$SQUADCAST_PROFILE\"\n");
  CHECK(run.code == 0);
  CHECK(run.out == "profile=default\n");
  CHECK(count_of(run.err, "no command given: starting /bin/sh") == 1);
  box.env.erase("SHELL");
  Finished fallback = box.helper({"exec"}, "exit 3\n");
  CHECK(fallback.code == 3);
  CHECK(fallback.err.find("starting /bin/sh") != std::string::npos);
}

TEST_CASE("exec: the command inherits the caller's descriptors and none of the helper's, even after an exchange") {
  Emulator emu;
  HelperSandbox box(emu);
  box.login("tok-admin");
  std::filesystem::remove_all(box.cache_dir());  // a miss: store, lock file, libcurl, TLS
  long exchanges = emu.counter("exchange");
  Finished baseline = box.program({"/bin/ls", "-l", "/proc/self/fd"});
  Finished run = box.helper({"exec", "--", "/bin/ls", "-l", "/proc/self/fd"});
  REQUIRE(run.code == 0);
  CHECK(emu.counter("exchange") == exchanges + 1);
  // Same descriptor numbers and targets; what differs per run (pipe inodes, capture file
  // names, ls's own /proc directory) is normalised first.
  auto targets = [](const std::string& listing) {
    static const std::regex per_run(R"(\[[0-9]+\]|run-[0-9-]+|/proc/[0-9]+/)");
    std::vector<std::string> lines;
    std::istringstream in(listing);
    for (std::string line; std::getline(in, line);) {
      auto arrow = line.find(" -> ");
      if (arrow == std::string::npos) continue;  // "total 0"
      auto fd = line.rfind(' ', arrow - 1);
      lines.push_back(std::regex_replace(line.substr(fd + 1), per_run, "#"));
    }
    return lines;
  };
  INFO(baseline.out);
  INFO(run.out);
  CHECK(targets(run.out) == targets(baseline.out));
  CHECK(targets(run.out).size() >= 3);
}

TEST_CASE("exec: after a rotation the command gets the new refresh token, from the file or the env store") {
  Emulator emu;
  HelperSandbox box(emu);
  emu.set_rotation(true);
  box.login("tok-admin");  // stores the token the login exchange rotated to
  std::filesystem::remove_all(box.cache_dir());
  Finished from_file = box.helper({"exec", "--", "env"});
  REQUIRE(from_file.code == 0);
  std::string rotated = emu.refresh_token("tok-admin");
  box.secrets.push_back(rotated);
  CHECK(parse_env(from_file.out)["SQUADCAST_REFRESH_TOKEN"] == rotated);

  // CI: the variable is the store and cannot be rewritten, yet the old token is now dead.
  box.env["SQUADCAST_CREDENTIAL_BACKEND"] = "env";
  box.env["SQUADCAST_REFRESH_TOKEN"] = rotated;
  Finished from_env = box.helper({"exec", "--", "env"});
  REQUIRE(from_env.code == 0);
  std::string newest = emu.refresh_token("tok-admin");
  box.secrets.push_back(newest);
  CHECK(newest != rotated);
  Environment seen = parse_env(from_env.out);
  CHECK(seen["SQUADCAST_REFRESH_TOKEN"] == newest);
  CHECK(seen["SQUADCAST_REFRESHTOKEN"] == newest);
  CHECK(from_env.err.find("could not be saved") != std::string::npos);
}
