// fleet_modes: token mode and directory mode side by side on the world of fleet_bench
// (fleet_world.hpp: N hosts, 20 users, the emulator's per-token rate limit on).
//
//   fanout  one user (u02) logs in to every host within --fanout-seconds (pssh, Ansible),
//           caches empty, in token mode, directory mode (per-host credential) and with one
//           credential shared by the fleet: refusals, 429s, calls on the busiest token
//   reach   directory mode, every host warm; then at once u05 deleted, u04 removed from
//           team fleet, schedule 900 handed from u02 to u03; every host is asked again and
//           again: per host, how long until it refuses u05 / u04 / u02 and admits u03
//   burst   one host, --burst logins at once (processes released together), caches empty,
//           require_team and then require_oncall: requests per roster at the emulator
//
//   fleet_modes --emulator BIN --module SO --helper BIN --work DIR [--hosts 500] [--timeout 5]
//               [--rate-limit 120] [--roster-ttl 30] [--fanout-seconds 10] [--burst 200]
//               [--scenarios fanout,reach,burst] [--report FILE]
#include <security/pam_appl.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "fleet_world.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Args {
  fleet::WorldOptions world;
  long rate_limit = 120;
  double fanout_seconds = 10;
  int burst = 200;
  std::string scenarios = "fanout,reach,burst", report;
};

Args parse(int argc, char** argv) {
  Args a;
  a.world.roster_ttl = 30;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (fleet::set_world_option(a.world, k, v)) continue;
    if (k == "--rate-limit") a.rate_limit = std::stol(v);
    else if (k == "--fanout-seconds") a.fanout_seconds = std::stod(v);
    else if (k == "--burst") a.burst = std::stoi(v);
    else if (k == "--scenarios") a.scenarios = v;
    else if (k == "--report") a.report = v;
    else {
      std::fprintf(stderr, "fleet_modes: unknown argument %s (see the top of bench/fleet_modes.cpp)\n", k.c_str());
      std::exit(2);
    }
  }
  if (a.world.emulator.empty() || a.world.module.empty() || a.world.helper.empty() || a.world.work_dir.empty()) {
    std::fprintf(stderr, "fleet_modes: --emulator, --module, --helper and --work are required\n");
    std::exit(2);
  }
  return a;
}

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  const auto rank = static_cast<std::size_t>(p / 100.0 * static_cast<double>(v.size()) + 0.999999);
  return v[std::clamp<std::size_t>(rank, 1, v.size()) - 1];
}

// Runs job(i) for i in [0, n) on `threads` threads; job may sleep to pace itself.
template <typename Job>
void parallel_for(int n, int threads, Job job) {
  std::atomic<int> next{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&] {
      for (int i = next++; i < n; i = next++) job(i);
    });
  for (auto& t : pool) t.join();
}

const fleet::FleetUser& user(fleet::World& world, int n) { return world.users()[static_cast<std::size_t>(n - 1)]; }

std::string fanout(fleet::World& world, const Args& args) {
  std::string table =
      "| gate | logins | ok | refused | AUTHINFO_UNAVAIL | last login done after | calls | busiest token (limit " +
      std::to_string(args.rate_limit) + "/min) | 429s |\n|---|---|---|---|---|---|---|---|---|\n";
  const std::pair<const char*, const char*> gates[] = {
      {"token (u02's own token)", ""}, {"directory, per-host credential", "-d"}, {"directory, one shared credential", "-s"}};
  const int hosts = args.world.hosts;
  for (const auto& [name, kind] : gates) {
    world.configure_hosts(args.world.cache_ttl, args.world.roster_ttl);
    world.reset_emulator();
    world.set_rate_limit(args.rate_limit);
    std::vector<int> rc(static_cast<std::size_t>(hosts));
    const auto t0 = Clock::now();
    parallel_for(hosts, 64, [&](int host) {  // host i starts at i/hosts of the window
      std::this_thread::sleep_until(t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                                             args.fanout_seconds * host / hosts)));
      rc[static_cast<std::size_t>(host)] = fleet::login(world.confdir(), fleet::World::service_of(host, kind), user(world, 2));
    });
    const double wall = since(t0);
    long busiest = 0;
    for (const auto& [id, calls] : world.token_counters()) busiest = std::max(busiest, calls);
    const auto count = [&](int code) { return std::count(rc.begin(), rc.end(), code); };
    const long ok = count(PAM_SUCCESS), unavailable = count(PAM_AUTHINFO_UNAVAIL);
    char line[512];
    std::snprintf(line, sizeof line, "| %s | %d in %.0f s | %ld | %ld | %ld | %.1f s | %ld | %ld calls | %ld |\n", name,
                  hosts, args.fanout_seconds, ok, hosts - ok - unavailable, unavailable, wall,
                  world.counter("total"), busiest, world.rate_limited_answers());
    table += line;
    std::fprintf(stderr, "fanout: %s", line);
  }
  return table;
}

