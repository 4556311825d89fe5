// The account's user's teams: `status` lists them, `oncall` reports each one's duty.
#pragma once

#include <string>
#include <vector>

#include "account.hpp"
#include "squadcast/result.hpp"
#include "squadcast/teams.hpp"

namespace squadcast::helper {

// The teams to report on: `wanted` (id, slug or name; an unlisted id is taken as is), or
// when it is empty the teams `user_id` is a member of.
Result<std::vector<Team>> chosen_teams(const std::vector<Team>& all, const std::string& wanted,
                                       const std::string& user_id);

// The teams the grant's user is a member of (from GET /v3/teams).
Result<std::vector<Team>> teams_of(const Account& account, const AccessGrant& grant);

}  // namespace squadcast::helper
