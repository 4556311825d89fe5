// Token -> identity, bounded by timeout=: a fresh cached result, else one exchange per
// token at a time (flock), else the offline grace while Squadcast is unreachable.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "decision_cache.hpp"
#include "pam_options.hpp"
#include "squadcast/http_client.hpp"
#include "squadcast/result.hpp"
#include "squadcast/secret.hpp"
#include "squadcast/token_cache.hpp"

namespace squadcast::pam {

enum class VerifiedBy { squadcast, cache, offline_grace };

struct VerifiedIdentity {
  Identity identity;
  VerifiedBy by = VerifiedBy::squadcast;
  std::int64_t verified_at = 0;
  // Only when this call exchanged (by == squadcast): the team and on-call checks reuse it.
  // In memory for this call only; a Secret wipes itself.
  std::optional<Secret> access_token{};
};

struct VerifyContext {
  std::function<std::int64_t()> clock;
  std::function<void(std::string_view)> debug;  // never given a token
  std::function<void(std::string_view)> warn;   // logged whatever debug says; never a token
  // Whether a fresh identity passes every check: only then is it cached (under the lock,
  // so a concurrent login with the same token finds it instead of exchanging again).
  std::function<bool(const Identity&)> allowed;
  // One connection per flow: the team and on-call lookups after it reuse the TLS session.
  HttpConnection* connection = nullptr;
};

// Errors: invalid_input (bad shape); a verdict (revoked, refused, bad_response...: the
// cached result is erased too, so no grace follows); or, only when no grace applies, the
// unreachable kinds (transport, timeout, 429, 5xx).
Result<VerifiedIdentity> verify_token(const PamOptions& options, const Secret& token, const VerifyContext& context);

const char* to_string(VerifiedBy by);

// The options of every request the module makes, whatever it asks: libcurl runs in a fixed
// environment (inside su or sudo the caller's may not reach libcurl or OpenSSL), through
// the administrator's proxy= only, and within what is left of timeout=.
HttpOptions module_http_options(const PamOptions& options, std::chrono::milliseconds remaining);

}  // namespace squadcast::pam
