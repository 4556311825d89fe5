#include "directory_gate.hpp"

#include <algorithm>
#include <optional>

#include "host_credential.hpp"
#include "roster_cache.hpp"
#include "squadcast/ascii_text.hpp"
#include "squadcast/team_oncall.hpp"
#include "squadcast/teams.hpp"
#include "squadcast/user_lookup.hpp"
#include "token_verification.hpp"

namespace squadcast::pam {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using json = nlohmann::json;

// One decision: one host credential, one connection, one deadline, the rosters it used.
class Directory {
 public:
  Directory(const PamOptions& options, const DirectoryContext& context, HostCredential& host, bool refetch)
      : options_(options), context_(context), host_(host), cache_(options.cache_dir), refetch_(refetch) {}

  Result<Roster> person(const std::string& email) {
    return roster(RosterKind::person, to_lower_ascii(email), options_.offline_grace_seconds,
                  [&](const Secret& token) -> Result<json> {
                    auto user = fetch_user_by_email(options_.endpoints, token, email, http(), context_.connection);
                    if (!user) {
                      if (user.error().kind == ErrorKind::not_found) return json{{"found", false}};
                      return user.error();
                    }
                    return json{{"found", true},
                                {"id", user.value().id},
                                {"email", user.value().email},
                                {"role", user.value().role},
                                {"abilities", user.value().abilities}};
                  });
  }

  Result<std::string> team_id(const std::string& ref) {
    if (is_team_id(ref)) return ref;
    auto teams = roster(RosterKind::teams, "", options_.offline_grace_seconds, [&](const Secret& token) -> Result<json> {
      auto list = fetch_teams(options_.endpoints, token, http(), context_.connection);
      if (!list) return list.error();
      json out = json::array();
      for (const auto& team : list.value()) out.push_back({{"id", team.id}, {"name", team.name}, {"slug", team.slug}});
      return out;
    });
    if (!teams) return teams.error();
    std::vector<Team> known;
    for (const auto& team : teams.value().answer) {
      known.push_back({team.value("id", ""), team.value("name", ""), team.value("slug", ""), "", {}});
    }
    if (const Team* team = find_team(known, ref)) return team->id;
    return Error{ErrorKind::config, "unknown team '" + ref + "': no team of that id, slug or name in Squadcast"};
  }

  Result<Roster> members(const std::string& ref, const std::string& id) {
    return roster(RosterKind::members, id, options_.offline_grace_seconds, [&](const Secret& token) -> Result<json> {
      auto list = fetch_team_members(options_.endpoints, token, id, http(), context_.connection);
      if (!list) {
        if (list.error().kind == ErrorKind::not_found) {
          return Error{ErrorKind::config, "unknown team '" + ref + "': " + list.error().message};
        }
        return list.error();
      }
      json out = json::array();
      for (const auto& member : list.value()) out.push_back(member.user_id);
      return out;
    });
  }

  Result<Roster> oncall(const std::string& id) {
    return roster(RosterKind::oncall, id, options_.oncall_offline_grace_seconds, [&](const Secret& token) -> Result<json> {
      auto schedules = fetch_team_oncall(options_.endpoints, token, id, http(), context_.connection);
      if (!schedules) return schedules.error();
      json out = json::array();
      for (const auto& s : schedules.value()) {
        out.push_back({{"id", s.id}, {"name", s.name}, {"paused", s.paused}, {"emails", s.emails}});
      }
      return out;
    });
  }

  // Whether a refusal may ask again: some roster it used is old enough to refetch.
  bool used_an_old_roster() const { return used_old_; }
  // Where the facts came from, the least fresh first: a grace, else Squadcast, else the cache.
  std::string source() const { return to_string(source_); }
  std::vector<std::string> rosters() const { return described_; }

 private:
  using Ask = std::function<Result<json>(const Secret& access_token)>;

  HttpOptions http() const {
    HttpOptions options = module_http_options(options_, remaining());
    options.not_after = context_.deadline;
    return options;
  }

  Result<Roster> roster(RosterKind kind, const std::string& subject, std::int64_t grace, const Ask& ask) {
    const std::int64_t now = context_.clock();
    const RosterPolicy policy{options_.roster_ttl_seconds, grace, refetch_};
    auto fetch = [&]() -> Result<Roster> {
      auto token = host_.access(http(), now, remaining());
      if (!token) return token.error();
      auto asked = ask(token.value()->access_token);
      if (!asked) {
        if (asked.error().kind != ErrorKind::revoked) return asked.error();
        host_.forget_access();  // the host credential was revoked since its access token was cached
        return Error{ErrorKind::config, host_credential_revoked};
      }
      return Roster{std::move(asked).value(), 0, token.value()->identity.organization_id};
    };
    auto got = cache_.get({kind, host_.key(), subject}, now, policy, fetch, remaining());
    if (!got) return got;
    const auto age = now - got.value().fetched_at;
    if (got.value().source == RosterSource::cache && age >= refusal_refetch_seconds) used_old_ = true;
    if (got.value().source == RosterSource::offline_grace || source_ == RosterSource::cache) {
      source_ = got.value().source;
    }
    described_.push_back(std::string(to_string(kind)) + (subject.empty() ? "" : " " + subject) + ": " +
                         to_string(got.value().source) + ", " + std::to_string(age) + " s old");
    return got;
  }

  milliseconds remaining() const {
    return std::max(milliseconds(0), std::chrono::duration_cast<milliseconds>(context_.deadline - Clock::now()));
  }

