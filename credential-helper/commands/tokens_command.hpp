// `squadcast-credential tokens list|assign|revoke`: the account owner's token
// administration. Token values are never printed, except the one `assign --print`.
#pragma once

#include <cstdint>
#include <istream>
#include <ostream>
#include <string>

#include "account.hpp"
#include "command_line.hpp"

namespace squadcast::helper {

int run_tokens_command(const CommandLine& command, Account& account, std::istream& in, std::ostream& out,
                       std::ostream& err);

// "just now", "5 minutes ago", "3 days ago", "never" (0).
std::string describe_age(std::int64_t then, std::int64_t now);

}  // namespace squadcast::helper
