// The people face's command table: which name runs which command (commands/). main.cpp
// dispatches through it; the commands never call one another.
#pragma once

#include <istream>
#include <ostream>
#include <string_view>

#include "account.hpp"
#include "command_line.hpp"

namespace squadcast::helper {

// Runs command.action; returns the exit code (see error_reporting.hpp).
int run_people_command(const CommandLine& command, Account& account, std::istream& in, std::ostream& out,
                       std::ostream& err);

// Whether `action` is in the table (doctor is not: it runs before the configuration loads).
bool is_people_command(std::string_view action);

}  // namespace squadcast::helper
