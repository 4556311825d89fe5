// The world of the fleet benchmark: an emulator seeded with an owner and N users, a PAM
// service file per simulated host (each with its own decision-cache directory), local
// users through nss_wrapper, and the owner's squadcast-credential in a private HOME.
#pragma once

#include <sys/types.h>

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
  int timeout = 5;
};

struct FleetUser {
  std::string name;   // local user and email local part: u01 ...
  std::string email;  // u01@acme.test
  std::string token_id;
  std::string token;  // the refresh token the user types at every login
};

class World {
 public:
  explicit World(WorldOptions options);  // throws std::runtime_error
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  // Rewrites every host's service file for another cache_ttl and empties the caches.
  void configure_hosts(int cache_ttl);
  void reset_emulator();  // tokens, counters and rate limits back to the seed
  void set_rate_limit(long per_minute);  // every token
  long counter(const std::string& group);
  long rate_limited_answers();

  // `squadcast-credential tokens revoke --user EMAIL --yes` as the owner; exit code.
  int owner_revokes(const std::string& email, std::string& output);

  const WorldOptions& options() const { return options_; }
  const std::vector<FleetUser>& users() const { return users_; }
  std::string confdir() const { return options_.work_dir + "/services"; }
  static std::string service_of(int host);  // "h0042"

 private:
  std::string control(const std::string& method, const std::string& path, const std::string& body = "");
  int run_helper(const std::vector<std::string>& args, const std::string& input, std::string& output);

  WorldOptions options_;
  std::vector<FleetUser> users_;
  std::string owner_token_;
  std::string url_;
  std::string ca_;
  pid_t emulator_pid_ = -1;
  int emulator_stdin_ = -1;
};

// Re-executes this program under nss_wrapper with the world's passwd/group unless it
// already runs under it; returns only when it does.
void ensure_nss_wrapper(int argc, char** argv, const std::string& work_dir, int users);

}  // namespace fleet
