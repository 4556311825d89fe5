// fleet_bench: offboarding across a simulated fleet. N hosts (a PAM service file and a
// decision-cache directory each), U users logging in at random through the real libpam
// and the real pam_squadcast.so (pam_start_confdir), all against the emulator. Mid-run
// the owner runs `squadcast-credential tokens revoke --user X --yes`; we measure how long
// hosts still let X in, whether anyone else lost access, the API calls the fleet made
// against the caching bound and the per-token rate limit, and what the module answered
// when 429s came. Then the same with cache_ttl=0.
//
//   fleet_bench --emulator BIN --module SO --helper BIN --work DIR [--hosts 500] [--users 20]
//               [--seconds 40] [--revoke-at 15] [--rate 40] [--cache-ttl 10] [--timeout 5]
//               [--rate-limit 240] [--report FILE] [--check]
//               [--modes token,directory,shared [--roster-ttl 10]] [--offboard revoke|delete]
// --modes: the same mix once per gate (fleet_world.hpp: token mode, directory mode with a
// credential per host, directory mode with one credential shared by the fleet), TTL
// cache_ttl or roster_ttl, one side-by-side table (bench/fleet --modes). --offboard delete:
// /_control/user/delete instead of the owner's revoke.
// --check: exit 1 unless the revoked user was shut out within cache_ttl + timeout (+ slack),
// nobody else was refused, and no login was wrongly allowed (the ctest uses it).
#include <security/pam_appl.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "fleet_world.hpp"

namespace {

using Clock = std::chrono::steady_clock;

// Which gate the hosts run: token mode (the person's token, pam_authenticate) or directory
// mode (pam_acct_mgmt, require_team=fleet) with each host's own credential or one shared.
struct Mode {
  const char* name;
  const char* kind;  // the service suffix, fleet_world.hpp
};
const Mode modes[] = {{"token", ""}, {"directory", "-d"}, {"shared", "-s"}};

struct Args {
  fleet::WorldOptions world;
  double seconds = 40, revoke_at = 15, rate = 40;
  long rate_limit = 240;
  std::string report;
  bool check = false;
  bool delete_user = false;   // --offboard delete: /_control/user/delete instead of the owner's revoke
  std::vector<Mode> modes;    // --modes token,directory,shared: one run each at the TTL (else token at cache_ttl and 0)
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr, "fleet_bench: %s (see the top of bench/fleet_bench.cpp)\n", why);
  std::exit(2);
}

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    if (k == "--check") {
      a.check = true;
      continue;
    }
    if (i + 1 >= argc) usage("missing value");
    std::string v = argv[++i];
    if (fleet::set_world_option(a.world, k, v)) continue;
    if (k == "--seconds") a.seconds = std::stod(v);
    else if (k == "--revoke-at") a.revoke_at = std::stod(v);
    else if (k == "--rate") a.rate = std::stod(v);
    else if (k == "--rate-limit") a.rate_limit = std::stol(v);
    else if (k == "--report") a.report = v;
    else if (k == "--offboard") a.delete_user = v == "delete";
    else if (k == "--modes") {
      for (const Mode& m : modes)
        if (("," + v + ",").find(std::string(",") + m.name + ",") != std::string::npos) a.modes.push_back(m);
    } else usage("unknown argument");
  }
  if (a.world.emulator.empty() || a.world.module.empty() || a.world.helper.empty() || a.world.work_dir.empty())
    usage("--emulator, --module, --helper and --work are required");
  if (a.world.users < 2 || a.world.hosts < 1 || a.revoke_at >= a.seconds) usage("bad sizes");
  return a;
}

struct Attempt {
  double started, ended;  // seconds since the run began
  int host, user, rc;
};

struct RunResult {
  Mode mode = modes[0];
  int cache_ttl = 0;  // roster_ttl in directory mode
  long calls = 0, busiest_token = 0;  // every API call of the run; the most calls on one token
  std::vector<Attempt> attempts;
  double revoke_started = 0, revoke_done = 0;
  int revoke_rc = -1;
  double shut_out_after = -1;   // last allow of X (its end) minus revoke_done; 0 when none
  double confirmed_after = -1;  // a full pass over X's hosts refused everything
  int final_sweep_allows = 0, final_sweep_unavailable = 0;
  long exchanges = 0, user_lookups = 0, refused_429 = 0;
  double seconds = 0;
};

class Run {
 public:
  Run(fleet::World& world, const Args& args, Mode mode, int ttl) : world_(world), args_(args) {
    result_.mode = mode;
    result_.cache_ttl = ttl;
  }

