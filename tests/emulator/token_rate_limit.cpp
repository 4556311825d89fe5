#include "token_rate_limit.hpp"

namespace squadcast::emulator {

std::optional<long> TokenRateLimiter::admit(const std::string& token_id, Clock::time_point now) {
  std::lock_guard lock(mu_);
  const long limit = limit_locked(token_id);
  if (!enabled_ || limit <= 0) return std::nullopt;
  auto& calls = calls_[token_id];
  const auto window = std::chrono::minutes(1);
  while (!calls.empty() && now - calls.front() >= window) calls.pop_front();
  if (static_cast<long>(calls.size()) < limit) {
    calls.push_back(now);
    return std::nullopt;
  }
  ++refused_;
  // The oldest admitted call leaves the window first; round up so a client that waits
  // exactly Retry-After is admitted.
  const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(calls.front() + window - now);
  return std::max<long>(1, static_cast<long>((wait.count() + 999) / 1000));
}

long TokenRateLimiter::limit_locked(const std::string& token_id) const {
  const auto it = limits_.find(token_id);
  return it != limits_.end() ? it->second : default_;
}

long TokenRateLimiter::limit_of(const std::string& token_id) const {
  std::lock_guard lock(mu_);
  return limit_locked(token_id);
}

void TokenRateLimiter::set_limit(const std::string& token_id, long per_minute) {
  std::lock_guard lock(mu_);
  limits_[token_id] = per_minute;
}

void TokenRateLimiter::set_default(long per_minute) {
  std::lock_guard lock(mu_);
  default_ = per_minute;
  limits_.clear();
}

void TokenRateLimiter::set_enabled(bool enabled) {
  std::lock_guard lock(mu_);
  enabled_ = enabled;
}

long TokenRateLimiter::refused() const {
  std::lock_guard lock(mu_);
  return refused_;
}

void TokenRateLimiter::reset() {
  std::lock_guard lock(mu_);
  enabled_ = true;
  default_ = default_per_minute;
  refused_ = 0;
  limits_.clear();
  calls_.clear();
}

}  // namespace squadcast::emulator
