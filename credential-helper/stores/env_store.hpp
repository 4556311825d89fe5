// SQUADCAST_REFRESH_TOKEN as a read-only store, for CI.
#pragma once

#include <string>

#include "squadcast/credential_store.hpp"

namespace squadcast::helper {

inline constexpr const char* refresh_token_variable = "SQUADCAST_REFRESH_TOKEN";

class EnvStore : public CredentialStore {
 public:
  // `token` is the variable's value; every profile sees it.
  EnvStore(Secret token, std::string auth_url);
  const char* name() const override { return "env"; }
  Result<StoredCredential> get(const std::string& profile) override;
  Status put(const std::string& profile, const StoredCredential& credential) override;
  Status erase(const std::string& profile) override;
  Result<std::vector<std::string>> list() override;

 private:
  Secret token_;
  std::string auth_url_;
};

}  // namespace squadcast::helper
