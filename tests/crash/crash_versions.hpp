// The two versions the crash writer alternates between, and how to tell them apart. Both
// are several KiB so that a write takes more than one system call.
#pragma once

#include <string>

#include "squadcast/file_store.hpp"
#include "squadcast/token_cache.hpp"

namespace squadcast::crash {

inline const std::string cache_key = TokenCache::key_for_profile("default", "https://auth.squadcast.com");
inline constexpr const char* profile = "default";

inline CachedToken cache_version(bool newer) {
  const std::string tag = newer ? "new" : "old";
  CachedToken entry;
  entry.access_token = Secret(tag + "header." + std::string(6000, newer ? 'N' : 'O') + ".signature");
  entry.expires_at = newer ? 1900000000 : 1800000000;
  entry.issued_at = entry.expires_at - 172800;
  entry.fetched_at = entry.issued_at + 1;
  entry.identity = {"5e8edb1f7e6f7d0001a10002", tag + "@acme.test", "Alice", "5e8edb1f7e6f7d0001a1c0de",
                    newer ? "admin" : "user", {}};
  for (int i = 0; i < 200; ++i) entry.identity.abilities.push_back(tag + "-ability-" + std::to_string(i));
  return entry;
}

inline StoredCredential credential_version(bool newer) {
  return StoredCredential{Secret(std::string(4000, newer ? 'b' : 'a')), newer ? "new@acme.test" : "old@acme.test",
                          "https://auth.squadcast.com", newer ? 1700000002 : 1700000001};
}

inline bool same(const CachedToken& a, const CachedToken& b) {
  return a.access_token.equals(b.access_token) && a.expires_at == b.expires_at && a.issued_at == b.issued_at &&
         a.fetched_at == b.fetched_at && a.identity.user_id == b.identity.user_id &&
         a.identity.email == b.identity.email && a.identity.role == b.identity.role &&
         a.identity.abilities == b.identity.abilities;
}

inline bool same(const StoredCredential& a, const StoredCredential& b) {
  return a.refresh_token.equals(b.refresh_token) && a.email == b.email && a.auth_url == b.auth_url &&
         a.stored_at == b.stored_at;
}

}  // namespace squadcast::crash
