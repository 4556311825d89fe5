#include "host_credential.hpp"

#include <unistd.h>

#include "squadcast/access_token.hpp"
#include "squadcast/ascii_text.hpp"
#include "squadcast/exchange.hpp"
#include "squadcast/private_file.hpp"

namespace squadcast::pam {

const char* const host_credential_revoked =
    "host credential revoked or invalid: enrol a new one with squadcast-pam-check --enroll";

namespace {

constexpr std::size_t max_host_token_file = 8 * 1024;

Error host_token_error(const std::string& path, const std::string& why) {
  return Error{ErrorKind::config, "host credential " + path + ": " + why +
                                      "; install it with squadcast-pam-check --enroll (a regular file owned by "
                                      "root, mode 0600, not a symlink)"};
}

}  // namespace

Result<Secret> read_host_token(const std::string& path) {
  auto text = read_private_file(path, ::geteuid(), max_host_token_file);
  if (!text) {
    const bool missing = text.error().kind == ErrorKind::not_found;
    return host_token_error(path, missing ? "missing" : text.error().message);
  }
  Secret token(std::string(trim_whitespace(text.value().reveal())));
  if (auto shape = check_refresh_token_shape(token); !shape) return host_token_error(path, shape.error().message);
  return token;
}

HostCredential::HostCredential(const PamOptions& options, Secret refresh_token)
    : options_(options),
      refresh_token_(std::move(refresh_token)),
      key_(TokenCache::key_for_token(refresh_token_, options.endpoints.auth_url)),
      cache_(options.cache_dir + "/host") {}

Result<const CachedToken*> HostCredential::access(const HttpOptions& http, std::int64_t now,
                                                  std::chrono::milliseconds lock_wait) {
  if (token_) return &*token_;
  TokenRequest request;
  request.endpoints = options_.endpoints;
  request.http = http;
  request.cache = &cache_;
  request.cache_key = key_;
  request.lock_wait = lock_wait;
  request.clock = [now] { return now; };
  request.on_rotated = [this](const Secret& rotated) {
    // The server retired the old token: keep the new one, or the host is locked out.
    (void)write_private_file(options_.host_token, rotated.reveal(), Durability::synced);
  };
  auto obtained = obtain_access_token(request, [this]() -> Result<Secret> { return refresh_token_; });
  if (!obtained) {
    if (obtained.error().kind == ErrorKind::revoked) return Error{ErrorKind::config, host_credential_revoked};
    return obtained.error();
  }
  token_ = std::move(obtained.value().token);
  return &*token_;
}

void HostCredential::forget_access() {
  cache_.erase(key_);
  token_.reset();
}

}  // namespace squadcast::pam