  RunResult go() {
    world_.configure_hosts(result_.cache_ttl, std::max(5, result_.cache_ttl));  // roster_ttl: 5 at least
    world_.reset_emulator();
    world_.set_rate_limit(args_.rate_limit);
    start_ = Clock::now();
    const int workers = 8;
    std::vector<std::thread> threads;
    for (int w = 0; w < workers; ++w) threads.emplace_back([this, w, workers] { work(w, workers); });
    std::this_thread::sleep_for(std::chrono::duration<double>(args_.revoke_at));
    result_.revoke_started = now();
    std::string output;
    if (args_.delete_user) {
      world_.control("POST", "/_control/user/delete", "{\"user_email\":\"" + victim().email + "\"}");
      result_.revoke_rc = 0;
    } else {
      result_.revoke_rc = world_.owner_revokes(victim().email, output);
    }
    result_.revoke_done = now();
    revoked_.store(true);
    std::fprintf(stderr, "fleet: ttl=%d revoke exit %d: %s", result_.cache_ttl, result_.revoke_rc, output.c_str());
    std::thread prober([this] { probe(); });
    for (auto& t : threads) t.join();
    prober.join();
    result_.seconds = now();
    result_.exchanges = world_.counter("exchange");  // before the sweep: the run's calls only
    result_.user_lookups = world_.counter("user");
    result_.calls = world_.counter("total");
    for (const auto& [id, calls] : world_.token_counters())
      if (id != "tok-owner") result_.busiest_token = std::max(result_.busiest_token, calls);
    final_sweep();
    result_.refused_429 = world_.rate_limited_answers();
    return result_;
  }

