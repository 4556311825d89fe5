// Everything the emulator knows: seeded users and refresh tokens, the knobs the control
// API turns (lifetime, rotation, revocations, roles), queued faults and request counters.
// One mutex guards it all; the server runs many handler threads at once.
#pragma once

#include "jwt_signer.hpp"
#include "token_rate_limit.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace squadcast::emulator {

struct User {
  std::string id;
  std::string organization_id;
  std::string email;
  std::string first_name;
  std::string last_name;
  std::string role;
  std::vector<std::string> abilities;  // slugs
};

struct RefreshToken {
  std::string id;
  std::string user_id;
  std::string organization_id;
  std::string token;                 // the one that exchanges today
  std::vector<std::string> rotated;  // earlier values: no longer exchange, but the access
                                     // tokens issued from them stay valid until revoked
  bool deleted = false;
  std::int64_t last_refresh = 0;     // Unix seconds of the last successful exchange
};

// Which endpoint family a request path belongs to (for counters and faults).
enum class Group { exchange, user, refresh_token, graphql, other, control };
Group group_of(const std::string& path);

struct Fault {
  std::string endpoint;  // "exchange", "user", "graphql" or "any"
  int remaining = 1;
  // none|status|malformed|truncated|huge|drop|hang|body, and from /_control/graphql_error
  // graphql_errors|graphql_malformed|graphql_partial
  std::string mode = "status";
  int status = 503;
  std::string body;  // mode "body": served as-is with status 200; graphql_*: the message
  std::string retry_after;
  int delay_ms = 0;
};

struct Exchange {
  std::string access_token;
  std::string refresh_token;
  std::int64_t issued_at = 0;
  std::int64_t expires_at = 0;
};

class EmulatorState {
 public:
  // Throws std::runtime_error / nlohmann::json::exception on a malformed seed.
  explicit EmulatorState(nlohmann::json seed);

  // The seed as given (immutable): endpoint families in their own files read their keys.
  const nlohmann::json& seed() const { return seed_; }

  // Back to the seed: users (deleted ones too), roles, tokens, lifetime, rotation, faults,
  // counters.
  void reset();

  // --- the Squadcast side ---
  std::optional<Exchange> exchange(const std::string& refresh_token);
  // The caller, when the bearer JWT verifies, has not expired, and the refresh token it
  // came from is not revoked.
  std::optional<User> authenticate(const std::string& access_token);
  std::optional<User> user_by_id(const std::string& org, const std::string& id) const;
  // Emails compare ASCII-case-insensitively, as the real service's lookups do.
  std::optional<User> user_by_email(const std::string& org, const std::string& email) const;
  // Any organisation's user (control calls name users by email alone).
  std::optional<User> user_by_email_anywhere(const std::string& email) const;
  std::vector<User> users_in(const std::string& org) const;
  std::vector<RefreshToken> tokens_in(const std::string& org) const;
  // The token whose current or an earlier (rotated) value this is.
  std::optional<RefreshToken> token_by_value(const std::string& value) const;
  std::optional<RefreshToken> create_token(const std::string& org, const std::string& user_id);
  bool delete_token(const std::string& org, const std::string& token_id);

  // --- the control side ---
  int revoke_token_id(const std::string& token_id);      // number revoked (0 or 1)
  int revoke_user_tokens(const std::string& email);       // number revoked
  bool set_role(const std::string& email, const std::string& role);
  bool set_abilities(const std::string& email, std::vector<std::string> abilities);
  void set_lifetime(long seconds);
  void set_rotation(bool enabled);
  std::optional<std::string> current_token(const std::string& token_id) const;
  void add_fault(Fault fault);
  void clear_faults(const std::string& endpoint);
  // The user is gone from every lookup and list, and every token of theirs is revoked
  // (so their access tokens fail too). False when no such (live) user.
  bool delete_user(const std::string& email);
  // Brings deleted users back where they were, with the tokens their deletion revoked.
  void restore_deleted_users();

  // Counts the request and hands out the next queued fault for its group, if any.
  std::optional<Fault> arrive(Group group);
  nlohmann::json counters() const;
  // Requests per token id (every non-control request that spends it, whatever the answer).
  void count_token_request(const std::string& token_id);
  nlohmann::json token_counters() const;

  // Per-token calls per minute (token_admin_api.cpp enforces them); reset() resets it too.
  TokenRateLimiter rate_limits;

 private:
  void load_seed();  // mu_ held
  const User* find_user(const std::string& id) const;  // mu_ held
  User* find_email(const std::string& email);          // mu_ held; any organisation

  struct DeletedUser {
    User user;
    std::size_t position = 0;             // index in users_ it was taken from
    std::vector<std::string> token_ids;   // the tokens its deletion revoked
  };

  mutable std::mutex mu_;
  const nlohmann::json seed_;
  const JwtSigner signer_;
  long lifetime_ = 0;
  bool rotation_ = false;
  std::vector<User> users_;
  std::vector<RefreshToken> tokens_;
  std::deque<Fault> faults_;
  std::map<std::string, long> counters_;
  std::map<std::string, long> token_requests_;
  std::vector<DeletedUser> deleted_;  // in deletion order
};

}  // namespace squadcast::emulator
