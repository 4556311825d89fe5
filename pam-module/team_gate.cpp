#include "team_gate.hpp"

#include <algorithm>
#include <optional>
#include <vector>

#include "decision_cache.hpp"
#include "squadcast/exchange.hpp"
#include "squadcast/sha256.hpp"
#include "squadcast/teams.hpp"

namespace squadcast::pam {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// One flow: one access token, one connection, one deadline; the team list fetched once.
struct Lookup {
  const PamOptions& options;
  const Secret& access_token;
  HttpOptions http;
  HttpConnection* connection;
  std::optional<std::vector<Team>> teams;
};

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

// A team reference (id, slug or name) -> its id. An unknown name is the admin's mistake.
Result<std::string> resolve_team(Lookup& lookup, const std::string& ref) {
  if (is_team_id(ref)) return ref;
  if (!lookup.teams) {
    auto teams = fetch_teams(lookup.options.endpoints, lookup.access_token, lookup.http, lookup.connection);
    if (!teams) return teams.error();
    lookup.teams = std::move(teams.value());
  }
  if (const Team* team = find_team(*lookup.teams, ref)) return team->id;
  return Error{ErrorKind::config, "unknown team '" + ref + "': no team of that id, slug or name in Squadcast"};
}

Error unknown_team_id(const std::string& ref, const Error& error) {
  return Error{ErrorKind::config, "unknown team '" + ref + "': " + error.message};
}

Result<GateDecision> check_membership(Lookup& lookup, const Identity& identity) {
  std::string refusals;
  for (const auto& ref : lookup.options.required_teams) {
    auto team_id = resolve_team(lookup, ref);
    if (!team_id) return team_id.error();
    auto members = fetch_team_members(lookup.options.endpoints, lookup.access_token, team_id.value(), lookup.http,
                                      lookup.connection);
    if (!members) {
      if (members.error().kind == ErrorKind::not_found) return unknown_team_id(ref, members.error());
      if (members.error().kind != ErrorKind::forbidden) return members.error();
      refusals += "; " + members.error().message;  // 403: this team says no, another may say yes
      continue;
    }
    const auto& list = members.value();
    if (std::any_of(list.begin(), list.end(), [&](const TeamMember& m) { return m.user_id == identity.user_id; })) {
      return GateDecision{Verdict::allow, "member of team " + ref, VerifiedBy::squadcast};
    }
  }
  return GateDecision{Verdict::deny, "not a member of team " + join(lookup.options.required_teams) + refusals,
                      VerifiedBy::squadcast};
}

bool schedule_matches(const Schedule& schedule, const std::string& wanted) {
  if (wanted.empty()) return true;
  return schedule.name == wanted || std::to_string(schedule.id) == wanted;
}

Result<GateDecision> check_oncall(Lookup& lookup) {
  const auto& ref = lookup.options.oncall_team;
  const auto& wanted = lookup.options.oncall_schedule;
  const std::string not_on_call = "not on call for team " + ref + (wanted.empty() ? "" : " (schedule " + wanted + ")");
  auto team_id = resolve_team(lookup, ref);
  if (!team_id) return team_id.error();
  auto schedules = fetch_my_oncall_schedules(lookup.options.endpoints, lookup.access_token, team_id.value(),
                                             lookup.http, lookup.connection);
  if (!schedules) {
    if (schedules.error().kind == ErrorKind::not_found) return unknown_team_id(ref, schedules.error());
    if (schedules.error().kind == ErrorKind::forbidden) {
      return GateDecision{Verdict::deny, not_on_call + ": " + schedules.error().message, VerifiedBy::squadcast};
    }
    return schedules.error();
  }
  for (const auto& schedule : schedules.value()) {
    // A paused schedule puts nobody on call; a schedule of another team is not this one.
    if (schedule.paused || (!schedule.team_id.empty() && schedule.team_id != team_id.value())) continue;
    if (schedule_matches(schedule, wanted)) {
      return GateDecision{Verdict::allow, "on call: " + schedule.name + " (team " + ref + ")", VerifiedBy::squadcast};
    }
  }
  return GateDecision{Verdict::deny, not_on_call, VerifiedBy::squadcast};
}

// The answer, asked of Squadcast now. Errors: config (unknown team), revoked, unreachable.
Result<GateDecision> ask_squadcast(const PamOptions& options, const GateRequest& request,
                                   const VerifyContext& context) {
  auto remaining = std::chrono::duration_cast<milliseconds>(request.deadline - Clock::now());
  if (remaining <= milliseconds(0)) return Error{ErrorKind::timeout, "timeout reached before the team checks"};
  HttpOptions http = module_http_options(options, remaining);
  http.not_after = request.deadline;
  HttpConnection own;
  HttpConnection* connection = context.connection != nullptr ? context.connection : &own;

  std::optional<Secret> exchanged;
  if (request.access_token == nullptr) {  // the identity came from the cache: exchange now
    auto token = exchange_refresh_token(options.endpoints, *request.refresh_token, http, connection);
    if (!token) return token.error();
    exchanged = std::move(token.value().access_token);
  }
  Lookup lookup{options, request.access_token != nullptr ? *request.access_token : *exchanged, http, connection, {}};
  GateDecision decision{Verdict::allow, "", VerifiedBy::squadcast};
  if (!options.required_teams.empty()) {
    auto member = check_membership(lookup, *request.identity);
    if (!member || member.value().verdict != Verdict::allow) return member;
    decision = member.value();
  }
  if (!options.oncall_team.empty()) return check_oncall(lookup);
  return decision;
}

}  // namespace

