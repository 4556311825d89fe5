// squadcast-credential exec: become a command (execvp in place: no parent lingers, the
// command's signals and exit status are its own) whose environment carries the profile's
// tokens, for tools that read them from variables instead of asking a helper.
#pragma once

#include <cstdint>
#include <istream>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "account.hpp"
#include "command_line.hpp"
#include "squadcast/result.hpp"
#include "squadcast/secret.hpp"

namespace squadcast::helper {

inline constexpr std::int64_t default_min_ttl_seconds = 15 * 60;
inline constexpr std::int64_t max_min_ttl_seconds = 24 * 60 * 60;

// Every variable exec sets; inherited values of all of them are dropped first, so a
// stale token from an outer shell never reaches the command.
inline constexpr std::string_view exec_variables[] = {
    "SQUADCAST_REFRESH_TOKEN",   // Terraform provider, terraformer, the migrator
    "SQUADCAST_REFRESHTOKEN",    // the Pulumi provider
    "SQUADCASTSDK_BEARER_AUTH",  // the Go SDK: an access token
    "SQUADCAST_REGION",          // only for a named region
    "SQUADCAST_PROFILE",         // nested squadcast-credential calls use the same profile
};

// "900", "900s", "15m", "1h", "1h30m" -> seconds, at most max_min_ttl_seconds.
Result<std::int64_t> parse_duration(std::string_view text);

struct ExecVariables {
  std::string profile;
  std::string region;                     // empty: SQUADCAST_REGION stays unset
  const Secret* access_token = nullptr;   // required
  const Secret* refresh_token = nullptr;  // null with --access-token-only
};

// The command's environment as "NAME=value" lines; the lines are wiped when it dies
// (exec only returns, and so only destroys it, when the command could not be started).
class ChildEnvironment {
 public:
  ChildEnvironment(const std::vector<std::string_view>& inherited, const ExecVariables& variables);
  ChildEnvironment(const ChildEnvironment&) = delete;
  ChildEnvironment& operator=(const ChildEnvironment&) = delete;
  ~ChildEnvironment();

  const std::vector<std::string>& lines() const { return lines_; }
  std::vector<char*> envp();  // null-terminated, pointing into lines()

 private:
  void add(std::string_view name, std::string_view value);
  std::vector<std::string> lines_;
};

// A people command (in command_table.cpp): returns only when the command could not
// be started, with token's exit codes, 127 (not found) or 126 (not runnable).
int run_exec_command(const CommandLine& command, Account& account, std::istream& in, std::ostream& out,
                     std::ostream& err);

}  // namespace squadcast::helper
