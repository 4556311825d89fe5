#include "emulator_fixture.hpp"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <thread>
#include <vector>

extern char** environ;

namespace squadcast::test {
namespace {

using Clock = std::chrono::steady_clock;

std::runtime_error failure(const std::string& what) {
  return std::runtime_error("squadcast emulator fixture: " + what);
}

std::string make_state_dir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/squadcast-emu-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) throw failure("mkdtemp: " + std::string(std::strerror(errno)));
  return buf.data();
}

// Reads the "SQUADCAST_EMULATOR_URL=..." line, giving up at the deadline or on EOF.
std::string read_url_line(int fd, Clock::time_point deadline) {
  static const std::string kPrefix = "SQUADCAST_EMULATOR_URL=";
  std::string got;
  for (;;) {
    if (const auto nl = got.find('\n'); nl != std::string::npos) {
      const std::string line = got.substr(0, nl);
      if (line.rfind(kPrefix, 0) != 0) throw failure("unexpected first line from emulator");
      return line.substr(kPrefix.size());
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) throw failure("emulator did not report its URL within 10 s");
    pollfd p{fd, POLLIN, 0};
    const int r = poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) continue;
    char buf[256];
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw failure("emulator exited before reporting its URL (see its stderr)");
    got.append(buf, static_cast<std::size_t>(n));
  }
}

bool wait_for_exit(pid_t pid, std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  for (;;) {
    int status = 0;
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid || (r < 0 && errno == ECHILD)) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

Emulator::Emulator() : Emulator(Options{}) {}

Emulator::Emulator(Options options) : options_(options), state_dir_(make_state_dir()) {
  int in_pipe[2] = {-1, -1};
  int out_pipe[2] = {-1, -1};
  // CLOEXEC so no other child we (or the test) spawn inherits these ends.
  if (pipe2(in_pipe, O_CLOEXEC) != 0 || pipe2(out_pipe, O_CLOEXEC) != 0) {
    std::filesystem::remove_all(state_dir_);
    throw failure("pipe2 failed");
  }

  std::vector<std::string> args = {SQUADCAST_EMULATOR_PATH, "--seed", SQUADCAST_EMULATOR_SEED,
                                   "--state-dir", state_dir_, "--exit-on-stdin-eof"};
  if (options_.plain_http) args.emplace_back("--plain-http");
  if (options_.expired_cert) args.emplace_back("--expired-cert");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_pipe[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  // stderr is inherited: the emulator's request log shows up in the test output.
  // The emulator is a server, not the code under test: keep the test's preloaded
  // pam_wrapper/nss_wrapper out of it.
  std::vector<char*> env;
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, "LD_PRELOAD=", 11) != 0) env.push_back(*e);
  }
  env.push_back(nullptr);
  const int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  close(in_pipe[0]);
  close(out_pipe[1]);
  stdin_fd_ = in_pipe[1];
  if (rc != 0) {
    pid_ = -1;
    close(out_pipe[0]);
    stop();
    std::filesystem::remove_all(state_dir_);
    throw failure("cannot start " + std::string(SQUADCAST_EMULATOR_PATH) + ": " + std::strerror(rc));
  }

  try {
    url_ = read_url_line(out_pipe[0], Clock::now() + std::chrono::seconds(10));
  } catch (...) {
    close(out_pipe[0]);
    stop();
    std::filesystem::remove_all(state_dir_);
    throw;
  }
  // The emulator prints nothing more on stdout (it ignores SIGPIPE anyway).
  close(out_pipe[0]);
}

Emulator::~Emulator() {
  stop();
  std::error_code ignored;
  std::filesystem::remove_all(state_dir_, ignored);
}

void Emulator::stop() {
  if (stdin_fd_ >= 0) {
    close(stdin_fd_);  // --exit-on-stdin-eof: this alone stops it
    stdin_fd_ = -1;
  }
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  if (!wait_for_exit(pid_, std::chrono::seconds(5))) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  pid_ = -1;
}

