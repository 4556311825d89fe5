// Where refresh tokens live. The helper has several stores (Secret Service, file,
// environment); all implement this interface.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "squadcast/result.hpp"
#include "squadcast/secret.hpp"

namespace squadcast {

struct StoredCredential {
  Secret refresh_token;
  std::string email;     // for display and for git's username
  std::string auth_url;  // which Squadcast the token belongs to
  std::int64_t stored_at = 0;
};

class CredentialStore {
 public:
  virtual ~CredentialStore() = default;
  virtual const char* name() const = 0;
  // not_found error when nothing is stored for the profile.
  virtual Result<StoredCredential> get(const std::string& profile) = 0;
  virtual Status put(const std::string& profile, const StoredCredential& credential) = 0;
  virtual Status erase(const std::string& profile) = 0;
  virtual Result<std::vector<std::string>> list() = 0;
};

}  // namespace squadcast
