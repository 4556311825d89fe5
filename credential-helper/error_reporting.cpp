#include "error_reporting.hpp"

#include <string>

namespace squadcast::helper {

ExitCode exit_code_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::not_found:
      return exit_not_logged_in;
    case ErrorKind::revoked:
    case ErrorKind::refused:
      return exit_revoked;
    case ErrorKind::forbidden:
      return exit_not_allowed;
    case ErrorKind::rate_limited:
    case ErrorKind::server_error:
    case ErrorKind::bad_response:
    case ErrorKind::too_large:
      return exit_unreachable;
    default:
      return is_unreachable(kind) ? exit_unreachable : exit_usage;
  }
}

void report_line(std::ostream& err, std::string_view message) {
  std::string line(message);
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  err << program_name << ": " << line << '\n' << std::flush;
}

void report_error(std::ostream& err, const Error& error) { report_line(err, error.message); }

}  // namespace squadcast::helper
