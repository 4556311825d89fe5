// One test's world: a private HOME and XDG dirs, an emulator, and the helper on PATH.
// Every run checks that nothing secret reached stderr.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "emulator_fixture.hpp"
#include "helper_process.hpp"
#include "temp_dir.hpp"

namespace squadcast::helper::test {

class HelperSandbox {
 public:
  explicit HelperSandbox(squadcast::test::Emulator& emulator);

  squadcast::test::Emulator& emulator;
  squadcast::test::TempDir home;
  std::map<std::string, std::string> env;
  std::vector<std::string> secrets;  // must never appear on stderr

  std::string host() const;  // "127.0.0.1:PORT" of the emulator
  std::string credentials_file() const { return home / ".config/squadcast/credentials"; }
  std::string cache_dir() const { return home / ".cache/squadcast"; }
  // Cache entries (*.json) currently on disk.
  int cache_entries() const;

  // `squadcast-credential ARGS...` (or a face through its symlink name).
  Finished helper(const std::vector<std::string>& args, const std::string& input = "",
                  const std::string& program = "squadcast-credential");
  Running start_helper(const std::vector<std::string>& args, const std::string& input = "",
                       const std::string& program = "squadcast-credential");
  Finished program(const std::vector<std::string>& argv, const std::string& input = "");
  // Checks stderr and stdout rules common to every run.
  void check_no_secret_on_stderr(const Finished& finished) const;

  // login --stdin with a seeded token; remembers it as a secret.
  Finished login(const std::string& token_id);
};

}  // namespace squadcast::helper::test
