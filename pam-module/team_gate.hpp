// require_team= and require_oncall=: checked after the organisation, role, abilities and
// user mapping passed, with the user's own access token (GET /v3/teams, /members,
// /v4/schedules?myOnCall=true). Positive answers are cached apart from the identity, for
// oncall_ttl (require_oncall) or cache_ttl (require_team only), in the same root-only
// directory; while Squadcast is unreachable a cached answer is accepted only within
// oncall_offline_grace (require_oncall) or offline_grace (require_team only).
#pragma once

#include <chrono>
#include <string>

#include "access_policy.hpp"
#include "pam_options.hpp"
#include "squadcast/result.hpp"
#include "squadcast/secret.hpp"
#include "squadcast/token_cache.hpp"
#include "token_verification.hpp"

namespace squadcast::pam {

struct GateDecision {
  Verdict verdict = Verdict::deny;  // allow, deny or config_error (an unknown team refuses everyone)
  std::string reason;               // e.g. "on call: Payments primary (team payments)"
  VerifiedBy by = VerifiedBy::squadcast;
};

bool has_team_gates(const PamOptions& options);

// What the gates ask, in one string: part of the answer cache key, and how account
// knows that auth checked the same thing.
std::string team_gate_spec(const PamOptions& options);

struct GateRequest {
  const Identity* identity = nullptr;
  const Secret* refresh_token = nullptr;
  const Secret* access_token = nullptr;  // from this call's exchange, if it made one
  bool squadcast_down = false;           // the identity itself came from the offline grace
  std::chrono::steady_clock::time_point deadline;
};

// Errors: only the unreachable kinds, when no cached answer within the grace applies.
Result<GateDecision> check_team_gates(const PamOptions& options, const GateRequest& request,
                                      const VerifyContext& context);

}  // namespace squadcast::pam
