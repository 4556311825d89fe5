// The commands people and scripts type: login, logout, token, status (and exec, in its own file).
#pragma once

#include <istream>
#include <ostream>
#include <string_view>

#include "account.hpp"
#include "command_line.hpp"

namespace squadcast::helper {

// The action table of this face; returns the exit code (see error_reporting.hpp).
int run_people_command(const CommandLine& command, Account& account, std::istream& in, std::ostream& out,
                       std::ostream& err);

bool is_people_command(std::string_view action);

// 1587412870 -> "2020-04-20T20:01:10Z"
std::string format_utc(std::int64_t unix_seconds);

}  // namespace squadcast::helper
