// How errors reach people: one stderr line starting with the program name, and exit codes
// that scripts can branch on (documented in the README).
#pragma once

#include <ostream>

#include "squadcast/result.hpp"

namespace squadcast::helper {

inline constexpr const char* program_name = "squadcast-credential";

enum ExitCode {
  exit_ok = 0,
  exit_not_logged_in = 1,
  exit_revoked = 2,
  exit_unreachable = 3,
  exit_usage = 4,
  exit_not_allowed = 5,  // tokens: Squadcast answered 403
  exit_no_such_user = 6,  // tokens: the email is not a user of the organisation
};

ExitCode exit_code_for(ErrorKind kind);

// "squadcast-credential: <message>\n", newlines in the message folded to spaces.
void report_error(std::ostream& err, const Error& error);
void report_line(std::ostream& err, std::string_view message);

}  // namespace squadcast::helper
