// `squadcast-credential oncall [--team TEAM] [--json]`: the schedules the caller is on call
// for right now, per team, so a responder can check before they ssh or sudo.
#pragma once

#include <istream>
#include <ostream>

#include "account.hpp"
#include "command_line.hpp"

namespace squadcast::helper {

int run_oncall(const CommandLine& command, Account& account, std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace squadcast::helper