// One probe of reach: a user at a host's service, the answer before and after the event.
struct Probe {
  const char* what;
  int user;
  const char* kind;
  bool admitted_after;
  double bound;
  struct Answer {
    double started, ended;  // seconds from the event
    int rc;
  };
  std::vector<std::vector<Answer>> answers;  // per host
};

std::string reach(fleet::World& world, const Args& args) {
  const int hosts = args.world.hosts, ttl = args.world.roster_ttl, timeout = args.world.timeout;
  world.configure_hosts(args.world.cache_ttl, ttl);
  world.reset_emulator();
  world.set_rate_limit(args.rate_limit);
  const double bound = ttl + timeout;
  std::vector<Probe> probes = {{"u05 deleted (/_control/user/delete): refused", 5, "-d", false, bound, {}},
                               {"u04 removed from team fleet: refused", 4, "-d", false, bound, {}},
                               {"u02 handed the shift over: refused", 2, "-o", false, bound, {}},
                               {"u03 takes the shift: admitted", 3, "-o", true, 10.0 + timeout, {}}};
  std::atomic<int> warm_failures{0};
  const auto warm0 = Clock::now();
  parallel_for(hosts, 8, [&](int host) {  // spread over roster_ttl: rosters of every age, as in steady state
    std::this_thread::sleep_until(warm0 + std::chrono::duration_cast<Clock::duration>(
                                              std::chrono::duration<double>(static_cast<double>(ttl) * host / hosts)));
    for (const Probe& p : probes)
      if (!p.admitted_after &&
          fleet::login(world.confdir(), fleet::World::service_of(host, p.kind), user(world, p.user)) != PAM_SUCCESS)
        ++warm_failures;
  });
  const double warm = since(warm0);
  const auto t0 = Clock::now();
  world.control("POST", "/_control/user/delete", R"({"user_email":"u05@acme.test"})");
  world.control("POST", "/_control/oncall/member", R"({"team":"fleet","user_email":"u04@acme.test","member":false})");
  world.control("POST", "/_control/oncall/handoff", R"({"schedule_id":900,"from":"u02@acme.test","to":"u03@acme.test"})");
  for (Probe& p : probes) p.answers.resize(static_cast<std::size_t>(hosts));
  std::mutex mu;
  int sweeps = 0;
  while (since(t0) < bound + 5) {
    parallel_for(hosts, 8, [&](int host) {
      for (Probe& p : probes) {
        const double started = since(t0);
        const int rc = fleet::login(world.confdir(), fleet::World::service_of(host, p.kind), user(world, p.user));
        std::lock_guard lock(mu);
        p.answers[static_cast<std::size_t>(host)].push_back({started, since(t0), rc});
      }
    });
    ++sweeps;
  }
  const double sweep_seconds = since(t0) / sweeps;
  char head[768];
  std::snprintf(head, sizeof head,
                "%d hosts, roster_ttl=%d, timeout=%d, directory mode with per-host credentials; warm-up (every host "
                "admitting u05, u04, u02) spread over %.1f s with %d failures, so the rosters were 0 to %.0f s old at the event. "
                "Then %d sweeps over every host (%.1f s each: the resolution of these times).\n\n"
                "| change | target | p50 | p99 | max | hosts not there at the end | wrong answers after the target | "
                "other answers |\n|---|---|---|---|---|---|---|---|\n",
                hosts, ttl, timeout, warm, warm_failures.load(), warm, sweeps, sweep_seconds);
  std::string table = head;
  for (const Probe& p : probes) {
    std::vector<double> reached;
    long not_there = 0, wrong = 0, other = 0;
    for (const auto& answers : p.answers) {
      // Reached: the first answer in the new state after which every answer is in it.
      double at = -1;
      for (const auto& a : answers) {
        const bool admitted = a.rc == PAM_SUCCESS;
        if (!admitted && a.rc != PAM_PERM_DENIED) ++other;  // AUTHINFO_UNAVAIL and the like: a refusal
        const bool new_state = p.admitted_after == admitted;
        if (!new_state) at = -1;
        else if (at < 0) at = a.ended;
        if (!new_state && a.started > p.bound) ++wrong;  // still the old answer, asked after the target
      }
      if (at < 0) ++not_there;
      else reached.push_back(at);
    }
    char line[512];
    std::snprintf(line, sizeof line, "| %s | <= %.0f s | %.1f s | %.1f s | %.1f s | %ld | %ld | %ld |\n", p.what, p.bound,
                  percentile(reached, 50), percentile(reached, 99), percentile(reached, 100), not_there, wrong, other);
    table += line;
    std::fprintf(stderr, "reach: %s", line);
  }
  return table;
}

