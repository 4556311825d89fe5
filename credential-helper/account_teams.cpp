#include "account_teams.hpp"

#include <algorithm>
#include <iterator>

namespace squadcast::helper {

namespace {
bool is_member(const Team& team, const std::string& user_id) {
  return std::find(team.member_ids.begin(), team.member_ids.end(), user_id) != team.member_ids.end();
}
}  // namespace

Result<std::vector<Team>> chosen_teams(const std::vector<Team>& all, const std::string& wanted, const std::string& user_id) {
  std::vector<Team> chosen;
  if (!wanted.empty()) {
    if (const Team* team = find_team(all, wanted)) return std::vector<Team>{*team};
    if (is_team_id(wanted)) return std::vector<Team>{Team{wanted, wanted, "", "", {}}};
    return Error{ErrorKind::config, "no team '" + wanted + "' among the teams Squadcast shows you"};
  }
  std::copy_if(all.begin(), all.end(), std::back_inserter(chosen), [&](const Team& t) { return is_member(t, user_id); });
  return chosen;
}

Result<std::vector<Team>> teams_of(const Account& account, const AccessGrant& grant) {
  auto api = api_client_of(account);
  if (!api) return api.error();
  auto all = fetch_teams(api.value().endpoints, grant.access_token, api.value().http);
  if (!all) return all.error();
  return chosen_teams(all.value(), "", grant.identity.user_id);
}

}  // namespace squadcast::helper
