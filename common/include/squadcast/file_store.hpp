// The credentials file: versioned JSON at $XDG_CONFIG_HOME/squadcast/credentials, 0600,
// refused when loose, foreign or a symlink. The PAM module reads the same format.
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <map>
#include <string>
#include <string_view>

#include "squadcast/credential_store.hpp"

namespace squadcast {

inline constexpr int credentials_file_version = 1;
inline constexpr std::size_t credentials_file_max_size = 64 * 1024;

using CredentialsByProfile = std::map<std::string, StoredCredential>;

Secret serialize_credentials_file(const CredentialsByProfile& credentials);
Result<CredentialsByProfile> parse_credentials_file(std::string_view text);

class FileStore : public CredentialStore {
 public:
  explicit FileStore(std::string path, uid_t owner = ::geteuid());
  static std::string default_path();
  const std::string& path() const { return path_; }

  const char* name() const override { return "file"; }
  Result<StoredCredential> get(const std::string& profile) override;
  Status put(const std::string& profile, const StoredCredential& credential) override;
  Status erase(const std::string& profile) override;
  Result<std::vector<std::string>> list() override;

 private:
  Result<CredentialsByProfile> load_all();
  std::string path_;
  uid_t owner_;
};

}  // namespace squadcast