bool has_team_gates(const PamOptions& options) {
  return !options.required_teams.empty() || !options.oncall_team.empty();
}

std::string team_gate_spec(const PamOptions& options) {
  std::string spec = "team=" + join(options.required_teams) + ";oncall=" + options.oncall_team;
  if (!options.oncall_schedule.empty()) spec += "/" + options.oncall_schedule;
  return spec;
}

Result<GateDecision> check_team_gates(const PamOptions& options, const GateRequest& request,
                                      const VerifyContext& context) {
  const bool oncall = !options.oncall_team.empty();
  const std::int64_t ttl = oncall ? options.oncall_ttl_seconds : options.cache_ttl_seconds;
  const std::int64_t grace = oncall ? options.oncall_offline_grace_seconds : options.offline_grace_seconds;
  const auto identity_key = DecisionCache::key_for(*request.refresh_token, options.endpoints.auth_url);
  const auto key = sha256_hex(identity_key + "\n" + team_gate_spec(options));
  DecisionCache cache(options.cache_dir);

  auto cached = [&](std::int64_t max_age, VerifiedBy by) -> std::optional<GateDecision> {
    if (max_age <= 0) return std::nullopt;
    auto entry = cache.read(key);
    if (!entry || entry->reason.empty() || !is_within(*entry, context.clock(), max_age)) return std::nullopt;
    return GateDecision{Verdict::allow, entry->reason, by};
  };
  if (auto hit = cached(ttl, VerifiedBy::cache)) return *hit;

  auto asked = request.squadcast_down
                   ? Result<GateDecision>(Error{ErrorKind::network, "Squadcast unreachable for the identity already"})
                   : ask_squadcast(options, request, context);
  if (!asked) {
    const auto& error = asked.error();
    if (error.kind == ErrorKind::config) {
      return GateDecision{Verdict::config_error, error.message + " (refusing everyone)", VerifiedBy::squadcast};
    }
    if (is_unreachable(error.kind)) {
      if (!may_be_graced(error.kind)) return error;  // a 429: the token's holder can cause it
      if (auto hit = cached(grace, VerifiedBy::offline_grace)) {
        context.debug("Squadcast unreachable (" + error.message + "), using the on-call offline grace");
        return *hit;
      }
      return error;
    }
    cache.erase(key);
    if (error.kind == ErrorKind::revoked) cache.erase(identity_key);  // never a grace after a 401
    return GateDecision{Verdict::deny, error.message, VerifiedBy::squadcast};
  }
  if (asked.value().verdict != Verdict::allow) {
    cache.erase(key);  // a stale yes must not outlive a fresh no
  } else if (ttl > 0 || grace > 0) {
    auto written = cache.write(key, CachedDecision{*request.identity, context.clock(), asked.value().reason});
    if (!written) context.debug("could not write the on-call answer cache: " + written.error().message);
  }
  return asked;
}

}  // namespace squadcast::pam
