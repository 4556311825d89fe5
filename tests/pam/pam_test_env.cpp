#include "pam_test_env.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "squadcast/file_store.hpp"

namespace fs = std::filesystem;

namespace squadcast::test {
namespace {

std::string env_or_throw(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') throw std::runtime_error(std::string(name) + " is not set");
  return value;
}

void write_text(const std::string& path, const std::string& text, mode_t mode) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.close();
  ::chmod(path.c_str(), mode);
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) s.replace(pos, from.size(), to);
  return s;
}

}  // namespace

std::string module_path() { return PAM_SQUADCAST_MODULE; }

bool PamTestEnv::is_root() { return ::geteuid() == 0; }

PamTestEnv::PamTestEnv() {
  std::string pattern = "/tmp/squadcast-pam-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  root_ = pattern;
  ::chmod(root_.c_str(), 0755);  // the users' fs identity must be able to reach their homes

  // Root: real distinct uids; otherwise everyone is us and the owner cases skip.
  uid_t base = is_root() ? 20001 : ::getuid();
  auto uid = [&](uid_t offset) { return is_root() ? base + offset : base; };
  users_ = {{"alice", uid(0)}, {"bob", uid(1)}, {"olivia", uid(2)}, {"eve", uid(3)}, {"mallory", uid(4)},
            {"sam", uid(5)}};

  std::string passwd, group;
  for (const auto& u : users_) {
    fs::create_directories(home(u.name) + "/.config/squadcast");
    passwd += u.name + ":x:" + std::to_string(u.uid) + ":" + std::to_string(u.uid) + ":" + u.name + ":" + home(u.name) +
              ":/bin/sh\n";
    group += u.name + ":x:" + std::to_string(u.uid) + ":\n";
    if (is_root()) {
      for (auto p : {home(u.name), home(u.name) + "/.config", home(u.name) + "/.config/squadcast"}) {
        if (::chown(p.c_str(), u.uid, u.uid) != 0) throw std::runtime_error("chown " + p);
        ::chmod(p.c_str(), 0700);
      }
    }
  }
  fs::create_directories(root_ + "/home");
  ::chmod((root_ + "/home").c_str(), 0755);
  write_text(env_or_throw("NSS_WRAPPER_PASSWD"), passwd, 0644);
  write_text(env_or_throw("NSS_WRAPPER_GROUP"), group, 0644);
  fs::create_directories(env_or_throw("PAM_WRAPPER_SERVICE_DIR"));
}

PamTestEnv::~PamTestEnv() {
  std::error_code ignored;
  fs::remove_all(root_, ignored);
}

uid_t PamTestEnv::uid_of(const std::string& user) const {
  for (const auto& u : users_) {
    if (u.name == user) return u.uid;
  }
  throw std::runtime_error("no test user " + user);
}

std::string PamTestEnv::service(const std::string& name, const std::vector<std::string>& lines,
                                const std::string& args) {
  std::string text;
  for (const auto& line : lines) {
    text += replace_all(replace_all(line, "@MODULE@", module_path()), "@ARGS@", args) + "\n";
  }
  write_text(env_or_throw("PAM_WRAPPER_SERVICE_DIR") + "/" + name, text, 0644);
  return name;
}

void PamTestEnv::write_user_store(const std::string& user, const std::string& refresh_token) {
  CredentialsByProfile credentials;
  credentials["default"] = StoredCredential{Secret(refresh_token), user + "@acme.test", "", 0};
  auto path = home(user) + "/.config/squadcast/credentials";
  ::unlink(path.c_str());
  write_text(path, std::string(serialize_credentials_file(credentials).reveal()), 0600);
  if (is_root() && ::chown(path.c_str(), uid_of(user), uid_of(user)) != 0) throw std::runtime_error("chown store");
}

