// git's credential helper protocol: key=value lines up to a blank line, in and out.
// https://git-scm.com/docs/git-credential
#pragma once

#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "account.hpp"

namespace squadcast::helper {

struct GitCredentialRequest {
  std::string protocol;
  std::string host;  // "name" or "name:port"
  std::string path;
  std::string username;
  std::optional<Secret> password;
  std::optional<Secret> credential;  // authtype credential (git 2.46+)
  std::vector<std::string> capabilities;
  bool has(std::string_view capability) const;
};

// Unknown keys are ignored, as git requires; `url=` fills protocol and host.
Result<GitCredentialRequest> read_git_request(std::istream& in);

// The action table of this face; returns the exit code.
int run_git_action(std::string_view action, Account& account, std::istream& in, std::ostream& out,
                   std::ostream& err);

}  // namespace squadcast::helper