// `count` processes, released together, each one pam_acct_mgmt at host 0; the PAM codes.
std::vector<int> burst_once(fleet::World& world, const std::string& service, int count) {
  int barrier[2];
  if (::pipe(barrier) != 0) return {};
  std::vector<pid_t> children;
  for (int i = 0; i < count; ++i) {
    const pid_t pid = ::fork();
    if (pid < 0) break;
    if (pid == 0) {
      ::close(barrier[1]);
      char c;
      while (::read(barrier[0], &c, 1) < 0) {
      }
      ::_exit(fleet::login_here(world.confdir(), service, user(world, 1 + i % static_cast<int>(world.users().size()))));
    }
    children.push_back(pid);
  }
  ::close(barrier[0]);
  ::close(barrier[1]);
  std::vector<int> codes;
  for (pid_t pid : children) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    codes.push_back(WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  }
  return codes;
}

std::string burst(fleet::World& world, const Args& args) {
  std::string table =
      "| gate | logins at once | wall | admitted / refused / other | exchanges (target 1) | user lookups (target " +
      std::to_string(world.users().size() + 1) +
      ": one per person + the host's own identity) | team list (target 1) | members (target 1) | whoIsOncall (target 1) |\n"
      "|---|---|---|---|---|---|---|---|---|\n";
  for (const char* kind : {"-d", "-o"}) {
    world.configure_hosts(args.world.cache_ttl, args.world.roster_ttl);
    world.reset_emulator();
    world.set_rate_limit(args.rate_limit);
    const auto t0 = Clock::now();
    const auto codes = burst_once(world, fleet::World::service_of(0, kind), args.burst);
    const double wall = since(t0);
    const auto oncall = nlohmann::json::parse(world.control("GET", "/_control/oncall/counters"));
    const long ok = std::count(codes.begin(), codes.end(), PAM_SUCCESS);
    const long refused = std::count(codes.begin(), codes.end(), PAM_PERM_DENIED);
    char line[512];
    std::snprintf(line, sizeof line, "| %s | %d | %.2f s | %ld / %ld / %ld | %ld | %ld | %ld | %ld | %ld |\n",
                  kind[1] == 'd' ? "require_team=fleet" : "require_oncall=fleet", args.burst, wall, ok, refused,
                  static_cast<long>(codes.size()) - ok - refused, world.counter("exchange"), world.counter("user"),
                  oncall.value("teams", 0L), oncall.value("members", 0L), world.counter("graphql"));
    table += line;
    std::fprintf(stderr, "burst: %s", line);
  }
  return table;
}

}  // namespace

int main(int argc, char** argv) {
  Args args = parse(argc, argv);
  try {
    fleet::ensure_nss_wrapper(argc, argv, args.world.work_dir, args.world.users);
    fleet::World world(args.world);
    std::string out;
    const auto wanted = [&](const char* name) { return ("," + args.scenarios + ",").find(std::string(",") + name + ",") != std::string::npos; };
    if (wanted("fanout")) out += "FANOUT\n" + fanout(world, args);
    if (wanted("reach")) out += "REACH\n" + reach(world, args);
    if (wanted("burst")) out += "BURST\n" + burst(world, args);
    std::printf("%s", out.c_str());
    if (!args.report.empty()) std::ofstream(args.report, std::ios::trunc) << out;
    return 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "fleet_modes: %s\n", error.what());
    return 2;
  }
}
