// What the faces (git, docker, terraform, people) may ask of the configured Squadcast
// account. Protocol code talks only to this interface, so it is tested in-process with a
// fake; SquadcastAccount is the real one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "squadcast/credential_store.hpp"
#include "squadcast/endpoints.hpp"
#include "squadcast/http_client.hpp"
#include "squadcast/result.hpp"
#include "squadcast/secret.hpp"
#include "squadcast/token_cache.hpp"

namespace squadcast::helper {

// Where and how to call the API with an access token (token administration, teams, on-call).
struct ApiClient {
  Endpoints endpoints;
  HttpOptions http;
};

struct AccessGrant {
  Secret access_token;
  std::int64_t expires_at = 0;
  Identity identity;
  bool from_cache = false;
};

class Account {
 public:
  virtual ~Account() = default;

  virtual const std::string& profile() const = 0;
  virtual const std::string& auth_url() const = 0;

  // Whether a request for `host` ("name" or "name:port") over `scheme` is for the
  // configured Squadcast API or auth host with that very scheme: https, or http only where
  // the configuration allows plain http to loopback. No scheme ("") never matches: a token
  // is never handed out without knowing it travels over TLS.
  virtual bool serves(std::string_view scheme, std::string_view host) const = 0;
  // "host[:port]" of the API: the server name docker `list` reports.
  virtual std::string server_name() const = 0;

  // A valid access token. Error messages are ready to show to people (one line, no token).
  virtual Result<AccessGrant> access_token() = 0;
  // The same, valid for at least `seconds` more (an exchange first when the cached one
  // expires sooner): exec hands it to runs that may last a while.
  virtual Result<AccessGrant> access_token_valid_for(std::int64_t seconds) = 0;
  // "us" or "eu" when the endpoints are that region's own, "" for explicit URLs.
  virtual std::string named_region() const = 0;
  // A secret a tool wants stored: kept as the refresh token unless it is an access token.
  virtual Status offer_secret(const Secret& secret, std::string_view username) = 0;
  // Forgets the cached access token (the refresh token stays).
  virtual void drop_cached_token() = 0;

  // People commands.
  virtual Result<AccessGrant> login(const Secret& refresh_token) = 0;
  virtual Status logout() = 0;
  virtual Result<StoredCredential> stored_credential() = 0;
  virtual std::string store_description() = 0;
  virtual bool has_usable_cached_token() const = 0;
  // For API calls beyond the token (tokens, oncall, status's teams); none by default (fakes).
  virtual std::optional<ApiClient> api() const { return std::nullopt; }
};

// The account's API client, or a configuration error when it has none (test fakes).
inline Result<ApiClient> api_client_of(const Account& account) {
  auto api = account.api();
  if (!api) return Error{ErrorKind::config, "this account cannot call the Squadcast API"};
  return *api;
}

}  // namespace squadcast::helper