std::string Emulator::control(const std::string& method, const std::string& path,
                              const std::string& json_body) {
  if (pid_ <= 0) throw failure("emulator is stopped");
  httplib::Client client(url_);
  client.set_connection_timeout(5);
  client.set_read_timeout(10);
  if (!options_.plain_http) {
    client.set_ca_cert_path(ca_file());
    // With an expired server certificate on purpose, verification would refuse the
    // control channel too; only tests' clients must see the expiry.
    client.enable_server_certificate_verification(!options_.expired_cert);
  }
  const auto res = method == "GET" ? client.Get(path)
                                   : client.Post(path, json_body, "application/json");
  if (!res) throw failure(method + " " + path + ": " + httplib::to_string(res.error()));
  if (res->status != 200) {
    throw failure(method + " " + path + ": HTTP " + std::to_string(res->status));
  }
  return res->body;
}

std::string Emulator::refresh_token(const std::string& token_id) {
  const std::string path = httplib::append_query_params("/_control/token", {{"token_id", token_id}});
  return nlohmann::json::parse(control("GET", path)).at("token").get<std::string>();
}

void Emulator::revoke(const std::string& token_id) {
  control("POST", "/_control/revoke", nlohmann::json{{"token_id", token_id}}.dump());
}

void Emulator::set_role(const std::string& email, const std::string& role) {
  control("POST", "/_control/role", nlohmann::json{{"user_email", email}, {"role", role}}.dump());
}

void Emulator::set_abilities(const std::string& email, const std::vector<std::string>& abilities) {
  control("POST", "/_control/abilities", nlohmann::json{{"user_email", email}, {"abilities", abilities}}.dump());
}

void Emulator::set_lifetime(long seconds) {
  control("POST", "/_control/lifetime", nlohmann::json{{"seconds", seconds}}.dump());
}

void Emulator::set_rotation(bool enabled) {
  control("POST", "/_control/rotation", nlohmann::json{{"enabled", enabled}}.dump());
}

void Emulator::set_clock_skew(long seconds) {
  control("POST", "/_control/clock", nlohmann::json{{"skew_seconds", seconds}}.dump());
}

void Emulator::fault(const std::string& endpoint, int count, const std::string& mode,
                     int status, const std::string& retry_after, int delay_ms) {
  nlohmann::json body = {{"endpoint", endpoint}, {"count", count}, {"mode", mode},
                         {"status", status},     {"delay_ms", delay_ms}};
  if (!retry_after.empty()) body["retry_after"] = retry_after;
  control("POST", "/_control/fault", body.dump());
}

void Emulator::fault_body(const std::string& endpoint, int count, const std::string& body) {
  nlohmann::json request = {{"endpoint", endpoint}, {"count", count}, {"mode", "body"}, {"body", body}};
  control("POST", "/_control/fault", request.dump());
}

long Emulator::set_rate_limit(const std::string& token_id, long per_minute) {
  nlohmann::json body = {{"per_minute", per_minute}};
  if (!token_id.empty()) body["token_id"] = token_id;
  return nlohmann::json::parse(control("POST", "/_control/rate_limit", body.dump())).at("refused").get<long>();
}

long Emulator::set_rate_limiting(bool enabled) {
  const std::string body = nlohmann::json{{"enabled", enabled}}.dump();
  return nlohmann::json::parse(control("POST", "/_control/rate_limit", body)).at("refused").get<long>();
}

long Emulator::counter(const std::string& group) {
  return nlohmann::json::parse(control("GET", "/_control/counters")).at(group).get<long>();
}

std::map<std::string, long> Emulator::token_counters() {
  return nlohmann::json::parse(control("GET", "/_control/token_counters")).get<std::map<std::string, long>>();
}

void Emulator::delete_user(const std::string& email) {
  control("POST", "/_control/user/delete", nlohmann::json{{"user_email", email}}.dump());
}

void Emulator::graphql_error(int count, const std::string& message, const std::string& mode) {
  const nlohmann::json body = {{"count", count}, {"message", message}, {"mode", mode}};
  control("POST", "/_control/graphql_error", body.dump());
}

void Emulator::reset() { control("POST", "/_control/reset", "{}"); }

}  // namespace squadcast::test
