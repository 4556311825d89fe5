#include "squadcast_account.hpp"

#include <ctime>

#include "credentials_file_rules.hpp"
#include "error_reporting.hpp"
#include "host_names.hpp"
#include "offered_secret.hpp"
#include "squadcast/access_token.hpp"
#include "squadcast/exchange.hpp"
#include "squadcast/file_store.hpp"
#include "stores/env_store.hpp"

namespace squadcast::helper {

namespace {
std::int64_t now() { return static_cast<std::int64_t>(::time(nullptr)); }

AccessGrant grant_from(const CachedToken& token, bool from_cache) {
  return AccessGrant{token.access_token, token.expires_at, token.identity, from_cache};
}

std::string login_hint(const std::string& profile) {
  std::string hint = "run 'squadcast-credential login";
  if (profile != "default") hint += " --profile " + profile;
  return hint + "'";
}
}  // namespace

SquadcastAccount::SquadcastAccount(Config config, Getenv getenv, std::ostream& warnings)
    : config_(std::move(config)), getenv_(std::move(getenv)), warnings_(warnings), cache_(user_cache_dir(getenv_)) {
  if (uses_environment_token(config_.credential_backend, getenv_)) {
    // CI tokens are not stored under a profile: key the cache by the token itself.
    const char* token = getenv_(refresh_token_variable);
    cache_key_ = TokenCache::key_for_token(Secret(token ? token : ""), config_.endpoints.auth_url);
  } else {
    cache_key_ = TokenCache::key_for_profile(config_.profile, config_.endpoints.auth_url);
  }
  for (const std::string* url : {&config_.endpoints.auth_url, &config_.endpoints.api_url}) {
    if (auto parts = parse_url(*url)) urls_.push_back(parts.value());
  }
}

bool SquadcastAccount::serves(std::string_view scheme, std::string_view host) const {
  for (const UrlParts& url : urls_) {
    if (host_of_url(url) == host && scheme == url.scheme) return true;
  }
  return false;
}

std::string SquadcastAccount::server_name() const { return urls_.empty() ? "" : host_of_url(urls_.back()); }

HttpOptions SquadcastAccount::http_options() const {
  HttpOptions http;
  http.deadline = std::chrono::seconds(config_.timeout_seconds);
  http.ca_file = config_.ca_file;
  http.allow_http_loopback = config_.allow_http_loopback;
  return http;
}

Result<CredentialStore*> SquadcastAccount::store() {
  if (!selected_) {
    auto selected = select_credential_store(config_.credential_backend, config_.endpoints.auth_url, getenv_);
    if (!selected) return selected.error();
    selected_ = std::move(selected).value();
  }
  return selected_->store.get();
}

// A credentials file others could read (or swap) is refused before any token leaves, a
// cached one too: otherwise a loose file goes unnoticed until the access token expires.
// Only when the file store is this run's store: the Secret Service and the env store have
// no such file. Deciding that for `auto` with a session bus means asking D-Bus, which a
// cache hit never does, so that question is asked only once the file is found wanting.
Status SquadcastAccount::refuse_unsafe_credentials_file() {
  const std::string& backend = config_.credential_backend;
  if (backend == "secretservice" || uses_environment_token(backend, getenv_)) return success();
  if (selected_ && std::string_view(selected_->store->name()) != "file") return success();
  const CredentialsFileState file = inspect_credentials_file(FileStore::default_path());
  if (!file.refusal) return success();
  if (!selected_) {
    auto selected = store();
    if (selected && std::string_view(selected.value()->name()) != "file") return success();
  }
  return credentials_file_error(*file.refusal);
}

std::string SquadcastAccount::store_description() {
  auto selected = store();
  return selected ? selected_->description : "none (" + selected.error().message + ")";
}

Result<StoredCredential> SquadcastAccount::load_credential() {
  auto selected = store();
  if (!selected) return selected.error();
  if (auto safe = refuse_unsafe_credentials_file(); !safe) return safe.error();
  auto credential = selected.value()->get(config_.profile);
  if (!credential) return credential;
  const std::string& stored_url = credential.value().auth_url;
  if (!stored_url.empty() && stored_url != config_.endpoints.auth_url) {
    return Error{ErrorKind::config, "the refresh token of profile '" + config_.profile + "' belongs to " + stored_url +
                                        ", not " + config_.endpoints.auth_url + "; use --region, SQUADCAST_AUTH_URL or " +
                                        login_hint(config_.profile)};
  }
  return credential;
}

Result<StoredCredential> SquadcastAccount::stored_credential() {
  auto credential = load_credential();
  if (!credential) return for_people(credential.error());
  if (unsaved_rotation_) credential.value().refresh_token = *unsaved_rotation_;
  return credential;
}

Error SquadcastAccount::for_people(const Error& error) const {
  const bool from_environment = uses_environment_token(config_.credential_backend, getenv_);
  switch (error.kind) {
    case ErrorKind::revoked:
      if (from_environment)
        return {error.kind, std::string("the refresh token in ") + refresh_token_variable +
                                " was revoked or is invalid; set a new one"};
      return {error.kind, "the refresh token for profile '" + config_.profile + "' was revoked or is invalid; " +
                              login_hint(config_.profile) + " to store a new one"};
    case ErrorKind::not_found:
      return {error.kind, "not logged in (" + error.message + "); " + login_hint(config_.profile)};
    default:
      if (exit_code_for(error.kind) != exit_unreachable) return error;
      // The store always ends holding a working token (a rotated one is saved as it arrives).
      if (error.kind == ErrorKind::network || error.kind == ErrorKind::timeout || error.kind == ErrorKind::tls) {
        return {error.kind, "cannot reach Squadcast at " + config_.endpoints.auth_url + ": " + error.message +
                                "; your stored token is kept"};
      }
      return {error.kind, "Squadcast at " + config_.endpoints.auth_url + " could not issue a token: " +
                              error.message + "; your stored token is kept"};
  }
}

void SquadcastAccount::save_rotated(const Secret& rotated, const std::string& email) {
  auto selected = store();
  Status saved = selected ? selected.value()->put(config_.profile, StoredCredential{rotated, email,
                                                                                    config_.endpoints.auth_url, now()})
                          : Status(selected.error());
  if (!saved) {
    unsaved_rotation_ = rotated;
    report_line(warnings_, "Squadcast rotated the refresh token of profile '" + config_.profile +
                               "' but it could not be saved: " + saved.error().message);
  }
}

Result<AccessGrant> SquadcastAccount::access_token() { return access_token_valid_for(config_.min_validity_seconds); }

// No cached token is valid for this long: obtain_access_token exchanges.
Result<AccessGrant> SquadcastAccount::exchange_now() { return access_token_valid_for(std::int64_t{1} << 40); }

Result<AccessGrant> SquadcastAccount::access_token_valid_for(std::int64_t seconds) {
  if (auto safe = refuse_unsafe_credentials_file(); !safe) return safe.error();
  TokenRequest request;
  request.endpoints = config_.endpoints;
  request.http = http_options();
  request.cache = &cache_;
  request.cache_key = cache_key_;
  request.min_validity = seconds;
  std::string stored_email;
  request.on_rotated = [this, &stored_email](const Secret& rotated) { save_rotated(rotated, stored_email); };
  auto obtained = obtain_access_token(request, [this, &stored_email]() -> Result<Secret> {
    auto credential = load_credential();
    if (!credential) return credential.error();
    stored_email = credential.value().email;
    return credential.value().refresh_token;
  });
  if (!obtained) return for_people(obtained.error());
  return grant_from(obtained.value().token, obtained.value().from_cache);
}

std::string SquadcastAccount::named_region() const {
  auto own = resolve_endpoints(config_.region, "", "", false);
  if (own && own.value().auth_url == config_.endpoints.auth_url && own.value().api_url == config_.endpoints.api_url)
    return config_.region;
  return "";
}

Status SquadcastAccount::offer_secret(const Secret& secret, std::string_view username) {
  std::optional<Secret> cached;
  if (auto entry = cache_.read(cache_key_)) cached = entry->access_token;
  switch (classify_offered_secret(secret, cached)) {
    case OfferedSecret::access_token:
      return success();  // our own access token coming back: the refresh token stays
    case OfferedSecret::malformed:
      return Error{ErrorKind::invalid_input, "not storing the offered secret: it is not a Squadcast refresh token"};
    case OfferedSecret::refresh_token:
      break;
  }
  auto selected = store();
  if (!selected) return selected.error();
  CredentialStore& credentials = *selected.value();
  StoredCredential credential{secret, std::string(username), config_.endpoints.auth_url, now()};
  if (auto existing = credentials.get(config_.profile)) {
    if (existing.value().refresh_token.equals(secret)) return success();
    if (credential.email.find('@') == std::string::npos) credential.email = existing.value().email;
  }
  if (credential.email.find('@') == std::string::npos) credential.email.clear();
  if (auto saved = credentials.put(config_.profile, credential); !saved) return saved;
  cache_.erase(cache_key_);
  return success();
}

void SquadcastAccount::drop_cached_token() { cache_.erase(cache_key_); }

std::optional<CachedToken> SquadcastAccount::cached_entry() const { return cache_.read(cache_key_); }

bool SquadcastAccount::has_usable_cached_token() const {
  auto entry = cache_.read(cache_key_);
  return entry && is_usable(*entry, now(), config_.min_validity_seconds);
}

Result<AccessGrant> SquadcastAccount::login(const Secret& refresh_token) {
  if (auto shape = check_refresh_token_shape(refresh_token); !shape) return shape.error();
  auto selected = store();
  if (!selected) return selected.error();
  if (uses_environment_token(config_.credential_backend, getenv_)) {
    return Error{ErrorKind::config, std::string("nothing to store with the env backend (") + refresh_token_variable +
                                        " is set); unset it or use --backend file|secretservice"};
  }
  std::optional<Secret> rotated;
  auto fetched = fetch_access_token(config_.endpoints, refresh_token, http_options(), now(), &rotated);
  if (!fetched) {
    if (fetched.error().kind == ErrorKind::revoked)
      return Error{ErrorKind::revoked, "Squadcast rejected this refresh token (revoked or invalid); nothing was stored"};
    return for_people(fetched.error());
  }
  const CachedToken& token = fetched.value();
  StoredCredential credential{rotated ? *rotated : refresh_token, token.identity.email, config_.endpoints.auth_url,
                              now()};
  if (auto saved = selected.value()->put(config_.profile, credential); !saved) return saved.error();
  if (auto cached = cache_.write(cache_key_, token); !cached) {
    report_line(warnings_, "could not cache the access token: " + cached.error().message);
  }
  return grant_from(token, false);
}

Status SquadcastAccount::logout() {
  cache_.erase(cache_key_);
  auto selected = store();
  if (!selected) return selected.error();
  auto erased = selected.value()->erase(config_.profile);
  if (!erased && erased.error().kind != ErrorKind::not_found) return erased;
  return success();
}

}  // namespace squadcast::helper
