// Refresh tokens in the Secret Service (gnome-keyring, KWallet...), through the
// squadcast-secretservice.so plugin so that the helper itself never links libsecret/glib.
#pragma once

#include <memory>
#include <string>

#include "squadcast/credential_store.hpp"

struct squadcast_secret_service_table;

namespace squadcast::helper {

class SecretServiceStore : public CredentialStore {
 public:
  // dlopen()s the plugin; an error names the path and dlerror().
  static Result<std::unique_ptr<SecretServiceStore>> load(const std::string& plugin_path);
  ~SecretServiceStore() override;
  SecretServiceStore(const SecretServiceStore&) = delete;
  SecretServiceStore& operator=(const SecretServiceStore&) = delete;

  // Whether a Secret Service answers within timeout_ms.
  Status ping(int timeout_ms);

  const char* name() const override { return "secretservice"; }
  Result<StoredCredential> get(const std::string& profile) override;
  Status put(const std::string& profile, const StoredCredential& credential) override;
  Status erase(const std::string& profile) override;
  Result<std::vector<std::string>> list() override;

 private:
  SecretServiceStore(void* library, const squadcast_secret_service_table* table);
  Error take_error(char* message) const;
  void* library_;
  const squadcast_secret_service_table* table_;
};

}  // namespace squadcast::helper
