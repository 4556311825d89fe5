// The real Account: configuration, the access-token cache, and a credential store that is
// selected (and, for the Secret Service, loaded) only when a refresh token is needed.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "account.hpp"
#include "squadcast/config.hpp"
#include "squadcast/http_client.hpp"
#include "stores/store_selection.hpp"

namespace squadcast::helper {

class SquadcastAccount : public Account {
 public:
  // `warnings` gets one-line notes that are not errors (a rotated token that could not be saved).
  SquadcastAccount(Config config, Getenv getenv, std::ostream& warnings);

  const std::string& profile() const override { return config_.profile; }
  const std::string& auth_url() const override { return config_.endpoints.auth_url; }
  bool serves(std::string_view scheme, std::string_view host) const override;
  std::string server_name() const override;

  Result<AccessGrant> access_token() override;
  Result<AccessGrant> access_token_valid_for(std::int64_t seconds) override;
  std::string named_region() const override;
  Status offer_secret(const Secret& secret, std::string_view username) override;
  void drop_cached_token() override;

  Result<AccessGrant> login(const Secret& refresh_token) override;
  Status logout() override;
  Result<StoredCredential> stored_credential() override;
  std::string store_description() override;
  bool has_usable_cached_token() const override;
  HttpOptions http_options() const;
  std::optional<ApiClient> api() const override { return ApiClient{config_.endpoints, http_options()}; }

  // For `doctor`: the cache entry as it is, and an exchange even when the cache holds a
  // valid token (a rotated token is saved; the cache keeps its entry if the exchange fails).
  std::optional<CachedToken> cached_entry() const;
  Result<AccessGrant> exchange_now();
  const Config& config() const { return config_; }

 private:
  Result<CredentialStore*> store();
  Status refuse_unsafe_credentials_file();
  Result<StoredCredential> load_credential();
  Error for_people(const Error& error) const;
  void save_rotated(const Secret& rotated, const std::string& email);

  Config config_;
  Getenv getenv_;
  std::ostream& warnings_;
  TokenCache cache_;
  std::string cache_key_;
  std::vector<UrlParts> urls_;  // auth, api
  std::optional<SelectedStore> selected_;
  // A refresh token Squadcast rotated that the store could not keep (the env store): the
  // stored one is retired, so for the rest of this run this is the working one.
  std::optional<Secret> unsaved_rotation_;
};

}  // namespace squadcast::helper
