// The command line: which face (by program name or first argument), which action, and
// the few options. There is deliberately no option that takes a token.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "squadcast/config.hpp"
#include "squadcast/result.hpp"

namespace squadcast::helper {

enum class Face { people, git, docker, terraform };

const char* to_string(Face face);

// "git-credential-squadcast" -> git, ...; anything else -> people.
Face face_from_program_name(std::string_view argv0);

struct CommandLine {
  Face face = Face::people;
  std::string action;                 // empty: none given
  std::vector<std::string> operands;  // terraform's HOST
  ConfigOverrides overrides;
  bool read_stdin = false;  // login --stdin
  bool json = false;        // status --json, oncall --json
  // exec: the command (what follows "--"), --min-ttl DURATION, --access-token-only
  std::vector<std::string> child_command;
  std::optional<std::string> min_ttl;
  bool access_token_only = false;
  std::optional<std::string> user_email;   // tokens --user EMAIL
  std::optional<std::string> output_path;  // tokens assign --output FILE
  bool print = false;       // tokens assign --print
  bool yes = false;         // tokens revoke --yes
  std::optional<std::string> team;  // oncall --team
  bool help = false;
  bool version = false;
};

Result<CommandLine> parse_command_line(std::string_view argv0, const std::vector<std::string>& args);

std::string usage_text();

}  // namespace squadcast::helper
