#include "teams_state.hpp"

#include "crypto_utils.hpp"
#include "http_replies.hpp"

#include <algorithm>

namespace squadcast::emulator {
namespace {

using nlohmann::json;

std::vector<std::string> id_list(const json& list) {
  std::vector<std::string> out;
  for (const auto& s : list) out.push_back(s.get<std::string>());
  return out;
}

bool listed(const std::vector<std::string>& ids, const std::string& id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// A person as GraphQL's User type shows one.
json graphql_person(const User& u) {
  return {{"ID", u.id}, {"name", u.first_name + " " + u.last_name}, {"firstName", u.first_name},
          {"lastName", u.last_name}, {"email", u.email}};
}

}  // namespace

TeamsState::TeamsState(const EmulatorState& users)
    : users_(users), seed_(users.seed().value("teams_and_oncall", json::object())) {
  reset();
}

void TeamsState::reset() {
  std::lock_guard lock(mu_);
  teams_.clear();
  squads_.clear();
  schedules_.clear();
  faults_.clear();
  counters_.clear();
  page_size_ = seed_.value("schedule_page_size", 100);
  for (const auto& t : seed_.value("teams", json::array())) {
    teams_.push_back({t.at("id"), t.at("name"), t.at("slug"), t.at("organization_id"),
                      id_list(t.value("members", json::array())), t.value("restricted", false)});
  }
  for (const auto& s : seed_.value("squads", json::array())) {
    squads_.push_back({s.at("id"), s.at("name"), id_list(s.value("members", json::array()))});
  }
  for (const auto& s : seed_.value("schedules", json::array())) {
    Schedule schedule{s.at("id").get<std::int64_t>(), s.at("name"), s.at("team_id"), s.value("paused", false), {}, {}};
    for (const auto& tag : s.value("tags", json::array())) schedule.tags.emplace_back(tag.at("key"), tag.at("value"));
    for (const auto& p : s.value("on_call", json::array())) schedule.on_call.push_back({p.at("type"), p.at("id")});
    schedules_.push_back(std::move(schedule));
  }
  std::sort(schedules_.begin(), schedules_.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
}

bool TeamsState::arrive(const std::string& endpoint, httplib::Response& res) {
  std::lock_guard lock(mu_);
  ++counters_[endpoint];
  if (faults_.empty()) return false;
  TeamsFault fault = faults_.front();
  if (--faults_.front().remaining <= 0) faults_.pop_front();
  res.set_header("X-Emulator-Fault", "oncall");
  if (fault.envelope == "v3") {
    send_error(res, fault.status, "injected failure");
  } else if (fault.envelope == "v4") {
    send_json(res, fault.status, {{"error", {{"code", "INTERNAL"}, {"message", "injected failure"}, {"details", json::array()}}}});
  } else {
    res.status = fault.status;
    res.set_content("<html><body>upstream error</body></html>", "text/html");
  }
  return true;
}

json TeamsState::visible_teams(const User& me) {
  std::lock_guard lock(mu_);
  json list = json::array();
  for (const auto& t : teams_) {
    if (t.organization_id != me.organization_id || (t.restricted && !listed(t.members, me.id))) continue;
    json members = json::array();
    for (const auto& m : live_users(t.organization_id, t.members)) members.push_back({{"user_id", m.id}, {"role", "member"}});
    list.push_back({{"id", t.id}, {"name", t.name}, {"slug", t.slug}, {"organization_id", t.organization_id},
                    {"description", ""}, {"default", false}, {"members", members}});
  }
  return list;
}

TeamAccess TeamsState::members(const User& me, const std::string& team_id, json& out) {
  std::lock_guard lock(mu_);
  const Team* team = nullptr;
  if (const auto refused = access(me, team_id, team); refused != TeamAccess::ok) return refused;
  out = json::array();
  for (const auto& m : live_users(team->organization_id, team->members)) {
    out.push_back({{"user_id", m.id}, {"role", "member"}, {"role_ids", json::array({stable_object_id("team-role:member")})},
                   {"abilities", json::object()}});
  }
  return TeamAccess::ok;
}

TeamAccess TeamsState::my_on_call(const User& me, const std::string& team_id, std::size_t offset, json& out) {
  std::lock_guard lock(mu_);
  const Team* team = nullptr;
  if (const auto refused = access(me, team_id, team); refused != TeamAccess::ok) return refused;
  std::vector<const Schedule*> mine;
  for (const auto& s : schedules_) {
    if (s.team_id == team_id && on_call(s, me.id)) mine.push_back(&s);
  }
  json data = json::array();
  const std::size_t size = static_cast<std::size_t>(std::max(1, page_size_));
  for (std::size_t i = offset; i < mine.size() && i < offset + size; ++i) {
    const Schedule& s = *mine[i];
    json tags = nullptr;  // what the published example shows for a schedule without tags
    for (const auto& [key, value] : s.tags) tags.push_back({{"key", key}, {"value", value}});
    data.push_back({{"id", s.id}, {"name", s.name}, {"description", ""}, {"orgID", me.organization_id},
                    {"teamID", s.team_id}, {"timeZone", "Europe/Berlin"}, {"paused", s.paused},
                    {"ownerID", s.team_id}, {"ownerType", "team"}, {"tags", tags},
                    {"createdAt", "2024-01-01T00:00:00Z"}, {"updatedAt", "2024-01-01T00:00:00Z"}});
  }
  const bool has_next = offset + size < mine.size();
  out = {{"data", data},
         {"pageInfo", {{"pageSize", size}, {"hasNext", has_next}, {"hasPrevious", offset > 0},
                       {"nextCursor", has_next ? base64url_encode("offset:" + std::to_string(offset + size)) : ""},
                       {"previousCursor", ""}}}};
  return TeamAccess::ok;
}

TeamAccess TeamsState::who_is_on_call(const User& me, const std::string& team_id, json& out) {
  std::lock_guard lock(mu_);
  const Team* team = nullptr;
  if (const auto refused = access(me, team_id, team); refused != TeamAccess::ok) return refused;
  out = json::array();
  for (const auto& s : schedules_) {
    if (s.team_id != team->id) continue;
    json tags = json::array();
    for (const auto& [key, value] : s.tags) tags.push_back({{"key", key}, {"value", value}});
    json participants = json::array();
    for (const auto& p : s.on_call) {
      json one = participant_json(team->organization_id, p);
      if (!one.is_null()) participants.push_back(std::move(one));
    }
    // Paused schedules keep their participants: the client must treat them as nobody.
    out.push_back({{"schedule", {{"ID", s.id}, {"name", s.name}, {"paused", s.paused}, {"tags", tags}, {"teamID", s.team_id}}},
                   {"oncallParticipants", participants}});
  }
  return TeamAccess::ok;
}

bool TeamsState::hand_off(std::int64_t schedule_id, const std::string& from, const std::string& to) {
  std::lock_guard lock(mu_);
  for (auto& s : schedules_) {
    if (s.id != schedule_id) continue;
    auto it = std::find_if(s.on_call.begin(), s.on_call.end(),
                           [&](const Participant& p) { return p.type == "user" && p.id == from; });
    if (it == s.on_call.end()) return false;
    it->id = to;
    return true;
  }
  return false;
}

bool TeamsState::pause(std::int64_t schedule_id, bool paused) {
  std::lock_guard lock(mu_);
  for (auto& s : schedules_) {
    if (s.id == schedule_id) return (s.paused = paused, true);
  }
  return false;
}

bool TeamsState::set_member(const std::string& team_ref, const std::string& user_id, bool member) {
  std::lock_guard lock(mu_);
  for (auto& t : teams_) {
    if (t.id != team_ref && t.slug != team_ref) continue;
    std::erase(t.members, user_id);
    if (member) t.members.push_back(user_id);
    return true;
  }
  return false;
}

void TeamsState::set_page_size(int size) {
  std::lock_guard lock(mu_);
  page_size_ = size;
}

void TeamsState::add_fault(TeamsFault fault) {
  std::lock_guard lock(mu_);
  faults_.push_back(std::move(fault));
}

json TeamsState::counters() {
  std::lock_guard lock(mu_);
  return {{"teams", counters_["teams"]}, {"members", counters_["members"]}, {"schedules", counters_["schedules"]}};
}

const TeamsState::Team* TeamsState::find(const User& me, const std::string& id) const {
  for (const auto& t : teams_) {
    if (t.id == id && t.organization_id == me.organization_id) return &t;
  }
  return nullptr;
}

TeamAccess TeamsState::access(const User& me, const std::string& team_id, const Team*& team) const {
  team = find(me, team_id);
  if (team == nullptr) return TeamAccess::not_found;
  if (team->restricted && !listed(team->members, me.id)) return TeamAccess::denied;
  return TeamAccess::ok;
}

bool TeamsState::on_call(const Schedule& s, const std::string& user_id) const {
  for (const auto& p : s.on_call) {
    if (p.type == "user" && p.id == user_id) return true;
    if (p.type == "squad") {
      for (const auto& squad : squads_) {
        if (squad.id == p.id && listed(squad.members, user_id)) return true;
      }
    }
  }
  return false;
}

std::vector<User> TeamsState::live_users(const std::string& org, const std::vector<std::string>& ids) const {
  std::vector<User> out;
  for (const auto& id : ids) {
    if (auto user = users_.user_by_id(org, id)) out.push_back(std::move(*user));
  }
  return out;
}

json TeamsState::participant_json(const std::string& org, const Participant& p) const {
  if (p.type == "user") {
    const auto people = live_users(org, {p.id});
    if (people.empty()) return nullptr;  // deleted: gone from on-call too
    return {{"ID", p.id}, {"type", "user"}, {"participant", graphql_person(people.front())}};
  }
  for (const auto& squad : squads_) {
    if (squad.id != p.id) continue;
    json members = json::array();
    for (const auto& m : live_users(org, squad.members)) members.push_back(graphql_person(m));
    return {{"ID", squad.id}, {"type", "squad"}, {"participant", {{"ID", squad.id}, {"name", squad.name}, {"members", members}}}};
  }
  return nullptr;
}

}  // namespace squadcast::emulator
