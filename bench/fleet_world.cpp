#include "fleet_world.hpp"

#include <fcntl.h>
#include <security/pam_appl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "squadcast/http_client.hpp"

extern char** environ;

namespace fleet {
namespace {

const std::string org = "5e8edb1f7e6f7d0001a1c0de";

std::string random_hex(std::size_t bytes) {
  std::ifstream random("/dev/urandom", std::ios::binary);
  std::string out;
  static const char digits[] = "0123456789abcdef";
  for (std::size_t i = 0; i < bytes; ++i) {
    unsigned char c = static_cast<unsigned char>(random.get());
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

void write_file(const std::string& path, const std::string& text, mode_t mode = 0600) {
  std::ofstream(path, std::ios::trunc) << text;
  ::chmod(path.c_str(), mode);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The project's seed plus N users of role "user", each with one token, and directory
// mode's world (see fleet_world.hpp): the host user with one token per host ("tok-hNNNN")
// and "tok-host-shared", the team "fleet" and its schedule 900 with u02 on call.
nlohmann::json fleet_seed(std::vector<FleetUser>& users, std::string& owner_token, int count, int hosts,
                          std::map<std::string, std::string>& host_tokens) {
  owner_token = random_hex(64);
  const std::string host_user = "5e8edb1f7e6f7d0001a10009";
  nlohmann::json seed = {
      {"signing_key", "squadcast-emulator-hs256-key-not-a-real-secret"},
      {"access_token_lifetime", 172800},
      {"organizations", {{{"id", org}, {"name", "Acme Operations"}}}},
      {"users", {{{"id", "5e8edb1f7e6f7d0001a10001"}, {"organization_id", org}, {"email", "olivia@acme.test"},
                  {"first_name", "Olivia"}, {"last_name", "Owner"}, {"role", "account_owner"},
                  {"abilities", {"manage-api-tokens"}}},
                 {{"id", host_user}, {"organization_id", org}, {"email", "fleet-host@acme.test"},
                  {"first_name", "Fleet"}, {"last_name", "Host"}, {"role", "user"},
                  {"abilities", nlohmann::json::array()}}}},
      {"refresh_tokens", {{{"id", "tok-owner"}, {"user_id", "5e8edb1f7e6f7d0001a10001"}, {"token", owner_token}}}}};
  nlohmann::json members = nlohmann::json::array();
  for (int i = 1; i <= count; ++i) {
    char name[16], id[48];
    std::snprintf(name, sizeof name, "u%02d", i);
    std::snprintf(id, sizeof id, "5e8edb1f7e6f7d0001b1%04d", i);
    FleetUser user{name, std::string(name) + "@acme.test", std::string("tok-") + name, random_hex(64)};
    seed["users"].push_back({{"id", id}, {"organization_id", org}, {"email", user.email}, {"first_name", name},
                             {"last_name", "Fleet"}, {"role", "user"}, {"abilities", nlohmann::json::array()}});
    seed["refresh_tokens"].push_back({{"id", user.token_id}, {"user_id", id}, {"token", user.token}});
    members.push_back(id);
    users.push_back(std::move(user));
  }
  for (int host = 0; host <= hosts; ++host) {
    const std::string id = host < hosts ? "tok-" + World::service_of(host) : "tok-host-shared";
    host_tokens[id] = random_hex(64);
    seed["refresh_tokens"].push_back({{"id", id}, {"user_id", host_user}, {"token", host_tokens[id]}});
  }
  const std::string team = "5e8edb1f7e6f7d0001b29001";
  seed["teams_and_oncall"] = {
      {"teams", {{{"id", team}, {"name", "Fleet"}, {"slug", "fleet"}, {"organization_id", org}, {"members", members}}}},
      {"squads", nlohmann::json::array()},
      {"schedules", {{{"id", 900}, {"name", "Fleet primary"}, {"team_id", team},
                      {"on_call", {{{"type", "user"}, {"id", members.size() > 1 ? members[1] : members[0]}}}}}}}};
  return seed;
}

}  // namespace

std::string World::service_of(int host, const std::string& kind) {
  char name[16];
  std::snprintf(name, sizeof name, "h%04d", host);
  return name + kind;
}

void ensure_nss_wrapper(int argc, char** argv, const std::string& work_dir, int users) {
  if (std::getenv("NSS_WRAPPER_PASSWD") != nullptr) return;
  std::filesystem::create_directories(work_dir);
  std::string passwd, group;
  const std::string ids = std::to_string(::getuid()) + ":" + std::to_string(::getgid());
  for (int i = 1; i <= users; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "u%02d", i);
    passwd += std::string(name) + ":x:" + ids + "::/nonexistent:/bin/sh\n";
  }
  group = "fleet:x:" + std::to_string(::getgid()) + ":\n";
  write_file(work_dir + "/passwd", passwd, 0644);
  write_file(work_dir + "/group", group, 0644);
  ::setenv("LD_PRELOAD", "libnss_wrapper.so", 1);
  ::setenv("NSS_WRAPPER_PASSWD", (work_dir + "/passwd").c_str(), 1);
  ::setenv("NSS_WRAPPER_GROUP", (work_dir + "/group").c_str(), 1);
  std::vector<char*> args(argv, argv + argc);
  args.push_back(nullptr);
  ::execv("/proc/self/exe", args.data());
  throw std::runtime_error(std::string("cannot re-execute under nss_wrapper: ") + std::strerror(errno));
}

World::World(WorldOptions options) : options_(std::move(options)) {
  namespace fs = std::filesystem;
  fs::create_directories(options_.work_dir);
  ::chmod(options_.work_dir.c_str(), 0700);
  const std::string state = options_.work_dir + "/emulator";
  fs::remove_all(state);
  std::map<std::string, std::string> host_tokens;
  write_file(options_.work_dir + "/seed.json",
             fleet_seed(users_, owner_token_, options_.users, options_.hosts, host_tokens).dump(1));
  fs::create_directories(options_.work_dir + "/host-tokens");
  for (const auto& [id, token] : host_tokens) write_file(options_.work_dir + "/host-tokens/" + id, token + "\n");

  int in_pipe[2], out_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0 || ::pipe2(out_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_addopen(&actions, 2, (options_.work_dir + "/emulator.log").c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<std::string> argv = {options_.emulator, "--seed", options_.work_dir + "/seed.json", "--state-dir",
                                   state, "--exit-on-stdin-eof"};
  std::vector<char*> args;
  for (auto& arg : argv) args.push_back(arg.data());
  args.push_back(nullptr);
  int rc = ::posix_spawn(&emulator_pid_, options_.emulator.c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  if (rc != 0) throw std::runtime_error("cannot start " + options_.emulator);
  emulator_stdin_ = in_pipe[1];
  std::string line;
  char c;
  while (::read(out_pipe[0], &c, 1) == 1 && c != '\n') line += c;
  ::close(out_pipe[0]);
  const std::string prefix = "SQUADCAST_EMULATOR_URL=";
  if (line.rfind(prefix, 0) != 0) throw std::runtime_error("the emulator did not start; see emulator.log");
  url_ = line.substr(prefix.size());
  ca_ = state + "/ca.pem";

  std::string output;
  fs::create_directories(options_.work_dir + "/owner");
  if (run_helper({"login", "--stdin"}, owner_token_ + "\n", output) != 0) {
    throw std::runtime_error("the owner cannot log in: " + output);
  }
  configure_hosts(options_.cache_ttl, options_.roster_ttl);
}

World::~World() {
  if (emulator_stdin_ >= 0) ::close(emulator_stdin_);
  if (emulator_pid_ > 0) {
    ::kill(emulator_pid_, SIGTERM);
    ::waitpid(emulator_pid_, nullptr, 0);
  }
}

void World::configure_hosts(int cache_ttl, int roster_ttl) {
  namespace fs = std::filesystem;
  const std::string caches = options_.work_dir + "/caches";
  fs::remove_all(caches);
  fs::create_directories(caches);
  ::chmod(caches.c_str(), 0700);
  fs::create_directories(confdir());
  const std::string where = " org_id=" + org + " auth_url=" + url_ + " api_url=" + url_ + " ca_file=" + ca_ +
                            " timeout=" + std::to_string(options_.timeout);
  const std::string token_mode = "auth required " + options_.module + where +
                                 " min_role=user user_map=email_localpart cache_ttl=" + std::to_string(cache_ttl);
  const std::string directory = "account required " + options_.module + where +
                                " token_source=host user_map=email_localpart email_domain=acme.test roster_ttl=" +
                                std::to_string(roster_ttl);
  const std::string tokens = options_.work_dir + "/host-tokens/";
  for (int host = 0; host < options_.hosts; ++host) {
    const std::string h = service_of(host), own = " host_token=" + tokens + "tok-" + h;
    write_file(confdir() + "/" + h, token_mode + " cache_dir=" + caches + "/" + h + "\n");
    write_file(confdir() + "/" + h + "-d", directory + own + " require_team=fleet cache_dir=" + caches + "/" + h + "-d\n");
    write_file(confdir() + "/" + h + "-o", directory + own + " require_oncall=fleet cache_dir=" + caches + "/" + h + "-d\n");
    write_file(confdir() + "/" + h + "-s", directory + " host_token=" + tokens +
                                               "tok-host-shared require_team=fleet cache_dir=" + caches + "/" + h + "-s\n");
  }
  write_file(confdir() + "/other", "auth required pam_deny.so\naccount required pam_deny.so\n");
}

std::string World::control(const std::string& method, const std::string& path, const std::string& body) {
  squadcast::HttpOptions http;
  http.ca_file = ca_;
  http.max_attempts = 1;
  auto response = squadcast::http_send(method, url_ + path, {}, body, http);
  if (!response || response.value().status != 200) throw std::runtime_error("emulator control " + path + " failed");
  return response.value().body;
}

void World::reset_emulator() {
  control("POST", "/_control/reset", "{}");
  control("POST", "/_control/oncall/reset", "{}");
}
std::map<std::string, long> World::token_counters() {
  return nlohmann::json::parse(control("GET", "/_control/token_counters")).get<std::map<std::string, long>>();
}
void World::set_rate_limit(long per_minute) {
  control("POST", "/_control/rate_limit", nlohmann::json{{"per_minute", per_minute}}.dump());
}
long World::counter(const std::string& group) {
  return nlohmann::json::parse(control("GET", "/_control/counters")).at(group).get<long>();
}
long World::rate_limited_answers() {
  return nlohmann::json::parse(control("POST", "/_control/rate_limit", "{}")).at("refused").get<long>();
}

int World::run_helper(const std::vector<std::string>& args, const std::string& input, std::string& output) {
  const std::string home = options_.work_dir + "/owner";
  const std::string out_path = home + "/helper.out";
  std::vector<std::string> env = {"HOME=" + home, "XDG_CONFIG_HOME=" + home + "/.config",
                                  "XDG_CACHE_HOME=" + home + "/.cache", "PATH=/usr/bin:/bin",
                                  "SQUADCAST_AUTH_URL=" + url_, "SQUADCAST_API_URL=" + url_,
                                  "SQUADCAST_CA_FILE=" + ca_, "SQUADCAST_CREDENTIAL_BACKEND=file"};
  std::vector<char*> envp;
  for (auto& line : env) envp.push_back(line.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv = {options_.helper};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> argp;
  for (auto& arg : argv) argp.push_back(arg.data());
  argp.push_back(nullptr);
  int in_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0) return -1;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, options_.helper.c_str(), &actions, nullptr, argp.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(in_pipe[0]);
  if (rc == 0 && !input.empty()) {
    [[maybe_unused]] ssize_t n = ::write(in_pipe[1], input.data(), input.size());
  }
  ::close(in_pipe[1]);
  if (rc != 0) return -1;
  int status = 0;
  ::waitpid(pid, &status, 0);
  output = read_file(out_path);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

namespace {
int converse(int n, const pam_message** msg, pam_response** resp, void* data) {
  const auto* token = static_cast<const std::string*>(data);
  auto* out = static_cast<pam_response*>(std::calloc(static_cast<size_t>(n), sizeof(pam_response)));
  if (out == nullptr) return PAM_BUF_ERR;
  for (int i = 0; i < n; ++i) {
    if (msg[i]->msg_style == PAM_PROMPT_ECHO_OFF || msg[i]->msg_style == PAM_PROMPT_ECHO_ON)
      out[i].resp = ::strdup(token->c_str());
  }
  *resp = out;
  return PAM_SUCCESS;
}
}  // namespace

int login_here(const std::string& confdir, const std::string& service, const FleetUser& user) {
  pam_conv conv{converse, const_cast<std::string*>(&user.token)};
  pam_handle_t* pamh = nullptr;
  int rc = pam_start_confdir(service.c_str(), user.name.c_str(), &conv, confdir.c_str(), &pamh);
  if (rc != PAM_SUCCESS) return rc;
  const bool directory = service.find('-') != std::string::npos;
  rc = directory ? pam_acct_mgmt(pamh, PAM_SILENT) : pam_authenticate(pamh, PAM_SILENT);
  pam_end(pamh, rc);
  return rc;
}

int login(const std::string& confdir, const std::string& service, const FleetUser& user) {
  const pid_t child = ::fork();
  if (child < 0) return PAM_SYSTEM_ERR;
  if (child == 0) ::_exit(login_here(confdir, service, user));
  int status = 0;
  while (::waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) return PAM_SYSTEM_ERR;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : PAM_SYSTEM_ERR;
}

int World::owner_revokes(const std::string& email, std::string& output) {
  return run_helper({"tokens", "revoke", "--user", email, "--yes"}, "", output);
}

bool set_world_option(WorldOptions& world, const std::string& key, const std::string& value) {
  if (key == "--emulator") world.emulator = value;
  else if (key == "--module") world.module = value;
  else if (key == "--helper") world.helper = value;
  else if (key == "--work") world.work_dir = value;
  else if (key == "--hosts") world.hosts = std::stoi(value);
  else if (key == "--users") world.users = std::stoi(value);
  else if (key == "--cache-ttl") world.cache_ttl = std::stoi(value);
  else if (key == "--timeout") world.timeout = std::stoi(value);
  else if (key == "--roster-ttl") world.roster_ttl = std::stoi(value);
  else return false;
  return true;
}

}  // namespace fleet
