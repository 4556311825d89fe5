#include "teams_api.hpp"

#include "crypto_utils.hpp"
#include "http_replies.hpp"

#include <algorithm>
#include <cctype>
#include <deque>
#include <memory>
#include <mutex>

namespace squadcast::emulator {
namespace {

using nlohmann::json;
using httplib::Request;
using httplib::Response;

struct Team {
  std::string id, name, slug, organization_id;
  std::vector<std::string> members;  // user ids
  bool restricted = false;           // only members may see it (others get 403)
};

struct Participant {
  std::string type;  // "user" or "squad"
  std::string id;
};

struct Schedule {
  std::int64_t id = 0;
  std::string name, team_id;
  bool paused = false;
  std::vector<Participant> on_call;  // who is on call right now
};

struct Squad {
  std::string id, name;
  std::vector<std::string> members;
};

struct TeamsFault {
  int remaining = 1;
  int status = 500;
  std::string envelope = "v4";  // v3 | v4 | none
};

std::vector<std::string> strings(const json& list) {
  std::vector<std::string> out;
  for (const auto& s : list) out.push_back(s.get<std::string>());
  return out;
}

// Teams, squads and schedules behind one mutex (handlers run on many threads).
class TeamsState {
 public:
  explicit TeamsState(const json& seed) : seed_(seed.value("teams_and_oncall", json::object())) { reset(); }