 private:
  const fleet::FleetUser& victim() const { return world_.users().front(); }
  double now() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }
  int login(int host, const fleet::FleetUser& user) {
    return fleet::login(world_.confdir(), fleet::World::service_of(host, result_.mode.kind), user);
  }

  // A user logs in mostly on "their" hosts (every users-th host), sometimes anywhere.
  int pick_host(std::mt19937& random, int user) {
    const int hosts = args_.world.hosts, users = args_.world.users;
    const int own = std::max(1, (hosts - user + users - 1) / users);
    if (hosts >= users && std::uniform_real_distribution<>(0, 1)(random) < 0.8)
      return user + users * std::uniform_int_distribution<>(0, own - 1)(random);
    return std::uniform_int_distribution<>(0, hosts - 1)(random);
  }

  void attempt(int host, int user) {
    const double started = now();
    const int rc = login(host, world_.users()[static_cast<std::size_t>(user)]);
    std::lock_guard lock(mu_);
    result_.attempts.push_back({started, now(), host, user, rc});
    if (user == 0 && rc == PAM_SUCCESS) victim_hosts_.insert(host);
  }

  void work(int w, int workers) {
    std::mt19937 random(static_cast<unsigned>(w * 7919 + 17));
    std::exponential_distribution<> gap(args_.rate / workers);
    while (now() < args_.seconds) {
      const int user = std::uniform_int_distribution<>(0, args_.world.users - 1)(random);
      attempt(pick_host(random, user), user);
      std::this_thread::sleep_for(std::chrono::duration<double>(gap(random)));
    }
  }

  // After the revoke, X keeps trying every host that ever let X in, pass after pass,
  // until one whole pass is refused everywhere.
  void probe() {
    while (now() < args_.seconds + args_.world.cache_ttl + args_.world.timeout + 30) {
      std::set<int> hosts;
      {
        std::lock_guard lock(mu_);
        hosts = victim_hosts_;
      }
      bool any_allowed = false;
      for (int host : hosts) {
        const double started = now();
        const int rc = login(host, victim());
        std::lock_guard lock(mu_);
        result_.attempts.push_back({started, now(), host, 0, rc});
        any_allowed = any_allowed || rc == PAM_SUCCESS;
      }
      if (!any_allowed) {
        result_.confirmed_after = now() - result_.revoke_done;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }

  void final_sweep() {
    for (int host = 0; host < args_.world.hosts; ++host) {
      const int rc = login(host, victim());
      if (rc == PAM_SUCCESS) ++result_.final_sweep_allows;
      if (rc == PAM_AUTHINFO_UNAVAIL) ++result_.final_sweep_unavailable;
    }
    double last = 0;
    if (std::getenv("FLEET_TRACE") != nullptr) {  // every login of the revoked user, for debugging the bench
      for (const Attempt& a : result_.attempts)
        if (a.user == 0) std::fprintf(stderr, "u01 h%04d %.3f-%.3f rc=%d\n", a.host, a.started, a.ended, a.rc);
    }
    for (const Attempt& a : result_.attempts)
      if (a.user == 0 && a.rc == PAM_SUCCESS && a.started > result_.revoke_started) last = std::max(last, a.ended);
    result_.shut_out_after = last > 0 ? last - result_.revoke_done : 0;
  }

  fleet::World& world_;
  const Args& args_;
  RunResult result_;
  Clock::time_point start_;
  std::mutex mu_;
  std::set<int> victim_hosts_;
  std::atomic<bool> revoked_{false};
};

struct Summary {
  long logins = 0, victim_late_allows = 0, others_ok = 0, others_unavailable = 0, others_refused = 0;
  long unavailable_total = 0;
  double calls_per_host_hour = 0, bound_per_host_hour = 0;
  bool passed = true;
  std::string verdict;
};

Summary summarize(const RunResult& r, const Args& args) {
  Summary s;
  const double bound = r.cache_ttl + args.world.timeout;
  std::map<std::pair<int, int>, long> per_pair;
  for (const Attempt& a : r.attempts) {
    ++s.logins;
    ++per_pair[{a.host, a.user}];
    if (a.rc == PAM_AUTHINFO_UNAVAIL) ++s.unavailable_total;
    if (a.user == 0) {
      if (a.rc == PAM_SUCCESS && a.started > r.revoke_done + bound) ++s.victim_late_allows;
      continue;
    }
    if (a.rc == PAM_SUCCESS) ++s.others_ok;
    else if (a.rc == PAM_AUTHINFO_UNAVAIL) ++s.others_unavailable;
    else ++s.others_refused;
  }
  // Each (host, user) asks Squadcast at most once per cache_ttl (exchange + user lookup),
  // and never more often than it logs in.
  double bound_calls = 0;
  const double windows = r.cache_ttl > 0 ? std::ceil(r.seconds / r.cache_ttl) + 1 : 1e18;
  for (const auto& [pair, logins] : per_pair) bound_calls += 2 * std::min<double>(static_cast<double>(logins), windows);
  const double host_hours = args.world.hosts * r.seconds / 3600.0;
  s.calls_per_host_hour = static_cast<double>(r.exchanges + r.user_lookups) / host_hours;
  s.bound_per_host_hour = bound_calls / host_hours;
  if (r.revoke_rc != 0) s.verdict += " revoke failed;";
  if (r.final_sweep_allows != 0) s.verdict += " revoked user still let in at the end;";
  if (r.confirmed_after < 0) s.verdict += " never confirmed shut out;";
  if (r.shut_out_after > bound + 10) s.verdict += " shut-out time past cache_ttl + timeout (+10 s slack);";
  if (s.victim_late_allows != 0) s.verdict += " wrong allow after the bound;";
  if (s.others_refused != 0) s.verdict += " another user was refused;";
  s.passed = s.verdict.empty();
  if (s.passed) s.verdict = "ok";
  return s;
}

std::string row(const RunResult& r, const Summary& s, const Args& args) {
  char text[1024];
  std::snprintf(text, sizeof text,
                "| %d s | %ld (%.0f/s) | %.2f s (bound %d s); %d/%d hosts refused at the end (%d of them with AUTHINFO_UNAVAIL) | "
                "%ld ok, %ld refused, %ld AUTHINFO_UNAVAIL | %.0f (bound %.0f) | %ld / %ld | %ld 429s; %ld logins AUTHINFO_UNAVAIL | %ld | %s |",
                r.cache_ttl, s.logins, static_cast<double>(s.logins) / r.seconds, r.shut_out_after,
                r.cache_ttl + args.world.timeout, args.world.hosts - r.final_sweep_allows, args.world.hosts,
                r.final_sweep_unavailable, s.others_ok,
                s.others_refused, s.others_unavailable, s.calls_per_host_hour, s.bound_per_host_hour, r.exchanges,
                r.user_lookups, r.refused_429, s.unavailable_total, s.victim_late_allows, s.verdict.c_str());
  return text;
}

// A row of the side-by-side table (--modes): the same login mix and offboarding per gate.
std::string mode_row(const RunResult& r, const Summary& s, const Args& args) {
  char text[1024];
  std::snprintf(text, sizeof text,
                "| %s | %d s | %ld (%.0f/s) | %.2f s (bound %d s); %d/%d hosts refused at the end | %ld ok, %ld refused, "
                "%ld AUTHINFO_UNAVAIL (%.1f%%) | %.0f (%.2f per login) | %.0f/min (limit %ld) | %ld | %ld | %s |",
                r.mode.name, r.cache_ttl, s.logins, static_cast<double>(s.logins) / r.seconds, r.shut_out_after,
                r.cache_ttl + args.world.timeout, args.world.hosts - r.final_sweep_allows, args.world.hosts, s.others_ok,
                s.others_refused, s.others_unavailable,
                100.0 * static_cast<double>(s.others_unavailable) /
                    static_cast<double>(std::max(1L, s.others_ok + s.others_refused + s.others_unavailable)),
                static_cast<double>(r.calls) / (args.world.hosts * r.seconds / 3600.0),
                static_cast<double>(r.calls) / static_cast<double>(std::max(1L, s.logins)),
                static_cast<double>(r.busiest_token) * 60.0 / r.seconds, args.rate_limit, r.refused_429,
                s.victim_late_allows, s.verdict.c_str());
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  Args args = parse(argc, argv);
  try {
    fleet::ensure_nss_wrapper(argc, argv, args.world.work_dir, args.world.users);
    fleet::World world(args.world);
    std::vector<std::string> rows;
    bool passed = true;
    if (!args.modes.empty()) {
      std::string table =
          "| gate | TTL | logins | offboarding: until no host lets u01 in | other 19 users | API calls per host per hour "
          "| busiest token | 429s | wrong allows | verdict |\n|---|---|---|---|---|---|---|---|---|---|\n";
      for (const Mode& mode : args.modes) {
        const int ttl = mode.kind[0] == '\0' ? args.world.cache_ttl : args.world.roster_ttl;
        RunResult result = Run(world, args, mode, ttl).go();
        Summary summary = summarize(result, args);
        passed = passed && summary.passed;
        table += mode_row(result, summary, args) + "\n";
        std::fprintf(stderr, "%s", table.c_str());
      }
      std::printf("%s", table.c_str());
      if (!args.report.empty()) std::ofstream(args.report, std::ios::trunc) << table;
      return args.check && !passed ? 1 : 0;
    }
    for (int ttl : {args.world.cache_ttl, 0}) {
      RunResult result = Run(world, args, modes[0], ttl).go();
      Summary summary = summarize(result, args);
      passed = passed && summary.passed;
      rows.push_back(row(result, summary, args));
      std::fprintf(stderr, "%s\n", rows.back().c_str());
    }
    std::string table =
        "| cache_ttl | logins | revoke until no host lets u01 in | other 19 users | API calls per host per hour "
        "(bound: 2 per (user, host) per cache_ttl, at most 2 per login) | exchanges / user lookups | "
        "rate limit (" + std::to_string(args.rate_limit) + "/min per token) | wrong allows | verdict |\n"
        "|---|---|---|---|---|---|---|---|---|\n";
    for (const auto& line : rows) table += line + "\n";
    std::printf("%s", table.c_str());
    const std::string notes =
        "How to read it:\n\n"
        "- *revoke until no host lets u01 in*: from the end of the revoke command to the end of the last "
        "login of u01 that any host allowed (u01 keeps logging in, and after the revoke retries every host "
        "that ever let it in until one full pass is refused everywhere). The bound is cache_ttl + timeout: a "
        "host trusts a positive decision for cache_ttl seconds, and an exchange already under way may finish.\n"
        "- *wrong allows*: logins of u01 that started later than that bound and were allowed. Must be 0.\n"
        "- *other 19 users*: every login of everyone else; \"refused\" must be 0. AUTHINFO_UNAVAIL comes "
        "from 429s: the module fails closed (never a wrong allow) and the user can retry.\n"
        "- *API calls*: exchanges + user lookups counted by the emulator during the run, extrapolated per host "
        "per hour; the bound allows 2 calls per (user, host) per cache_ttl window, and never more than 2 per "
        "login (cache_ttl=0 is exactly 2 per login).\n"
        "- *rate limit*: the emulator enforces each token's rate_limit (calls per minute, every exchange and "
        "API call counts). The revoked user's token is still counted after the revoke, so its retries soon get "
        "429 instead of 401: the end-of-run sweep then sees AUTHINFO_UNAVAIL, still a refusal. Note for "
        "`offline_grace`: a 429 is \"unreachable\", so a host with a cached positive younger than "
        "offline_grace would accept it; only a 401 ends the grace.\n\n"
        "Generated by `bench/fleet`; times are wall-clock on the machine that ran it (2 cores shared with "
        "other builds), logins include u01's retries.\n";
    if (!args.report.empty()) {
      std::ofstream out(args.report, std::ios::trunc);
      out << "# Offboarding across a simulated fleet (bench/fleet)\n\n"
          << args.world.hosts << " hosts (a PAM service and a decision-cache directory each), " << args.world.users
          << " users logging in at random (about " << args.rate << " logins/s for " << args.seconds
          << " s; 80% on their own hosts), each a real pam_authenticate through pam_squadcast.so with timeout="
          << args.world.timeout << ". At " << args.revoke_at
          << " s the owner runs `squadcast-credential tokens revoke --user u01@acme.test --yes`.\n\n"
          << table << "\n" << notes;
    }
    return args.check && !passed ? 1 : 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "fleet_bench: %s\n", error.what());
    return 2;
  }
}
