// The access-token cache: one JSON file per key, named by SHA-256 so the name reveals
// nothing. Anything odd about a file makes it a miss, never a crash.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "squadcast/private_file.hpp"
#include "squadcast/result.hpp"
#include "squadcast/secret.hpp"

namespace squadcast {

struct Identity {
  std::string user_id;
  std::string email;
  std::string first_name;
  std::string organization_id;
  std::string role;
  std::vector<std::string> abilities;
};

struct CachedToken {
  Secret access_token;
  std::int64_t expires_at = 0;
  std::int64_t issued_at = 0;
  std::int64_t fetched_at = 0;
  Identity identity;
};

// Usable while now < expires_at - min_validity (and fetched_at is not in the future,
// which would mean the clock jumped back).
bool is_usable(const CachedToken& entry, std::int64_t now, std::int64_t min_validity);

Secret serialize_cache_entry(const CachedToken& entry);  // holds the token: a Secret
std::optional<CachedToken> parse_cache_entry(std::string_view text);

class TokenCache {
 public:
  explicit TokenCache(std::string dir);
  const std::string& dir() const { return dir_; }

  // Key for a refresh token at an auth URL (the PAM module's entries).
  static std::string key_for_token(const Secret& refresh_token, std::string_view auth_url);
  // Key for a stored profile (the helper's entries: found without reading the store).
  static std::string key_for_profile(std::string_view profile, std::string_view auth_url);

  std::optional<CachedToken> read(const std::string& key) const;
  Status write(const std::string& key, const CachedToken& entry) const;
  void erase(const std::string& key) const;
  Result<FileLock> lock(const std::string& key, std::chrono::milliseconds wait) const;

 private:
  std::string path_for(const std::string& key) const;
  std::string dir_;
};

}  // namespace squadcast