  void reset() {
    std::lock_guard lock(mu_);
    teams_.clear();
    squads_.clear();
    schedules_.clear();
    faults_.clear();
    counters_.clear();
    page_size_ = seed_.value("schedule_page_size", 100);
    for (const auto& t : seed_.value("teams", json::array())) {
      teams_.push_back({t.at("id"), t.at("name"), t.at("slug"), t.at("organization_id"),
                        strings(t.value("members", json::array())), t.value("restricted", false)});
    }
    for (const auto& s : seed_.value("squads", json::array())) {
      squads_.push_back({s.at("id"), s.at("name"), strings(s.value("members", json::array()))});
    }
    for (const auto& s : seed_.value("schedules", json::array())) {
      Schedule schedule{s.at("id").get<std::int64_t>(), s.at("name"), s.at("team_id"), s.value("paused", false), {}};
      for (const auto& p : s.value("on_call", json::array())) schedule.on_call.push_back({p.at("type"), p.at("id")});
      schedules_.push_back(std::move(schedule));
    }
    std::sort(schedules_.begin(), schedules_.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  }

  // Counts the request; a queued fault, if any, is answered here (true: answered).
  bool arrive(const std::string& endpoint, Response& res) {
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

  // Teams of the org the user may see: every open team, and restricted ones they are in.
  json visible_teams(const User& me) {
    std::lock_guard lock(mu_);
    json list = json::array();
    for (const auto& t : teams_) {
      if (t.organization_id != me.organization_id || (t.restricted && !is_member(t, me.id))) continue;
      json members = json::array();
      for (const auto& m : t.members) members.push_back({{"user_id", m}, {"role", "member"}});
      list.push_back({{"id", t.id}, {"name", t.name}, {"slug", t.slug}, {"organization_id", t.organization_id},
                      {"description", ""}, {"default", false}, {"members", members}});
    }
    return list;
  }

  // 0 and the members, or the status to answer (404 unknown, 403 restricted).
  int members(const User& me, const std::string& team_id, json& out) {
    std::lock_guard lock(mu_);
    const Team* team = find(me, team_id);
    if (!team) return 404;
    if (team->restricted && !is_member(*team, me.id)) return 403;
    out = json::array();
    for (const auto& m : team->members) {
      out.push_back({{"user_id", m}, {"role", "member"}, {"role_ids", json::array({stable_object_id("team-role:member")})},
                     {"abilities", json::object()}});
    }
    return 0;
  }

  // One page of the team's schedules the caller is on call for (paused ones included,
  // marked paused: they put nobody on call, the client must skip them).
  int my_on_call(const User& me, const std::string& team_id, std::size_t offset, json& out) {
    std::lock_guard lock(mu_);
    const Team* team = find(me, team_id);
    if (!team) return 404;
    if (team->restricted && !is_member(*team, me.id)) return 403;
    std::vector<const Schedule*> mine;
    for (const auto& s : schedules_) {
      if (s.team_id == team_id && on_call(s, me.id)) mine.push_back(&s);
    }
    json data = json::array();
    const std::size_t size = static_cast<std::size_t>(std::max(1, page_size_));
    for (std::size_t i = offset; i < mine.size() && i < offset + size; ++i) {
      const Schedule& s = *mine[i];
      data.push_back({{"id", s.id}, {"name", s.name}, {"description", ""}, {"orgID", me.organization_id},
                      {"teamID", s.team_id}, {"timeZone", "Europe/Berlin"}, {"paused", s.paused},
                      {"ownerID", s.team_id}, {"ownerType", "team"}, {"tags", nullptr},
                      {"createdAt", "2024-01-01T00:00:00Z"}, {"updatedAt", "2024-01-01T00:00:00Z"}});
    }
    const bool has_next = offset + size < mine.size();
    out = {{"data", data},
           {"pageInfo", {{"pageSize", size}, {"hasNext", has_next}, {"hasPrevious", offset > 0},
                         {"nextCursor", has_next ? base64url_encode("offset:" + std::to_string(offset + size)) : ""},
                         {"previousCursor", ""}}}};
    return 0;
  }

  // --- control ---
  bool hand_off(std::int64_t schedule_id, const std::string& from, const std::string& to) {
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
  bool pause(std::int64_t schedule_id, bool paused) {
    std::lock_guard lock(mu_);
    for (auto& s : schedules_) {
      if (s.id == schedule_id) return (s.paused = paused, true);
    }
    return false;
  }
  bool set_member(const std::string& team_ref, const std::string& user_id, bool member) {
    std::lock_guard lock(mu_);
    for (auto& t : teams_) {
      if (t.id != team_ref && t.slug != team_ref) continue;
      std::erase(t.members, user_id);
      if (member) t.members.push_back(user_id);
      return true;
    }
    return false;
  }
  void set_page_size(int size) { std::lock_guard lock(mu_); page_size_ = size; }
  void add_fault(TeamsFault fault) { std::lock_guard lock(mu_); faults_.push_back(std::move(fault)); }
  json counters() {
    std::lock_guard lock(mu_);
    return {{"teams", counters_["teams"]}, {"members", counters_["members"]}, {"schedules", counters_["schedules"]}};
  }

 private:
  static bool is_member(const Team& t, const std::string& user_id) {
    return std::find(t.members.begin(), t.members.end(), user_id) != t.members.end();
  }
  const Team* find(const User& me, const std::string& id) const {  // mu_ held; other orgs look missing
    for (const auto& t : teams_) {
      if (t.id == id && t.organization_id == me.organization_id) return &t;
    }
    return nullptr;
  }
  bool on_call(const Schedule& s, const std::string& user_id) const {  // mu_ held
    for (const auto& p : s.on_call) {
      if (p.type == "user" && p.id == user_id) return true;
      if (p.type == "squad") {
        for (const auto& squad : squads_) {
          if (squad.id == p.id && std::find(squad.members.begin(), squad.members.end(), user_id) != squad.members.end()) {
            return true;
          }
        }
      }
    }
    return false;
  }

  std::mutex mu_;
  const json seed_;
  std::vector<Team> teams_;
  std::vector<Squad> squads_;
  std::vector<Schedule> schedules_;
  int page_size_ = 100;
  std::deque<TeamsFault> faults_;
  std::map<std::string, long> counters_;
};

void send_v4_error(Response& res, int status, const std::string& code, const std::string& message) {
  send_json(res, status, {{"error", {{"code", code}, {"message", message}, {"details", json::array()}}}});
}

// The caller behind "Authorization: Bearer <JWT>"; nullopt after answering 401.
std::optional<User> bearer_caller(EmulatorState& state, const Request& req, Response& res, bool v4) {
  const std::string header = req.get_header_value("Authorization");
  if (header.size() > 7 && header.compare(0, 7, "Bearer ") == 0) {
    if (auto user = state.authenticate(header.substr(7))) return user;
  }
  if (v4) send_v4_error(res, 401, "UNAUTHENTICATED", "invalid, expired or revoked access token");
  else send_error(res, 401, "Unauthorized: invalid, expired or revoked access token");
  return std::nullopt;
}

std::optional<std::size_t> cursor_offset(const std::string& cursor) {
  if (cursor.empty()) return 0;
  auto text = base64url_decode(cursor);
  if (!text || !text->starts_with("offset:")) return std::nullopt;
  try {
    return static_cast<std::size_t>(std::stoul(text->substr(7)));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string email_to_id(EmulatorState& state, const std::string& email) {
  for (const auto& org : state.seed().at("organizations")) {
    if (auto user = state.user_by_email(org.at("id"), email)) return user->id;
  }
  return "";
}

void register_control(httplib::Server& server, EmulatorState& state, const std::shared_ptr<TeamsState>& teams) {
  server.Post("/_control/oncall/handoff", [&state, teams](const Request& req, Response& res) {
    const auto body = json_body(req, res);
    if (!body) return;
    const auto from = email_to_id(state, body->value("from", ""));
    const auto to = email_to_id(state, body->value("to", ""));
    if (from.empty() || to.empty()) return send_error(res, 404, "from and to must be seeded users' emails");
    if (!teams->hand_off(body->value("schedule_id", std::int64_t{0}), from, to)) {
      return send_error(res, 404, "no such schedule, or from is not on call on it");
    }
    send_json(res, 200, {{"ok", true}});
  });
  server.Post("/_control/oncall/pause", [teams](const Request& req, Response& res) {
    const auto body = json_body(req, res);
    if (!body) return;
    if (!teams->pause(body->value("schedule_id", std::int64_t{0}), body->value("paused", true))) {
      return send_error(res, 404, "no such schedule");
    }
    send_json(res, 200, {{"ok", true}});
  });
  server.Post("/_control/oncall/member", [&state, teams](const Request& req, Response& res) {
    const auto body = json_body(req, res);
    if (!body) return;
    const auto user = email_to_id(state, body->value("user_email", ""));
    if (user.empty() || !teams->set_member(body->value("team", ""), user, body->value("member", true))) {
      return send_error(res, 404, "no such team or user");
    }
    send_json(res, 200, {{"ok", true}});
  });
  server.Post("/_control/oncall/page_size", [teams](const Request& req, Response& res) {
    const auto body = json_body(req, res);
    if (!body) return;
    teams->set_page_size(body->value("size", 100));
    send_json(res, 200, {{"ok", true}});
  });
  server.Post("/_control/oncall/fault", [teams](const Request& req, Response& res) {
    const auto body = json_body(req, res);
    if (!body) return;
    TeamsFault fault{body->value("count", 1), body->value("status", 500), body->value("envelope", std::string("v4"))};
    if (fault.envelope != "v3" && fault.envelope != "v4" && fault.envelope != "none") {
      return send_error(res, 400, "envelope: v3|v4|none");
    }
    teams->add_fault(std::move(fault));
    send_json(res, 200, {{"ok", true}});
  });
  server.Get("/_control/oncall/counters", [teams](const Request&, Response& res) { send_json(res, 200, teams->counters()); });
  server.Post("/_control/oncall/reset", [teams](const Request&, Response& res) {
    teams->reset();
    send_json(res, 200, {{"ok", true}});
  });
}

}  // namespace

void register_teams_api(httplib::Server& server, EmulatorState& state) {
  auto teams = std::make_shared<TeamsState>(state.seed());

  server.Get("/v3/teams", [&state, teams](const Request& req, Response& res) {
    if (teams->arrive("teams", res)) return;
    const auto me = bearer_caller(state, req, res, false);
    if (!me) return;
    send_json(res, 200, {{"data", teams->visible_teams(*me)}});
  });

  server.Get(R"(/v3/teams/([^/]+)/members)", [&state, teams](const Request& req, Response& res) {
    if (teams->arrive("members", res)) return;
    const auto me = bearer_caller(state, req, res, false);
    if (!me) return;
    json members;
    switch (teams->members(*me, req.matches[1], members)) {
      case 404: return send_error(res, 404, "team not found");
      case 403: return send_error(res, 403, "you are not allowed to see this team");
      default: send_json(res, 200, {{"data", members}});
    }
  });

  server.Get("/v4/schedules", [&state, teams](const Request& req, Response& res) {
    if (teams->arrive("schedules", res)) return;
    const auto me = bearer_caller(state, req, res, true);
    if (!me) return;
    const std::string team_id = req.get_param_value("teamID");
    if (team_id.empty()) return send_v4_error(res, 400, "INVALID_ARGUMENT", "teamID is required");
    // Only the "my on call" listing is emulated: the one the clients use.
    if (req.get_param_value("myOnCall") != "true") {
      return send_v4_error(res, 501, "UNIMPLEMENTED", "the emulator serves myOnCall=true only");
    }
    const auto offset = cursor_offset(req.get_param_value("cursor"));
    if (!offset) return send_v4_error(res, 400, "INVALID_ARGUMENT", "bad cursor");
    json page;
    switch (teams->my_on_call(*me, team_id, *offset, page)) {
      case 404: return send_v4_error(res, 404, "NOT_FOUND", "team not found");
      case 403: return send_v4_error(res, 403, "PERMISSION_DENIED", "you are not allowed to see this team");
      default: send_json(res, 200, page);
    }
  });

  register_control(server, state, teams);
}

}  // namespace squadcast::emulator
