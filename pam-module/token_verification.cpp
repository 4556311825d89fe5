#include "token_verification.hpp"

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <optional>

#include "squadcast/access_token.hpp"
#include "squadcast/exchange.hpp"

namespace squadcast::pam {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::optional<VerifiedIdentity> from_cache(const DecisionCache& cache, const std::string& key, std::int64_t now,
                                           std::int64_t max_age, VerifiedBy by) {
  if (max_age <= 0) return std::nullopt;
  auto entry = cache.read(key);
  if (!entry || !is_within(*entry, now, max_age)) return std::nullopt;
  return VerifiedIdentity{entry->identity, by, entry->verified_at};
}

// su and sudo run PAM with the caller's real uid, so the caller may stop them (SIGSTOP,
// Ctrl-Z) and resume them past timeout=: a refusal on its way (or the user lookup never
// sent) then looks like an outage, and offline_grace would allow. Stopping cannot be
// prevented, but it can be seen: SIGCONT is held blocked while we decide, so a resume
// leaves it pending (POSIX: even when ignored). The host gets it when the mask is restored.
class StopDetector {
 public:
  StopDetector() {
    sigset_t cont;
    sigemptyset(&cont);
    sigaddset(&cont, SIGCONT);
    blocked_ = pthread_sigmask(SIG_BLOCK, &cont, &saved_) == 0;
    pending_before_ = !blocked_ || continue_pending();  // cannot tell: assume stopped
  }
  ~StopDetector() {
    if (blocked_) pthread_sigmask(SIG_SETMASK, &saved_, nullptr);
  }
  StopDetector(const StopDetector&) = delete;
  StopDetector& operator=(const StopDetector&) = delete;

  bool was_stopped() const { return pending_before_ || continue_pending(); }

 private:
  static bool continue_pending() {
    sigset_t pending;
    sigemptyset(&pending);
    return sigpending(&pending) != 0 || sigismember(&pending, SIGCONT) == 1;
  }
  sigset_t saved_{};
  bool blocked_ = false;
  bool pending_before_ = false;
};

}  // namespace

const char* to_string(VerifiedBy by) {
  switch (by) {
    case VerifiedBy::squadcast: return "squadcast";
    case VerifiedBy::cache: return "cache";
    case VerifiedBy::offline_grace: return "offline_grace";
  }
  return "unknown";
}

HttpOptions module_http_options(const PamOptions& options, milliseconds remaining) {
  HttpOptions http;
  http.ca_file = options.ca_file;
  // The module runs inside su, sudo, chsh...: nothing the caller's environment says may
  // reach libcurl or OpenSSL, and the only proxy is the administrator's proxy= option.
  http.fixed_environment = true;
  http.proxy = options.proxy;
  http.deadline = remaining;
  http.connect_timeout = std::min(http.connect_timeout, remaining);
  return http;
}

Result<VerifiedIdentity> verify_token(const PamOptions& options, const Secret& token, const VerifyContext& context) {
  const StopDetector stop;  // before the deadline starts: any stop after it is seen
  const auto deadline = Clock::now() + std::chrono::seconds(options.timeout_seconds);
  auto remaining = [&] {
    return std::max(milliseconds(0), std::chrono::duration_cast<milliseconds>(deadline - Clock::now()));
  };

  if (auto shape = check_refresh_token_shape(token); !shape) return shape.error();

  DecisionCache cache(options.cache_dir);
  const auto key = DecisionCache::key_for(token, options.endpoints.auth_url);
  // A cache_dir someone else owns, or that is a symlink or open to others, is neither
  // trusted nor written: said once per call at warning level, since it silently turns off
  // cache_ttl and offline_grace (and may mean someone tampered with it).
  const Status usable = cache.usable();
  if (!usable) context.warn("cache_dir " + options.cache_dir + " is unusable, deciding without it: " + usable.error().message);
  const bool use_cache = usable.ok();
  if (use_cache) {
    if (auto hit = from_cache(cache, key, context.clock(), options.cache_ttl_seconds, VerifiedBy::cache)) return *hit;
  }

  // Single flight: whoever holds the lock exchanges; the others find its result.
  std::optional<FileLock> lock;
  if (use_cache) {
    auto locked = cache.lock(key, remaining());
    if (!locked) {
      context.debug(std::string("no cache lock (") + locked.error().message + "), exchanging without it");
    } else {
      lock.emplace(std::move(locked.value()));
      if (auto hit = from_cache(cache, key, context.clock(), options.cache_ttl_seconds, VerifiedBy::cache)) return *hit;
    }
  }

  HttpOptions http = module_http_options(options, remaining());
  if (http.deadline <= milliseconds(0)) return Error{ErrorKind::timeout, "timeout reached before the exchange"};

  auto fetched = fetch_access_token(options.endpoints, token, http, context.clock(), nullptr, context.connection);
  if (fetched) {
    VerifiedIdentity verified{fetched.value().identity, VerifiedBy::squadcast, context.clock(),
                              std::move(fetched.value().access_token)};
    if (use_cache && !context.allowed(verified.identity)) {
      cache.erase(key);  // a stale positive must not outlive a fresh refusal
    } else if (use_cache && (options.cache_ttl_seconds > 0 || options.offline_grace_seconds > 0)) {
      auto written = cache.write(key, CachedDecision{verified.identity, verified.verified_at});
      if (!written) context.debug("could not write the decision cache: " + written.error().message);
      cache.sweep(context.clock(), longest_cache_use_seconds(options));
    }
    return verified;
  }

  const auto& error = fetched.error();
  if (!is_unreachable(error.kind)) {
    if (use_cache) cache.erase(key);  // a verdict: never an offline grace after a 401, another 4xx or a wrong answer
    return error;
  }
  if (!use_cache) return error;
  if (!may_be_graced(error.kind)) {
    context.debug(std::string("Squadcast unreachable (") + error.message +
                  "): no offline grace, since the token's holder can exhaust its rate limit");
    return error;
  }
  if (stop.was_stopped()) {
    context.warn("this login was stopped and resumed while Squadcast was asked (" + error.message +
                 "): no offline grace, since the caller may have caused the outage");
    return error;
  }
  if (auto grace = from_cache(cache, key, context.clock(), options.offline_grace_seconds, VerifiedBy::offline_grace)) {
    context.debug(std::string("Squadcast unreachable (") + error.message + "), using the offline grace");
    return *grace;
  }
  return error;
}

}  // namespace squadcast::pam