namespace {

PamRun run(const std::string& service, const std::string& user, const std::vector<std::string>& answers,
           bool with_auth, bool with_account) {
  std::vector<const char*> echo_off;
  for (const auto& a : answers) echo_off.push_back(a.c_str());
  echo_off.push_back(nullptr);
  pamtest_conv_data conv{};
  conv.in_echo_off = echo_off.data();
  std::vector<std::vector<char>> told(4, std::vector<char>(PAM_MAX_MSG_SIZE, '\0'));
  std::vector<char*> told_slots;
  for (auto& slot : told) told_slots.push_back(slot.data());
  told_slots.push_back(nullptr);
  conv.out_err = told_slots.data();

  std::vector<pam_testcase> cases;
  if (with_auth) cases.push_back(pam_testcase(pam_test(PAMTEST_AUTHENTICATE, PAM_SUCCESS)));
  if (with_account) cases.push_back(pam_testcase(pam_test(PAMTEST_ACCOUNT, PAM_SUCCESS)));
  // A failing case stops the run; compare op_rv ourselves, so expect what each returns.
  PamRun result{-1, -1, {}};
  auto err = _pamtest(service.c_str(), user.c_str(), &conv, cases.data(), cases.size(), nullptr);
  std::string messages;
  for (const auto& slot : told) {
    if (slot[0] != '\0') messages += std::string(slot.data()) + "\n";
  }
  std::snprintf(result.told, sizeof result.told, "%s", messages.c_str());
  if (err != PAMTEST_ERR_OK && err != PAMTEST_ERR_CASE) throw std::runtime_error(pamtest_strerror(err));
  std::size_t i = 0;
  if (with_auth) result.auth = cases[i++].op_rv;
  if (with_account && (!with_auth || result.auth == PAM_SUCCESS)) result.account = cases[i].op_rv;
  return result;
}

}  // namespace

// pam_wrapper copies the service directory on its first pam_start in a process, so each
// run gets a fresh child that sees the service files written so far.
PamRun run_in_child(const std::string& service, const std::string& user, const std::vector<std::string>& answers,
                    bool with_auth, bool with_account) {
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::close(fds[0]);
    PamRun result{-2, -2, {}};
    try {
      result = run(service, user, answers, with_auth, with_account);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "pam run failed: %s\n", e.what());
    }
    (void)!::write(fds[1], &result, sizeof result);
    std::fflush(stderr);
    ::_exit(0);
  }
  ::close(fds[1]);
  PamRun result{-3, -3, {}};
  if (::read(fds[0], &result, sizeof result) != static_cast<ssize_t>(sizeof result)) result = {-3, -3, {}};
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return result;
}

PamRun run_pam(const std::string& service, const std::string& user, const std::vector<std::string>& answers,
               bool with_account) {
  return run_in_child(service, user, answers, true, with_account);
}

int run_account_only(const std::string& service, const std::string& user) {
  return run_in_child(service, user, {}, false, true).account;
}

PamRun run_account_told(const std::string& service, const std::string& user) {
  return run_in_child(service, user, {}, false, true);
}

ModuleLogCapture::ModuleLogCapture() {
  ::setenv("PAM_WRAPPER_DEBUGLEVEL", "2", 1);
  std::string pattern = "/tmp/squadcast-pam-log-XXXXXX";
  int fd = ::mkstemp(pattern.data());
  if (fd < 0) throw std::runtime_error("mkstemp failed");
  path_ = pattern;
  std::fflush(stderr);
  saved_ = ::dup(2);
  ::dup2(fd, 2);
  ::close(fd);
}

ModuleLogCapture::~ModuleLogCapture() {
  if (saved_ >= 0) {
    std::fflush(stderr);
    ::dup2(saved_, 2);
    ::close(saved_);
  }
  ::unlink(path_.c_str());
  ::unsetenv("PAM_WRAPPER_DEBUGLEVEL");
}

std::string ModuleLogCapture::text() {
  std::fflush(stderr);
  std::ifstream in(path_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace squadcast::test
