// Directory mode's answers from Squadcast (a person's record, a team's members, who is on
// call), kept in cache_dir root-only 0600 (they hold emails) and shared by every login on
// the host: Squadcast is asked per roster_ttl, per team and per person, never per login.
//
// One roster is read, and when it is stale fetched, under one rule:
// - fresh (younger than ttl): used as it is, no lock, no network;
// - stale or missing: fetched under the key's lock (single flight across processes: the
//   others wait and then find the new answer);
// - a refusal may ask again (`refetch_after_refusal`): a roster at least 10 s old is
//   fetched anew, so a new responder gets in seconds after a hand-off, and a refused user
//   makes Squadcast answer at most once per 10 s per roster;
// - Squadcast unreachable: a roster younger than ttl stays in use; an older one only
//   within `grace`, and only for outages the grace may cover (never a 429).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "decision_cache.hpp"
#include "squadcast/result.hpp"

namespace squadcast::pam {

enum class RosterSource { cache, squadcast, offline_grace };

// NOLINTNEXTLINE(bugprone-exception-escape): nlohmann::json's noexcept move only asserts its invariant
struct Roster {
  nlohmann::json answer;
  std::int64_t fetched_at = 0;
  std::string organization_id;  // of the host credential that asked
  RosterSource source = RosterSource::cache;
};

struct RosterPolicy {
  std::int64_t ttl = 60;
  std::int64_t grace = 0;
  bool refetch_after_refusal = false;
};

// A refusal refetches a roster at most this often.
constexpr std::int64_t refusal_refetch_seconds = 10;

// What a roster holds, by kind; parse_roster refuses any other shape, so the decision can
// read a roster without checking types again (a corrupt file is a miss, never a throw).
enum class RosterKind {
  person,   // {"found": false} or {"found": true, "id", "email", "role", "abilities": [str]}
  teams,    // [{"id", "name", "slug"}]
  members,  // [user id]
  oncall,   // [{"id": int, "name", "paused": bool, "emails": [str]}]
};

std::string serialize_roster(const Roster& roster);
std::optional<Roster> parse_roster(RosterKind kind, std::string_view text);
bool has_roster_shape(RosterKind kind, const nlohmann::json& answer);

const char* to_string(RosterSource source);
const char* to_string(RosterKind kind);

class RosterCache {
 public:
  explicit RosterCache(std::string dir) : dir_(std::move(dir)), files_(dir_) {}

  // A roster names its kind, the host credential that asks (so a new enrolment never
  // reads an old roster) and its subject: an email or a team id ("" for the team list).
  struct Name {
    RosterKind kind;
    std::string host_key;
    std::string subject;
  };

  std::optional<Roster> read(const Name& name) const;  // anything odd: nullopt
  Status write(const Name& name, const Roster& roster) const;

  using Fetch = std::function<Result<Roster>()>;
  Result<Roster> get(const Name& name, std::int64_t now, const RosterPolicy& policy, const Fetch& fetch,
                     std::chrono::milliseconds lock_wait) const;

 private:
  static std::string key_for(const Name& name);
  std::string path_for(const Name& name) const;
  std::string dir_;
  DecisionCache files_;  // the directory rules and the lock stripes, shared with decisions
};

}  // namespace squadcast::pam
