// The commands people and scripts type: login, logout, token, status. The other commands
// (exec, tokens, oncall, doctor) have files of their own; command_table.cpp maps names to
// all of them, so no command needs to know another.
#pragma once

#include <istream>
#include <ostream>

#include "account.hpp"
#include "command_line.hpp"

namespace squadcast::helper {

// Each returns the exit code (see error_reporting.hpp).
int run_login(const CommandLine& command, Account& account, std::istream& in, std::ostream& out, std::ostream& err);
int run_logout(const CommandLine& command, Account& account, std::istream& in, std::ostream& out, std::ostream& err);
int run_token(const CommandLine& command, Account& account, std::istream& in, std::ostream& out, std::ostream& err);
int run_status(const CommandLine& command, Account& account, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace squadcast::helper
