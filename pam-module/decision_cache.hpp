// Positive results, so a login within cache_ttl (or within offline_grace while Squadcast
// is unreachable) needs no exchange. Holds the identity only, never a token; named by a
// hash of the token, in a directory only root can enter.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "squadcast/private_file.hpp"
#include "squadcast/result.hpp"
#include "squadcast/secret.hpp"
#include "squadcast/token_cache.hpp"

namespace squadcast::pam {

struct CachedDecision {
  Identity identity;
  std::int64_t verified_at = 0;  // when Squadcast last confirmed this token
  std::string reason{};          // on-call entries: which team and schedule allowed it
};

// Age in [0, max_age): a clock that went backwards never makes an entry fresh.
bool is_within(const CachedDecision& entry, std::int64_t now, std::int64_t max_age);

std::string serialize_decision(const CachedDecision& entry);
std::optional<CachedDecision> parse_decision(std::string_view text);

class DecisionCache {
 public:
  explicit DecisionCache(std::string dir) : dir_(std::move(dir)) {}

  static std::string key_for(const Secret& refresh_token, std::string_view auth_url);

  // The directory exists (created 0700 if missing), is ours, not a symlink, not open to
  // others, and no directory above it lets others swap it. Otherwise nothing in it may
  // be trusted or written.
  Status usable() const;
  std::optional<CachedDecision> read(const std::string& key) const;  // anything odd: nullopt
  Status write(const std::string& key, const CachedDecision& entry) const;
  void erase(const std::string& key) const;
  // Single flight: one exchange per token at a time across processes. Keys share 256 lock
  // files (by the key's first two hex digits): a lock file may never be removed while
  // another process could be waiting on it, so there must be few of them.
  Result<FileLock> lock(const std::string& key, std::chrono::milliseconds wait) const;
  // Keeps cache_dir bounded: at most once a minute, removes the entries nobody has written
  // for keep_seconds (no decision can use them any more) and the per-key lock files of
  // earlier versions. Cold path only: a cache hit never scans.
  void sweep(std::int64_t now, std::int64_t keep_seconds) const;

 private:
  std::string path_for(const std::string& key, std::string_view suffix) const;
  std::string dir_;
};

}  // namespace squadcast::pam
