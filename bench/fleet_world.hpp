// The world of the fleet benchmark: an emulator seeded with an owner and N users, a PAM
// service file per simulated host (each with its own decision-cache directory), local
// users through nss_wrapper, and the owner's squadcast-credential in a private HOME.
// Directory mode too: a host user (fleet-host@acme.test, role user) with one token per
// host plus one shared by the fleet, a team "fleet" of all N users and a schedule
// "Fleet primary" (id 900) with u02 on call; per host four services, by suffix:
//   ""   token mode, auth (the person's token), cache_dir caches/hNNNN
//   "-d" directory mode, account, require_team=fleet, the host's own token, caches/hNNNN-d
//   "-o" directory mode, account, require_oncall=fleet, the host's own token, caches/hNNNN-d
//   "-s" directory mode, account, require_team=fleet, the fleet's shared token, caches/hNNNN-s
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace fleet {

struct WorldOptions {
  std::string work_dir;  // created; everything lives under it
  std::string emulator;  // squadcast-emulator binary
  std::string module;    // pam_squadcast.so
  std::string helper;    // squadcast-credential
  int hosts = 500;
  int users = 20;
  int cache_ttl = 10;
  int roster_ttl = 10;
  int timeout = 5;
};

struct FleetUser {
  std::string name;   // local user and email local part: u01 ...
  std::string email;  // u01@acme.test
  std::string token_id;
  std::string token;  // the refresh token the user types at every login
};

// The options both fleet benchmarks take for the world (--emulator, --module, --helper,
// --work, --hosts, --users, --cache-ttl, --timeout, --roster-ttl): true when `key` is one.
bool set_world_option(WorldOptions& world, const std::string& key, const std::string& value);

class World {
 public:
  explicit World(WorldOptions options);  // throws std::runtime_error
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  // Rewrites every host's service files for another cache_ttl / roster_ttl and empties the caches.
  void configure_hosts(int cache_ttl, int roster_ttl = 10);
  void reset_emulator();  // tokens, counters, rate limits, users, teams and on-call back to the seed
  void set_rate_limit(long per_minute);  // every token
  long counter(const std::string& group);
  long rate_limited_answers();

  // `squadcast-credential tokens revoke --user EMAIL --yes` as the owner; exit code.
  int owner_revokes(const std::string& email, std::string& output);
  std::map<std::string, long> token_counters();  // calls per token id since the last reset
  // An emulator control call (path under /_control/, JSON body); the answer's body.
  std::string control(const std::string& method, const std::string& path, const std::string& body = "");

  const WorldOptions& options() const { return options_; }
  const std::vector<FleetUser>& users() const { return users_; }
  std::string confdir() const { return options_.work_dir + "/services"; }
  static std::string service_of(int host, const std::string& kind = "");  // "h0042", "h0042-d"

 private:
  int run_helper(const std::vector<std::string>& args, const std::string& input, std::string& output);

  WorldOptions options_;
  std::vector<FleetUser> users_;
  std::string owner_token_;
  std::string url_;
  std::string ca_;
  pid_t emulator_pid_ = -1;
  int emulator_stdin_ = -1;
};

// One login in a process of its own, as on a real host (one sshd per connection): the
// module swaps the process-wide environment while it talks to Squadcast, which concurrent
// logins in one threaded process would see (nss_wrapper finds its files through it).
// Token mode (kind "") runs pam_authenticate with the user's token; directory mode
// (any other kind) pam_acct_mgmt, as sshd does after a public-key login. The PAM code.
int login(const std::string& confdir, const std::string& service, const FleetUser& user);
int login_here(const std::string& confdir, const std::string& service, const FleetUser& user);  // no fork

// Re-executes this program under nss_wrapper with the world's passwd/group unless it
// already runs under it; returns only when it does.
void ensure_nss_wrapper(int argc, char** argv, const std::string& work_dir, int users);

}  // namespace fleet
