// The checks, in order: organisation, role, abilities, then that the token's email maps
// to the PAM user. One decision with the reason, for the return code and the log line.
#pragma once

#include <string>
#include <string_view>

#include "pam_options.hpp"
#include "squadcast/token_cache.hpp"
#include "user_mapping.hpp"

namespace squadcast::pam {

enum class Verdict {
  allow,
  deny,          // wrong organisation, role, ability, or someone else's token
  user_unknown,  // the mapping has no local user
  config_error,  // e.g. the user map file cannot be read
};

struct Decision {
  Verdict verdict = Verdict::deny;
  std::string reason;
  std::string local_user;  // set when the email mapped
};

Decision evaluate_access(const PamOptions& options, const Identity& identity, std::string_view pam_user,
                         const LocalUsers& users);

const char* to_string(Verdict verdict);

}  // namespace squadcast::pam
