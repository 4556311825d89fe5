#include "helper_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace squadcast::helper::test {

namespace {
std::atomic<int> serial{0};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}
}  // namespace

Running::Running(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                 const std::string& input, const std::string& scratch_dir) {
  const std::string base = scratch_dir + "/run-" + std::to_string(::getpid()) + "-" + std::to_string(serial++);
  out_path_ = base + ".out";
  err_path_ = base + ".err";
  int stdin_pipe[2];
  if (::pipe2(stdin_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe: " + std::string(std::strerror(errno)));

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, stdin_pipe[0], 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);

  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_lines;
  for (const auto& [name, value] : env) env_lines.push_back(name + "=" + value);
  std::vector<char*> envp;
  for (std::string& line : env_lines) envp.push_back(line.data());
  envp.push_back(nullptr);

  int rc = ::posix_spawn(&pid_, argv.at(0).c_str(), &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(stdin_pipe[0]);
  if (rc != 0) {
    ::close(stdin_pipe[1]);
    throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
  }
  // A process that does not read its stdin must not kill the test with SIGPIPE.
  ::signal(SIGPIPE, SIG_IGN);
  std::size_t done = 0;
  while (done < input.size()) {
    ssize_t n = ::write(stdin_pipe[1], input.data() + done, input.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  ::close(stdin_pipe[1]);
}

Running::Running(Running&& other) noexcept
    : pid_(other.pid_), out_path_(std::move(other.out_path_)), err_path_(std::move(other.err_path_)) {
  other.pid_ = -1;
}

Running::~Running() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

Finished Running::wait() {
  Finished finished;
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  finished.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (WIFSIGNALED(status)) finished.signal = WTERMSIG(status);
  finished.out = slurp(out_path_);
  finished.err = slurp(err_path_);
  ::unlink(out_path_.c_str());
  ::unlink(err_path_.c_str());
  return finished;
}

Finished run(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
             const std::string& input, const std::string& scratch_dir) {
  return Running(argv, env, input, scratch_dir).wait();
}

std::string find_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

}  // namespace squadcast::helper::test
