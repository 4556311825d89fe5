// Runs a program (the helper, git, skopeo) with an exact environment, input on a stdin
// pipe (tokens never go in argv) and stdout/stderr captured.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace squadcast::helper::test {

struct Finished {
  int code = -1;  // exit status, or 128 + signal
  int signal = 0;  // the signal that ended it, 0 when it exited
  std::string out;
  std::string err;
};

class Running {
 public:
  Running(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
          const std::string& input, const std::string& scratch_dir);
  Running(Running&& other) noexcept;
  Running(const Running&) = delete;
  Running& operator=(const Running&) = delete;
  ~Running();
  Finished wait();

 private:
  pid_t pid_ = -1;
  std::string out_path_, err_path_;
};

Finished run(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
             const std::string& input, const std::string& scratch_dir);

// The full path of a program found on the test's own PATH, or "" when it is missing.
std::string find_program(const std::string& name);

}  // namespace squadcast::helper::test
