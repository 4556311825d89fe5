#include "squadcast/teams.hpp"

#include <algorithm>
#include <chrono>

#include "json_input.hpp"
#include "squadcast/api_answer.hpp"

namespace squadcast {
namespace {

constexpr std::size_t max_name = 256;

// Names end up in log lines and terminal output: short, no control characters.
bool is_clean_name(const std::string& s) {
  return s.size() <= max_name &&
         std::none_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

}  // namespace

bool is_team_id(std::string_view ref) {
  return ref.size() == 24 &&
         std::all_of(ref.begin(), ref.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

const Team* find_team(const std::vector<Team>& teams, std::string_view ref) {
  for (auto field : {&Team::id, &Team::slug, &Team::name}) {
    auto it = std::find_if(teams.begin(), teams.end(), [&](const Team& t) { return !(t.*field).empty() && t.*field == ref; });
    if (it != teams.end()) return &*it;
  }
  return nullptr;
}

Result<std::vector<Team>> parse_teams_response(long status, std::string_view body) {
  auto data = answer_data(status, body, {"the team list"}, nlohmann::json::value_t::array);
  if (!data) return data.error();
  std::vector<Team> teams;
  for (const auto& item : data.value()) {
    Team team;
    team.id = string_field(item, "id").value_or("");
    team.name = string_field(item, "name").value_or("");
    team.slug = string_field(item, "slug").value_or("");
    team.organization_id = string_field(item, "organization_id").value_or("");
    // A team we could not name safely cannot be matched anyway.
    if (!is_team_id(team.id) || !is_clean_name(team.name) || !is_clean_name(team.slug)) continue;
    if (auto members = item.find("members"); members != item.end() && members->is_array()) {
      for (const auto& member : *members) {
        auto user_id = string_field(member, "user_id");
        if (user_id && is_safe_word(*user_id)) team.member_ids.push_back(*user_id);
      }
    }
    teams.push_back(std::move(team));
  }
  return teams;
}

Result<std::vector<TeamMember>> parse_members_response(long status, std::string_view body) {
  auto data = answer_data(status, body, {"the team's members"}, nlohmann::json::value_t::array);
  if (!data) return data.error();
  std::vector<TeamMember> members;
  for (const auto& item : data.value()) {
    auto user_id = string_field(item, "user_id");
    if (!user_id || !is_safe_word(*user_id)) continue;
    auto role = string_field(item, "role").value_or("");
    members.push_back({*user_id, is_clean_name(role) ? role : std::string()});
  }
  return members;
}

Result<SchedulePage> parse_schedules_response(long status, std::string_view body) {
  if (auto error = classify_answer(status, body, {"the team's schedules"})) return *error;
  auto parsed = parse_untrusted_json(body);
  if (!parsed || !parsed->is_object()) return Error{ErrorKind::bad_response, "the schedules answer is not a JSON object"};
  auto data = parsed->find("data");
  if (data == parsed->end() || !data->is_array()) return Error{ErrorKind::bad_response, "the schedules answer has no data list"};
  SchedulePage page;
  for (const auto& item : *data) {
    auto id = integer_field(item, "id");
    auto name = string_field(item, "name");
    if (!id || !name || !is_clean_name(*name)) continue;
    Schedule schedule;
    schedule.id = *id;
    schedule.name = *name;
    schedule.team_id = string_field(item, "teamID").value_or("");
    // Only an explicit false counts as running: a missing or odd "paused" puts nobody on call.
    schedule.paused = bool_field(item, "paused").value_or(true);
    page.schedules.push_back(std::move(schedule));
  }
  if (auto info = parsed->find("pageInfo"); info != parsed->end() && info->is_object()) {
    page.has_next = bool_field(*info, "hasNext").value_or(false);
    page.next_cursor = string_field(*info, "nextCursor").value_or("");
    if (page.has_next && (page.next_cursor.empty() || page.next_cursor.size() > 1024)) {
      return Error{ErrorKind::bad_response, "the schedules answer says there is a next page but gives no usable cursor"};
    }
  }
  return page;
}

Result<std::vector<Team>> fetch_teams(const Endpoints& endpoints, const Secret& access_token,
                                      const HttpOptions& options, HttpConnection* connection) {
  auto response = http_get(endpoints.api_url + "/v3/teams", {bearer_authorization(access_token)}, options, connection);
  if (!response) return response.error();
  return parse_teams_response(response.value().status, response.value().body);
}

Result<std::vector<TeamMember>> fetch_team_members(const Endpoints& endpoints, const Secret& access_token,
                                                   std::string_view team_id, const HttpOptions& options,
                                                   HttpConnection* connection) {
  if (!is_team_id(team_id)) return Error{ErrorKind::invalid_input, "a team id is 24 hex characters"};
  auto response = http_get(endpoints.api_url + "/v3/teams/" + std::string(team_id) + "/members",
                           {bearer_authorization(access_token)}, options, connection);
  if (!response) return response.error();
  return parse_members_response(response.value().status, response.value().body);
}

Result<std::vector<Schedule>> fetch_my_oncall_schedules(const Endpoints& endpoints, const Secret& access_token,
                                                        std::string_view team_id, const HttpOptions& options,
                                                        HttpConnection* connection) {
  if (!is_team_id(team_id)) return Error{ErrorKind::invalid_input, "a team id is 24 hex characters"};
  HttpOptions http = options;  // every page shares one deadline
  if (!http.not_after) http.not_after = std::chrono::steady_clock::now() + http.deadline;
  HttpConnection own;
  if (connection == nullptr) connection = &own;
  const std::string base = endpoints.api_url + "/v4/schedules?teamID=" + std::string(team_id) + "&myOnCall=true";
  std::vector<Schedule> schedules;
  std::string cursor;
  for (int page = 0; page < max_schedule_pages; ++page) {
    std::string url = cursor.empty() ? base : base + "&cursor=" + percent_encode(cursor);
    auto response = http_get(url, {bearer_authorization(access_token)}, http, connection);
    if (!response) return response.error();
    auto parsed = parse_schedules_response(response.value().status, response.value().body);
    if (!parsed) return parsed.error();
    for (auto& schedule : parsed.value().schedules) schedules.push_back(std::move(schedule));
    if (!parsed.value().has_next) return schedules;
    if (parsed.value().next_cursor == cursor) {
      return Error{ErrorKind::bad_response, "the schedules answer repeats its cursor"};
    }
    cursor = parsed.value().next_cursor;
  }
  return Error{ErrorKind::bad_response, "the schedules answer has more than " + std::to_string(max_schedule_pages) +
                                            " pages"};
}

}  // namespace squadcast
