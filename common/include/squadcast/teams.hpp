// Teams and on-call: GET {api}/v3/teams, /v3/teams/{id}/members and
// /v4/schedules?teamID=...&myOnCall=true, with the caller's own access token.
//
// Outcomes are api_answer.hpp's, unchanged: 403 is forbidden (Squadcast refuses this user
// that team: a verdict, not an outage), 404 not_found (an unknown team).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "squadcast/endpoints.hpp"
#include "squadcast/http_client.hpp"
#include "squadcast/result.hpp"
#include "squadcast/secret.hpp"

namespace squadcast {

struct Team {
  std::string id;  // 24 hex
  std::string name;
  std::string slug;
  std::string organization_id;
  std::vector<std::string> member_ids;  // from the list's "members", when it gives them
};

struct TeamMember {
  std::string user_id;
  std::string role;  // may be empty: only user_id is required
};

struct Schedule {
  std::int64_t id = 0;
  std::string name;
  std::string team_id;
  bool paused = false;
};

struct SchedulePage {
  std::vector<Schedule> schedules;
  bool has_next = false;
  std::string next_cursor;
};

// Follows at most this many pages; a server that keeps saying "hasNext" is an error.
constexpr int max_schedule_pages = 20;

Result<std::vector<Team>> parse_teams_response(long status, std::string_view body);
Result<std::vector<TeamMember>> parse_members_response(long status, std::string_view body);
Result<SchedulePage> parse_schedules_response(long status, std::string_view body);

// A 24-hex team id (as opposed to a name or slug).
bool is_team_id(std::string_view ref);

// The team a reference names: its id, else its slug, else its name (exact). Null if none.
const Team* find_team(const std::vector<Team>& teams, std::string_view ref);

Result<std::vector<Team>> fetch_teams(const Endpoints& endpoints, const Secret& access_token,
                                      const HttpOptions& options, HttpConnection* connection = nullptr);

Result<std::vector<TeamMember>> fetch_team_members(const Endpoints& endpoints, const Secret& access_token,
                                                   std::string_view team_id, const HttpOptions& options,
                                                   HttpConnection* connection = nullptr);

// Every page of the schedules of the team on which the caller is on call now, as the
// server lists them (paused ones included: callers must skip them).
Result<std::vector<Schedule>> fetch_my_oncall_schedules(const Endpoints& endpoints, const Secret& access_token,
                                                        std::string_view team_id, const HttpOptions& options,
                                                        HttpConnection* connection = nullptr);

}  // namespace squadcast
