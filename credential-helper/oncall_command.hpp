// `squadcast-credential oncall [--team TEAM] [--json]`: the schedules the caller is on call
// for right now, per team, so a responder can check before they ssh or sudo; and the
// caller's teams, for `status`.
#pragma once

#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "account.hpp"
#include "command_line.hpp"
#include "squadcast/result.hpp"
#include "squadcast/teams.hpp"

namespace squadcast::helper {

int run_oncall(const CommandLine& command, Account& account, std::istream& in, std::ostream& out, std::ostream& err);

// The teams the grant's user is a member of (from GET /v3/teams).
Result<std::vector<Team>> teams_of(const Account& account, const AccessGrant& grant);

}  // namespace squadcast::helper
