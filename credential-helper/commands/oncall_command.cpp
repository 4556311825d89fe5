#include "commands/oncall_command.hpp"

#include <nlohmann/json.hpp>

#include "account_teams.hpp"
#include "error_reporting.hpp"

namespace squadcast::helper {
namespace {

struct TeamDuty {
  Team team;
  std::vector<Schedule> on_call;  // running schedules only
};

void print_text(std::ostream& out, const std::vector<TeamDuty>& duties) {
  if (duties.empty()) out << "You are in no team.\n";
  for (const auto& duty : duties) {
    const std::string label = duty.team.slug.empty() ? duty.team.name : duty.team.slug;
    if (duty.on_call.empty()) {
      out << label << ": not on call\n";
      continue;
    }
    out << label << ": on call:";
    for (std::size_t i = 0; i < duty.on_call.size(); ++i) {
      out << (i ? ", " : " ") << duty.on_call[i].name << " (" << duty.on_call[i].id << ")";
    }
    out << '\n';
  }
}

void print_json(std::ostream& out, const std::vector<TeamDuty>& duties) {
  nlohmann::json teams = nlohmann::json::array();
  for (const auto& duty : duties) {
    nlohmann::json schedules = nlohmann::json::array();
    for (const auto& s : duty.on_call) schedules.push_back({{"id", s.id}, {"name", s.name}});
    teams.push_back({{"id", duty.team.id}, {"name", duty.team.name}, {"slug", duty.team.slug},
                     {"on_call", !duty.on_call.empty()}, {"schedules", schedules}});
  }
  out << nlohmann::json{{"teams", teams}}.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

}  // namespace

int run_oncall(const CommandLine& command, Account& account, std::istream&, std::ostream& out, std::ostream& err) {
  auto fail = [&](const Error& error) {
    report_error(err, error);
    return exit_code_for(error.kind);
  };
  auto api = api_client_of(account);
  if (!api) return fail(api.error());
  auto grant = account.access_token();
  if (!grant) return fail(grant.error());
  HttpOptions http = api.value().http;  // every request of the command shares one deadline
  http.not_after = std::chrono::steady_clock::now() + http.deadline;
  HttpConnection connection;
  const auto& endpoints = api.value().endpoints;
  const Secret& token = grant.value().access_token;

  std::vector<Team> all;
  const std::string wanted = command.team.value_or("");
  if (wanted.empty() || !is_team_id(wanted)) {
    auto listed = fetch_teams(endpoints, token, http, &connection);
    if (!listed) return fail(listed.error());
    all = std::move(listed).value();
  }
  auto teams = chosen_teams(all, wanted, grant.value().identity.user_id);
  if (!teams) return fail(teams.error());

  std::vector<TeamDuty> duties;
  for (const auto& team : teams.value()) {
    auto schedules = fetch_my_oncall_schedules(endpoints, token, team.id, http, &connection);
    if (!schedules) return fail(schedules.error());
    TeamDuty duty{team, {}};
    for (const auto& s : schedules.value()) {
      if (!s.paused && (s.team_id.empty() || s.team_id == team.id)) duty.on_call.push_back(s);
    }
    duties.push_back(std::move(duty));
  }
  if (command.json) print_json(out, duties);
  else print_text(out, duties);
  out.flush();
  return exit_ok;
}

}  // namespace squadcast::helper
