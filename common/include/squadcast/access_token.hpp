// The whole "give me a valid access token" flow shared by the helper and the PAM module:
// cache, single flight, exchange, identity, write back.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <ctime>
#include <string>

#include "squadcast/endpoints.hpp"
#include "squadcast/http_client.hpp"
#include "squadcast/result.hpp"
#include "squadcast/secret.hpp"
#include "squadcast/token_cache.hpp"

namespace squadcast {

struct TokenRequest {
  Endpoints endpoints;
  HttpOptions http;
  const TokenCache* cache = nullptr;  // null: no caching
  std::string cache_key;
  std::int64_t min_validity = 300;
  std::chrono::milliseconds lock_wait{15000};
  std::function<std::int64_t()> clock = [] { return static_cast<std::int64_t>(::time(nullptr)); };
  // Called as soon as an exchange hands out a new refresh token, even when a later step
  // of the same call (user lookup, expiry check) fails: the server already retired the
  // old one, so the new one must be stored whatever happens next.
  std::function<void(const Secret&)> on_rotated;
};

struct ObtainedToken {
  CachedToken token;
  bool from_cache = false;
  std::optional<Secret> rotated_refresh_token;  // set when the server issued a new one
};

// Called only on a cache miss, so a cache hit never touches the credential store.
using RefreshTokenLoader = std::function<Result<Secret>()>;

// Exchange and identify, without the cache. With a connection, later calls of the same
// flow (team and on-call lookups) reuse its TLS session.
Result<CachedToken> fetch_access_token(const Endpoints& endpoints, const Secret& refresh_token,
                                       const HttpOptions& options, std::int64_t now,
                                       std::optional<Secret>* rotated, HttpConnection* connection = nullptr);

// On a 401 the cached entry is erased before the error is returned.
Result<ObtainedToken> obtain_access_token(const TokenRequest& request,
                                          const RefreshTokenLoader& load_refresh_token);

}  // namespace squadcast
