#include "squadcast/access_token.hpp"

#include "squadcast/ascii_text.hpp"
#include "squadcast/exchange.hpp"
#include "squadcast/jwt_claims.hpp"
#include "squadcast/user_lookup.hpp"

namespace squadcast {

Result<CachedToken> fetch_access_token(const Endpoints& endpoints, const Secret& refresh_token,
                                       const HttpOptions& options, std::int64_t now, std::optional<Secret>* rotated,
                                       HttpConnection* shared_connection) {
  HttpOptions http = options;  // the exchange and the user lookup share one deadline
  if (!http.not_after) http.not_after = std::chrono::steady_clock::now() + http.deadline;
  HttpConnection own_connection;  // one TLS handshake for both requests
  HttpConnection& connection = shared_connection != nullptr ? *shared_connection : own_connection;
  auto exchanged = exchange_refresh_token(endpoints, refresh_token, http, &connection);
  if (!exchanged) return exchanged.error();
  ExchangedToken& token = exchanged.value();
  if (rotated && !token.refresh_token.equals(refresh_token)) *rotated = token.refresh_token;
  if (token.expires_at <= now) {
    return Error{ErrorKind::bad_response,
                 "Squadcast issued an access token that has already expired; check this machine's clock"};
  }

  auto claims = decode_token_claims(token.access_token);
  if (!claims) return claims.error();
  auto user = fetch_user(endpoints, token.access_token, claims.value().user_id, http, &connection);
  if (!user) return user.error();
  // The role comes from the lookup, the identity from the token: they must be one person.
  if (user.value().id.empty()) return Error{ErrorKind::bad_response, "the user lookup answer has no user id"};
  if (user.value().id != claims.value().user_id) {
    return Error{ErrorKind::bad_response, "the user lookup answered for user id " + user.value().id +
                                              ", not the token's " + claims.value().user_id};
  }
  if (to_lower_ascii(user.value().email) != to_lower_ascii(claims.value().email)) {
    return Error{ErrorKind::bad_response,
                 "the user lookup answered with another email than the token's " + claims.value().email};
  }

  CachedToken entry;
  entry.access_token = std::move(token.access_token);
  entry.expires_at = token.expires_at;
  entry.issued_at = token.issued_at;
  entry.fetched_at = now;
  entry.identity = {claims.value().user_id,        claims.value().email, claims.value().first_name,
                    claims.value().organization_id, user.value().role,    user.value().abilities};
  return entry;
}

Result<ObtainedToken> obtain_access_token(const TokenRequest& request, const RefreshTokenLoader& load_refresh_token) {
  const TokenCache* cache = request.cache;
  if (cache) {
    if (auto hit = cache->read(request.cache_key); hit && is_usable(*hit, request.clock(), request.min_validity)) {
      return ObtainedToken{std::move(*hit), true, std::nullopt};
    }
  }

  // Single flight: whoever holds the lock exchanges; the others find its result after.
  std::optional<FileLock> lock;
  if (cache) {
    auto locked = cache->lock(request.cache_key, request.lock_wait);
    if (locked) {
      lock.emplace(std::move(locked.value()));
      if (auto hit = cache->read(request.cache_key); hit && is_usable(*hit, request.clock(), request.min_validity)) {
        return ObtainedToken{std::move(*hit), true, std::nullopt};
      }
    }
    // Lock trouble (unsafe directory, timeout) must not stop the exchange itself.
  }

  auto refresh_token = load_refresh_token();
  if (!refresh_token) return refresh_token.error();

  ObtainedToken obtained;
  auto fetched = fetch_access_token(request.endpoints, refresh_token.value(), request.http, request.clock(),
                                    &obtained.rotated_refresh_token);
  if (obtained.rotated_refresh_token && request.on_rotated) request.on_rotated(*obtained.rotated_refresh_token);
  if (!fetched) {
    if (cache && fetched.error().kind == ErrorKind::revoked) cache->erase(request.cache_key);
    return fetched.error();
  }
  obtained.token = std::move(fetched.value());
  if (cache) (void)cache->write(request.cache_key, obtained.token);  // a failed write costs a later exchange only
  return obtained;
}

}  // namespace squadcast