  const PamOptions& options_;
  const DirectoryContext& context_;
  HostCredential& host_;
  RosterCache cache_;
  bool refetch_;
  bool used_old_ = false;
  RosterSource source_ = RosterSource::cache;
  std::vector<std::string> described_;
};

bool contains_ascii_case(const json& list, const std::string& wanted) {
  const auto lower = to_lower_ascii(wanted);
  return std::any_of(list.begin(), list.end(),
                     [&](const json& item) { return item.is_string() && to_lower_ascii(item.get<std::string>()) == lower; });
}

Result<DirectoryDecision> gate_membership(Directory& directory, const PamOptions& options, DirectoryDecision decision) {
  for (const auto& ref : options.required_teams) {
    auto id = directory.team_id(ref);
    if (!id) return id.error();
    auto members = directory.members(ref, id.value());
    if (!members) {
      if (members.error().kind != ErrorKind::forbidden) return members.error();
      decision.reason = "not a member of team " + ref + ": " + members.error().message;
      continue;
    }
    const auto& list = members.value().answer;
    if (std::find(list.begin(), list.end(), json(decision.person.user_id)) != list.end()) {
      decision.verdict = Verdict::allow;
      decision.reason = "member of team " + ref;
      return decision;
    }
  }
  decision.verdict = Verdict::deny;
  if (decision.reason.empty() || decision.reason.rfind("not a member", 0) != 0) {
    std::string teams;
    for (const auto& ref : options.required_teams) teams += (teams.empty() ? "" : ", ") + ref;
    decision.reason = "not a member of team " + teams;
  }
  return decision;
}

Result<DirectoryDecision> gate_oncall(Directory& directory, const PamOptions& options, DirectoryDecision decision) {
  const auto& ref = options.oncall_team;
  const auto& wanted = options.oncall_schedule;
  auto id = directory.team_id(ref);
  if (!id) return id.error();
  auto schedules = directory.oncall(id.value());
  if (!schedules) return schedules.error();
  for (const auto& schedule : schedules.value().answer) {
    const std::string name = schedule.value("name", "");
    const bool matches = wanted.empty() || name == wanted || std::to_string(schedule.value("id", std::int64_t{0})) == wanted;
    // A paused schedule puts nobody on call (its emails are already empty; checked again).
    if (!matches || schedule.value("paused", true)) continue;
    if (contains_ascii_case(schedule.value("emails", json::array()), decision.person.email)) {
      decision.verdict = Verdict::allow;
      decision.reason = "on call: " + name;
      decision.reason += " (team " + ref + ")";
      return decision;
    }
  }
  decision.verdict = Verdict::deny;
  decision.reason = "not on call for team " + ref + (wanted.empty() ? "" : " (schedule " + wanted + ")");
  return decision;
}

Result<DirectoryDecision> decide_once(const PamOptions& options, const std::string& pam_user, const LocalUsers& users,
                                      Directory& directory, const std::string& email) {
  DirectoryDecision decision;
  decision.person.email = email;
  auto person = directory.person(email);
  if (!person) return person.error();
  const auto& record = person.value().answer;
  if (!record.value("found", false)) {
    decision.reason = "no Squadcast user " + email + " in the host credential's organisation (deleted, or never there)";
    return decision;
  }
  if (person.value().organization_id != options.org_id) {
    return Error{ErrorKind::config, "the host credential belongs to organisation " + person.value().organization_id +
                                        ", not org_id=" + options.org_id + ": enrol one of that organisation"};
  }
  decision.person = {record.value("id", ""), record.value("email", ""), "", person.value().organization_id,
                     record.value("role", ""), record.value("abilities", std::vector<std::string>{})};
  const Decision policy = evaluate_access(options, decision.person, pam_user, users);
  decision.verdict = policy.verdict;
  decision.reason = policy.reason;
  if (policy.verdict != Verdict::allow) return decision;
  if (!options.required_teams.empty()) {
    auto member = gate_membership(directory, options, decision);
    if (!member || member.value().verdict != Verdict::allow) return member;
    decision = std::move(member).value();
  }
  if (!options.oncall_team.empty()) return gate_oncall(directory, options, decision);
  return decision;
}

}  // namespace

Result<DirectoryDecision> decide_from_directory(const PamOptions& options, const std::string& pam_user,
                                                const LocalUsers& users, const DirectoryContext& context) {
  auto token = read_host_token(options.host_token);
  if (!token) return token.error();
  if (auto usable = DecisionCache(options.cache_dir).usable(); !usable) {
    return Error{ErrorKind::config, "cache_dir " + options.cache_dir + " is unusable: " + usable.error().message};
  }
  auto email = map_local_user_to_email(options.user_map, options.email_domain, pam_user, users);
  if (!email) {
    if (email.error().kind == ErrorKind::config) return email.error();
    return DirectoryDecision{Verdict::user_unknown, email.error().message, {}, "-", {}};
  }
  HostCredential host(options, std::move(token).value());
  Directory directory(options, context, host, false);
  auto decision = decide_once(options, pam_user, users, directory, email.value());
  // A refusal from a roster kept for a while asks again, so a hand-off or a new member
  // is seen within seconds; at most once per 10 s per roster (a fresh one is reused).
  if (decision && decision.value().verdict == Verdict::deny && directory.used_an_old_roster()) {
    context.debug("refused from a roster at least 10 s old: asking Squadcast again");
    Directory again(options, context, host, true);
    decision = decide_once(options, pam_user, users, again, email.value());
    if (decision) {
      decision.value().source = again.source();
      decision.value().rosters = again.rosters();
    }
  } else if (decision) {
    decision.value().source = directory.source();
    decision.value().rosters = directory.rosters();
  }
  if (decision && decision.value().source != to_string(RosterSource::cache)) {  // a cache hit never scans
    DecisionCache(options.cache_dir).sweep(context.clock(), longest_cache_use_seconds(options));
  }
  return decision;
}

}  // namespace squadcast::pam
