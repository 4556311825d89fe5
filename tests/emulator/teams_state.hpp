// Teams, squads and schedules (the "teams_and_oncall" key of the seed) behind one mutex:
// the one model that /v3/teams, /v4/schedules?myOnCall=true (teams_api.cpp) and the
// GraphQL whoIsOncall view (graphql_api.cpp) all answer from, so they always agree.
// People are read from EmulatorState when answering: a deleted user drops out of every
// member list, squad and on-call list without this state changing.
#pragma once

#include "emulator_state.hpp"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace squadcast::emulator {

struct TeamsFault {
  int remaining = 1;
  int status = 500;
  std::string envelope = "v4";  // v3 | v4 | none
};

// What a query about a team found: answered, or why not.
enum class TeamAccess { ok, not_found, denied };

class TeamsState {
 public:
  explicit TeamsState(const EmulatorState& users);

  void reset();

  // Counts the request; a queued fault, if any, is answered here (true: answered).
  bool arrive(const std::string& endpoint, httplib::Response& res);

  // Teams of the org the user may see: every open team, and restricted ones they are in.
  nlohmann::json visible_teams(const User& me);
  TeamAccess members(const User& me, const std::string& team_id, nlohmann::json& out);
  // One page of the team's schedules the caller is on call for (paused ones included,
  // marked paused: they put nobody on call, the client must skip them).
  TeamAccess my_on_call(const User& me, const std::string& team_id, std::size_t offset, nlohmann::json& out);
  // Every schedule of the team with its on-call participants, as GraphQL whoIsOncall.
  TeamAccess who_is_on_call(const User& me, const std::string& team_id, nlohmann::json& out);

  // --- control ---
  bool hand_off(std::int64_t schedule_id, const std::string& from, const std::string& to);
  bool pause(std::int64_t schedule_id, bool paused);
  bool set_member(const std::string& team_ref, const std::string& user_id, bool member);
  void set_page_size(int size);
  void add_fault(TeamsFault fault);
  nlohmann::json counters();

 private:
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
    std::vector<std::pair<std::string, std::string>> tags;  // key, value
    std::vector<Participant> on_call;                       // who is on call right now
  };
  struct Squad {
    std::string id, name;
    std::vector<std::string> members;
  };

  // mu_ held for all of these.
  const Team* find(const User& me, const std::string& id) const;  // other orgs look missing
  TeamAccess access(const User& me, const std::string& team_id, const Team*& team) const;
  bool on_call(const Schedule& s, const std::string& user_id) const;
  std::vector<User> live_users(const std::string& org, const std::vector<std::string>& ids) const;
  nlohmann::json participant_json(const std::string& org, const Participant& p) const;

  mutable std::mutex mu_;
  const EmulatorState& users_;
  const nlohmann::json seed_;
  std::vector<Team> teams_;
  std::vector<Squad> squads_;
  std::vector<Schedule> schedules_;
  int page_size_ = 100;
  std::deque<TeamsFault> faults_;
  std::map<std::string, long> counters_;
};

}  // namespace squadcast::emulator
