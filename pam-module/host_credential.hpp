// Directory mode's own credential: the refresh token of a dedicated Squadcast user (role
// user, no abilities, in no team), one token per host, in host_token= (root-owned 0600,
// not a symlink; installed by squadcast-pam-check --enroll). Its access token is cached
// root-only in cache_dir/host, so logins exchange it once per its lifetime, not per login.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "pam_options.hpp"
#include "squadcast/http_client.hpp"
#include "squadcast/result.hpp"
#include "squadcast/secret.hpp"
#include "squadcast/token_cache.hpp"

namespace squadcast::pam {

// Every problem with the host credential refuses everyone: these say how to fix it.
extern const char* const host_credential_revoked;

// The token in host_token=, checked: regular, owned by us (root), mode 0600, not a symlink,
// a plausible token. Errors are config errors (PAM_SERVICE_ERR) whose text names the fix.
Result<Secret> read_host_token(const std::string& path);

// The host's access token and identity, from cache_dir/host while valid, else one exchange
// (single flight). A 401 erases the cached one and is reported as host_credential_revoked;
// a rotated refresh token is written back to host_token= atomically.
class HostCredential {
 public:
  HostCredential(const PamOptions& options, Secret refresh_token);
  const Secret& refresh_token() const { return refresh_token_; }
  // Names the credential in roster keys, never the token itself.
  const std::string& key() const { return key_; }
  Result<const CachedToken*> access(const HttpOptions& http, std::int64_t now, std::chrono::milliseconds lock_wait);
  // An API call answered 401 to the cached access token: the credential was revoked.
  void forget_access();

 private:
  const PamOptions& options_;
  Secret refresh_token_;
  std::string key_;
  TokenCache cache_;
  std::optional<CachedToken> token_;
};

}  // namespace squadcast::pam
