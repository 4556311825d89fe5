// The command line: which face (by program name or first argument), which action, and
// the few options. There is deliberately no option that takes a token.
#pragma once

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
  std::string team;         // oncall --team
  bool help = false;
  bool version = false;
};

Result<CommandLine> parse_command_line(std::string_view argv0, const std::vector<std::string>& args);

std::string usage_text();

}  // namespace squadcast::helper
