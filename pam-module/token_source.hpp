// Where the refresh token comes from: the echo-off prompt, the token a stacked module
// collected (PAM_AUTHTOK), or the PAM user's own credentials file.
#pragma once

#include <security/pam_modules.h>
#include <sys/types.h>

#include <string>

#include "pam_options.hpp"
#include "squadcast/result.hpp"
#include "squadcast/secret.hpp"

namespace squadcast::pam {

struct LocalAccount {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string home;
};

Result<LocalAccount> find_local_account(const std::string& name);

struct SourcedToken {
  Secret token;
  const char* origin;  // for logs: "prompt", "PAM_AUTHTOK", "user_store"
};

// The token in the PAM user's own store (token_source=user_store): account only.
Result<SourcedToken> token_from_user_store(const std::string& pam_user, const std::string& profile);

// auth phase: per token_source, use_first_pass and try_first_pass.
Result<SourcedToken> token_for_auth(pam_handle_t* pamh, const PamOptions& options);

// The user's credentials file ($HOME/.config/squadcast/credentials), read as that user
// (setfsuid/setfsgid) and refused when a symlink, foreign-owned, group/world accessible
// or over 64 KiB.
Result<Secret> read_user_store(const LocalAccount& account, const std::string& profile);

std::string user_store_path(const LocalAccount& account);

}  // namespace squadcast::pam
