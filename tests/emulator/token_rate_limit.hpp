// Squadcast's per-token rate_limit: every exchange and every API call made with a refresh
// token (or an access token issued from it) counts against that token's calls per minute.
// Past the limit the emulator answers 429 with Retry-After, as the real service may.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace squadcast::emulator {

class TokenRateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr long default_per_minute = 1000;

  // Admits one call for the token id, or returns the seconds to wait (>= 1).
  std::optional<long> admit(const std::string& token_id, Clock::time_point now = Clock::now());

  long limit_of(const std::string& token_id) const;
  void set_limit(const std::string& token_id, long per_minute);  // <= 0: unlimited
  void set_default(long per_minute);
  void set_enabled(bool enabled);
  long refused() const;  // 429s answered since the last reset
  void reset();          // seed defaults: enabled, 1000 per minute, no history

 private:
  long limit_locked(const std::string& token_id) const;

  mutable std::mutex mu_;
  bool enabled_ = true;
  long default_ = default_per_minute;
  long refused_ = 0;
  std::map<std::string, long> limits_;
  std::map<std::string, std::deque<Clock::time_point>> calls_;  // admitted, last minute
};

}  // namespace squadcast::emulator
