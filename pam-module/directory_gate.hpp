// Directory mode (token_source=host, account only): the host asks Squadcast about the
// person with its own credential; no person's token ever reaches the host.
//
//   PAM user -> exactly one email (user_map, email_domain)
//   -> the person's record by email (role, abilities; a deleted user is refused)
//   -> organisation, role and abilities as in token mode (evaluate_access)
//   -> require_team: the team's members; require_oncall: whoIsOncall (squads, paused)
//
// Every answer comes through the roster cache (roster_cache.hpp): calls per host follow
// teams and people, never logins. What the host keeps: its own credential (which reads the
// directory and on-call, and is revoked alone) and rosters of emails, root-only.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "access_policy.hpp"
#include "pam_options.hpp"
#include "squadcast/http_client.hpp"
#include "squadcast/result.hpp"
#include "squadcast/token_cache.hpp"
#include "user_mapping.hpp"

namespace squadcast::pam {

struct DirectoryContext {
  std::function<std::int64_t()> clock;
  std::function<void(std::string_view)> debug;  // never given a token
  std::chrono::steady_clock::time_point deadline;
  HttpConnection* connection = nullptr;
};

struct DirectoryDecision {
  Verdict verdict = Verdict::deny;
  std::string reason;
  Identity person;                   // what the directory said (email at least, once mapped)
  std::string source;                // roster-cache, squadcast or roster-offline-grace
  std::vector<std::string> rosters;  // each roster used, described for squadcast-pam-check
};

// Errors: config (host credential missing, loose, revoked or of another organisation; an
// unknown team: everyone is refused), the unreachable kinds when no roster applies, or a
// verdict-like error (a GraphQL error, a malformed answer: never "nobody", never "everybody").
Result<DirectoryDecision> decide_from_directory(const PamOptions& options, const std::string& pam_user,
                                                const LocalUsers& users, const DirectoryContext& context);

}  // namespace squadcast::pam
