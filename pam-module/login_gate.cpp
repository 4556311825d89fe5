#include "login_gate.hpp"

#include <chrono>
#include <ctime>
#include <memory>

#include "access_policy.hpp"
#include "directory_gate.hpp"
#include "team_gate.hpp"
#include "token_source.hpp"
#include "token_verification.hpp"

namespace squadcast::pam {
namespace {

constexpr const char* identity_data_name = "pam_squadcast_identity";

enum class Phase { auth, account };

struct Outcome {
  int code;
  const char* decision;  // allow, deny, unavailable, error
  std::string reason;
};

// Auth says "bad credentials"; account says "not allowed" for the same facts.
int refused(Phase phase) { return phase == Phase::auth ? PAM_AUTH_ERR : PAM_PERM_DENIED; }

Outcome outcome_for_error(Phase phase, const Error& error) {
  switch (error.kind) {
    case ErrorKind::config: return {PAM_SERVICE_ERR, "error", error.message};
    case ErrorKind::invalid_input:
    case ErrorKind::revoked:
    case ErrorKind::refused:
    case ErrorKind::forbidden:
    case ErrorKind::bad_response:
    case ErrorKind::too_large:
    case ErrorKind::not_found:
    case ErrorKind::permission:
      return {refused(phase), "deny", error.message};
    default:
      if (is_unreachable(error.kind)) {
        return {PAM_AUTHINFO_UNAVAIL, "unavailable", std::string("Squadcast unreachable: ") + error.message};
      }
      return {PAM_SYSTEM_ERR, "error", error.message};
  }
}

Outcome outcome_for_decision(const Decision& decision) {
  switch (decision.verdict) {
    case Verdict::allow: return {PAM_SUCCESS, "allow", decision.reason};
    case Verdict::user_unknown: return {PAM_USER_UNKNOWN, "deny", decision.reason};
    case Verdict::config_error: return {PAM_SERVICE_ERR, "error", decision.reason};
    case Verdict::deny: break;
  }
  return {PAM_PERM_DENIED, "deny", decision.reason};
}

struct SessionIdentity {  // what auth leaves in the handle for account: no token
  Identity identity;
  std::string pam_user;
  std::string gate_spec;    // the team/on-call checks auth passed (team_gate_spec)
  std::string gate_reason;  // and what let the user in
};

void cleanup_identity(pam_handle_t*, void* data, int) { delete static_cast<SessionIdentity*>(data); }

void remember_for_account(pam_handle_t* pamh, const Identity& identity, const std::string& pam_user,
                          const std::string& gate_spec, const std::string& gate_reason) {
  auto data = std::make_unique<SessionIdentity>(SessionIdentity{identity, pam_user, gate_spec, gate_reason});
  // On success PAM owns the object and frees it through cleanup_identity.
  if (pam_set_data(pamh, identity_data_name, data.get(), cleanup_identity) == PAM_SUCCESS) {
    (void)data.release();  // NOLINT(bugprone-unused-return-value): ownership handed to PAM
  }
}

void forget_for_account(pam_handle_t* pamh) { pam_set_data(pamh, identity_data_name, nullptr, nullptr); }

const SessionIdentity* identity_from_auth(pam_handle_t* pamh) {
  const void* data = nullptr;
  if (pam_get_data(pamh, identity_data_name, &data) != PAM_SUCCESS) return nullptr;
  return static_cast<const SessionIdentity*>(data);
}

Result<std::string> pam_user_of(pam_handle_t* pamh) {
  const char* user = nullptr;
  if (pam_get_user(pamh, &user, nullptr) != PAM_SUCCESS || user == nullptr || *user == '\0') {
    return Error{ErrorKind::invalid_input, "no PAM user"};
  }
  return std::string(user);
}

VerifyContext verify_context(const PamOptions& options, const PamLog& log, const std::string& user,
                             const LocalUsers& users) {
  VerifyContext context;
  context.clock = [] { return static_cast<std::int64_t>(::time(nullptr)); };
  context.debug = [&log](std::string_view message) { log.debug(message); };
  context.warn = [&log](std::string_view message) { log.warning(message); };
  context.allowed = [&options, user, &users](const Identity& identity) {
    return evaluate_access(options, identity, user, users).verdict == Verdict::allow;
  };
  return context;
}

// Token in hand: verify, check, log, and answer.
int decide(pam_handle_t* pamh, Phase phase, const PamOptions& options, const PamLog& log, const std::string& user,
           const Result<SourcedToken>& sourced) {
  const char* phase_name = phase == Phase::auth ? "auth" : "account";
  if (!sourced) {
    // No usable token (refused file, empty answer, failed conversation): a refusal, not an outage.
    const auto& error = sourced.error();
    Outcome outcome = error.kind == ErrorKind::config ? Outcome{PAM_SERVICE_ERR, "error", error.message}
                                                      : Outcome{refused(phase), "deny", error.message};
    log.decision({phase_name, user, "", "", outcome.decision, "no token: " + outcome.reason, "-"});
    return outcome.code;
  }
  log.debug(std::string(phase_name) + ": token from " + sourced.value().origin + ", " +
            std::to_string(sourced.value().token.size()) + " characters");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(options.timeout_seconds);
  HttpConnection connection;  // the exchange, user lookup and team checks share it
  auto users = system_local_users();
  auto context = verify_context(options, log, user, users);
  context.connection = &connection;
  auto verified = verify_token(options, sourced.value().token, context);
  if (!verified) {
    auto outcome = outcome_for_error(phase, verified.error());
    log.decision({phase_name, user, "", "", outcome.decision, outcome.reason, "squadcast"});
    return outcome.code;
  }
  const auto& identity = verified.value().identity;
  auto outcome = outcome_for_decision(evaluate_access(options, identity, user, users));
  const char* source = to_string(verified.value().by);
  std::string gate_reason;
  if (outcome.code == PAM_SUCCESS && has_team_gates(options)) {
    const auto& access_token = verified.value().access_token;
    GateRequest request{&identity, &sourced.value().token, access_token ? &*access_token : nullptr,
                        verified.value().by == VerifiedBy::offline_grace, deadline};
    auto gate = check_team_gates(options, request, context);
    if (!gate) {
      outcome = outcome_for_error(phase, gate.error());
    } else {
      outcome = outcome_for_decision(Decision{gate.value().verdict, gate.value().reason, {}});
      source = to_string(gate.value().by);
      gate_reason = gate.value().reason;
    }
  }
  log.decision({phase_name, user, identity.email, identity.role, outcome.decision, outcome.reason, source});
  if (outcome.code == PAM_SUCCESS && phase == Phase::auth) {
    remember_for_account(pamh, identity, user, has_team_gates(options) ? team_gate_spec(options) : "", gate_reason);
  }
  return outcome.code;
}

// Directory mode: the host's own credential asks Squadcast about the person.
int decide_from_host(const PamOptions& options, const PamLog& log, const std::string& user) {
  HttpConnection connection;  // every roster fetched in this call shares it
  DirectoryContext context;
  context.clock = [] { return static_cast<std::int64_t>(::time(nullptr)); };
  context.debug = [&log](std::string_view message) { log.debug(message); };
  context.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(options.timeout_seconds);
  context.connection = &connection;
  auto decided = decide_from_directory(options, user, system_local_users(), context);
  if (!decided) {
    auto outcome = outcome_for_error(Phase::account, decided.error());
    log.decision({"account", user, "", "", outcome.decision, outcome.reason, "directory"});
    return outcome.code;
  }
  const auto& decision = decided.value();
  for (const auto& roster : decision.rosters) log.debug("account: roster used: " + roster);  // for squadcast-pam-check
  auto outcome = outcome_for_decision(Decision{decision.verdict, decision.reason, {}});
  log.decision({"account", user, decision.person.email, decision.person.role, outcome.decision, outcome.reason,
                decision.source});
  return outcome.code;
}

// user_store needs a local account to find the file; without one the user is unknown.
bool unknown_store_owner(const PamOptions& options, const PamLog& log, const char* phase, const std::string& user) {
  if (options.token_source != TokenSource::user_store || find_local_account(user)) return false;
  log.decision({phase, user, "", "", "deny", "no local user " + user + " to read a token store for", "-"});
  return true;
}

}  // namespace

int authenticate(pam_handle_t* pamh, const PamOptions& options, const PamLog& log) {
  forget_for_account(pamh);
  auto user = pam_user_of(pamh);
  if (!user) {
    log.decision({"auth", "", "", "", "deny", user.error().message, "-"});
    return PAM_USER_UNKNOWN;
  }
  return decide(pamh, Phase::auth, options, log, user.value(), token_for_auth(pamh, options));
}

int check_account(pam_handle_t* pamh, const PamOptions& options, const PamLog& log) {
  auto user = pam_user_of(pamh);
  if (!user) {
    log.decision({"account", "", "", "", "deny", user.error().message, "-"});
    return PAM_USER_UNKNOWN;
  }
  // Only the host's view counts, whatever auth proved with a token in the same stack.
  if (options.token_source == TokenSource::host) return decide_from_host(options, log, user.value());
  if (const auto* from_auth = identity_from_auth(pamh)) {
    if (from_auth->pam_user != user.value()) {  // PAM_USER was changed after auth
      log.decision({"account", user.value(), from_auth->identity.email, from_auth->identity.role, "deny",
                    "authenticated as " + from_auth->pam_user + ", not " + user.value(), "auth"});
      return PAM_PERM_DENIED;
    }
    auto users = system_local_users();
    auto outcome = outcome_for_decision(evaluate_access(options, from_auth->identity, user.value(), users));
    // Team and on-call: auth checked them seconds ago with the token it had; account has
    // no token, so it reuses that answer when it asks the same, or reads the user's store.
    const bool gated = has_team_gates(options);
    const bool same_gates = !gated || from_auth->gate_spec == team_gate_spec(options);
    if (outcome.code == PAM_SUCCESS && gated && same_gates) outcome.reason = from_auth->gate_reason;
    if (same_gates || options.token_source != TokenSource::user_store) {
      if (outcome.code == PAM_SUCCESS && !same_gates) {
        outcome = {PAM_PERM_DENIED, "deny",
                   "account asks for require_team/require_oncall that auth did not check "
                   "(give auth the same options, or token_source=user_store)"};
      }
      log.decision({"account", user.value(), from_auth->identity.email, from_auth->identity.role, outcome.decision,
                    outcome.reason, "auth"});
      return outcome.code;
    }
  }
  if (options.token_source != TokenSource::user_store) {
    log.decision({"account", user.value(), "", "", "deny",
                  "no Squadcast login in this session (token_source=user_store gates key logins)", "-"});
    return PAM_PERM_DENIED;
  }
  if (unknown_store_owner(options, log, "account", user.value())) return PAM_USER_UNKNOWN;
  return decide(pamh, Phase::account, options, log, user.value(),
                token_from_user_store(user.value(), options.profile));
}

}  // namespace squadcast::pam
