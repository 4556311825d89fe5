#include "command_table.hpp"

#include "commands/exec_command.hpp"
#include "commands/oncall_command.hpp"
#include "commands/people_commands.hpp"
#include "commands/tokens_command.hpp"
#include "error_reporting.hpp"

namespace squadcast::helper {

namespace {

using PeopleCommand = int (*)(const CommandLine&, Account&, std::istream&, std::ostream&, std::ostream&);

struct PeopleCommandEntry {
  std::string_view name;
  PeopleCommand run;
};

constexpr PeopleCommandEntry people_commands[] = {
    {"login", run_login},
    {"logout", run_logout},
    {"token", run_token},
    {"status", run_status},
    {"exec", run_exec_command},
    {"tokens", run_tokens_command},
    {"oncall", run_oncall},
};

}  // namespace

bool is_people_command(std::string_view action) {
  for (const PeopleCommandEntry& entry : people_commands) {
    if (entry.name == action) return true;
  }
  return false;
}

int run_people_command(const CommandLine& command, Account& account, std::istream& in, std::ostream& out,
                       std::ostream& err) {
  for (const PeopleCommandEntry& entry : people_commands) {
    if (entry.name == command.action) return entry.run(command, account, in, out, err);
  }
  report_line(err, "unknown command '" + command.action + "' (see --help)");
  return exit_usage;
}

}  // namespace squadcast::helper
