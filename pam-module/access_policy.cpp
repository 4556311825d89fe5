#include "access_policy.hpp"

#include <algorithm>

#include "squadcast/roles.hpp"

namespace squadcast::pam {

Decision evaluate_access(const PamOptions& options, const Identity& identity, std::string_view pam_user,
                         const LocalUsers& users) {
  if (!options.any_org && identity.organization_id != options.org_id) {
    return {Verdict::deny, "organisation " + identity.organization_id + " is not " + options.org_id, {}};
  }
  if (!role_satisfies(identity.role, options.min_role)) {
    return {Verdict::deny,
            "role " + (identity.role.empty() ? std::string("(none)") : identity.role) + " is below " +
                to_string(options.min_role),
            {}};
  }
  for (const auto& ability : options.required_abilities) {
    if (std::find(identity.abilities.begin(), identity.abilities.end(), ability) == identity.abilities.end()) {
      return {Verdict::deny, "missing ability " + ability, {}};
    }
  }
  auto local = map_email_to_local_user(options.user_map, identity.email, users);
  if (!local) {
    auto verdict = local.error().kind == ErrorKind::config ? Verdict::config_error : Verdict::user_unknown;
    return {verdict, local.error().message, {}};
  }
  if (local.value() != pam_user) {
    return {Verdict::deny, "token belongs to local user " + local.value() + ", not " + std::string(pam_user),
            local.value()};
  }
  return {Verdict::allow, "all checks passed", local.value()};
}

const char* to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::allow: return "allow";
    case Verdict::deny: return "deny";
    case Verdict::user_unknown: return "user_unknown";
    case Verdict::config_error: return "config_error";
  }
  return "deny";
}

}  // namespace squadcast::pam
