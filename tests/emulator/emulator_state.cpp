#include "emulator_state.hpp"

#include "crypto_utils.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <stdexcept>

namespace squadcast::emulator {
namespace {

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool group_matches(const std::string& endpoint, Group group) {
  switch (group) {
    case Group::exchange: return endpoint == "exchange" || endpoint == "any";
    case Group::user: return endpoint == "user" || endpoint == "any";
    case Group::graphql: return endpoint == "graphql" || endpoint == "any";
    case Group::refresh_token:
    case Group::other: return endpoint == "any";
    case Group::control: return false;
  }
  return false;
}

bool same_email(const std::string& a, const std::string& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](unsigned char x, unsigned char y) {
    return std::tolower(x) == std::tolower(y);
  });
}

}  // namespace

Group group_of(const std::string& path) {
  auto starts = [&](const char* prefix) { return path.rfind(prefix, 0) == 0; };
  if (path == "/oauth/access-token") return Group::exchange;
  if (path == "/v3/users" || starts("/v3/users/")) return Group::user;
  if (path == "/v3/refresh-token" || starts("/v3/refresh-token/")) return Group::refresh_token;
  if (path == "/v3/graphql") return Group::graphql;
  if (starts("/_control/")) return Group::control;
  return Group::other;
}

EmulatorState::EmulatorState(nlohmann::json seed)
    : seed_(std::move(seed)), signer_(seed_.at("signing_key").get<std::string>()) {
  std::lock_guard lock(mu_);
  load_seed();
}

void EmulatorState::reset() {
  std::lock_guard lock(mu_);
  load_seed();
}

void EmulatorState::load_seed() {
  lifetime_ = seed_.at("access_token_lifetime").get<long>();
  rotation_ = false;
  faults_.clear();
  counters_ = {{"exchange", 0}, {"user", 0}, {"refresh_token", 0}, {"graphql", 0}, {"total", 0}};
  token_requests_.clear();
  deleted_.clear();
  users_.clear();
  for (const auto& u : seed_.at("users")) {
    users_.push_back(User{u.at("id"), u.at("organization_id"), u.at("email"),
                          u.at("first_name"), u.at("last_name"), u.at("role"),
                          u.value("abilities", std::vector<std::string>{})});
  }
  rate_limits.reset();
  tokens_.clear();
  for (const auto& t : seed_.at("refresh_tokens")) {
    RefreshToken token;
    token.id = t.at("id");
    token.user_id = t.at("user_id");
    token.token = t.at("token");
    const User* owner = find_user(token.user_id);
    if (owner == nullptr) throw std::runtime_error("seed: token " + token.id + " has no user");
    token.organization_id = owner->organization_id;
    tokens_.push_back(std::move(token));
  }
}

const User* EmulatorState::find_user(const std::string& id) const {
  for (const auto& u : users_) {
    if (u.id == id) return &u;
  }
  return nullptr;
}

User* EmulatorState::find_email(const std::string& email) {
  for (auto& u : users_) {
    if (same_email(u.email, email)) return &u;
  }
  return nullptr;
}

std::optional<Exchange> EmulatorState::exchange(const std::string& refresh_token) {
  if (refresh_token.empty()) return std::nullopt;
  std::lock_guard lock(mu_);
  for (auto& t : tokens_) {
    if (t.deleted || t.token != refresh_token) continue;
    const User* user = find_user(t.user_id);
    if (user == nullptr) return std::nullopt;
    if (rotation_) {
      t.rotated.push_back(t.token);
      t.token = random_hex(64);
    }
    const auto now = now_seconds();
    t.last_refresh = now;
    Exchange out{"", t.token, now, now + lifetime_};
    // The claim set of a real Squadcast access token, in its order.
    const nlohmann::ordered_json claims = {
        {"api_token", true},          {"email", user->email},
        {"exp", out.expires_at},      {"first_name", user->first_name},
        {"iat", now},                 {"id", user->id},
        {"iss", "api.squadcast.com"}, {"jti", random_hex(32)},
        {"nbf", now},                 {"organization", nullptr},
        {"organization_id", user->organization_id},
        {"refresh_token", t.token},   {"sso_login", false},
        {"sso_token", ""},            {"user", nullptr},
        {"web_token", false}};
    out.access_token = signer_.sign(claims);
    return out;
  }
  return std::nullopt;
}

std::optional<User> EmulatorState::authenticate(const std::string& access_token) {
  const auto claims = signer_.verify(access_token);
  if (!claims) return std::nullopt;
  const auto exp = claims->find("exp");
  const auto rt = claims->find("refresh_token");
  const auto id = claims->find("id");
  if (exp == claims->end() || !exp->is_number() || rt == claims->end() ||
      !rt->is_string() || id == claims->end() || !id->is_string()) {
    return std::nullopt;
  }
  if (exp->get<std::int64_t>() <= now_seconds()) return std::nullopt;

  std::lock_guard lock(mu_);
  const auto& from = rt->get_ref<const std::string&>();
  for (const auto& t : tokens_) {
    if (t.deleted) continue;
    bool issued_from_it = t.token == from;
    for (const auto& old : t.rotated) issued_from_it = issued_from_it || old == from;
    if (!issued_from_it) continue;
    const User* user = find_user(id->get<std::string>());
    if (user == nullptr || user->id != t.user_id) return std::nullopt;
    return *user;
  }
  return std::nullopt;  // revoked or never existed
}

std::optional<User> EmulatorState::user_by_id(const std::string& org,
                                              const std::string& id) const {
  std::lock_guard lock(mu_);
  const User* u = find_user(id);
  if (u == nullptr || u->organization_id != org) return std::nullopt;
  return *u;
}

std::optional<User> EmulatorState::user_by_email(const std::string& org,
                                                 const std::string& email) const {
  std::lock_guard lock(mu_);
  for (const auto& u : users_) {
    if (u.organization_id == org && same_email(u.email, email)) return u;
  }
  return std::nullopt;
}

std::optional<User> EmulatorState::user_by_email_anywhere(const std::string& email) const {
  std::lock_guard lock(mu_);
  for (const auto& u : users_) {
    if (same_email(u.email, email)) return u;
  }
  return std::nullopt;
}

std::vector<User> EmulatorState::users_in(const std::string& org) const {
  std::lock_guard lock(mu_);
  std::vector<User> out;
  for (const auto& u : users_) {
    if (u.organization_id == org) out.push_back(u);
  }
  return out;
}

std::vector<RefreshToken> EmulatorState::tokens_in(const std::string& org) const {
  std::lock_guard lock(mu_);
  std::vector<RefreshToken> out;
  for (const auto& t : tokens_) {
    if (t.organization_id == org) out.push_back(t);
  }
  return out;
}

std::optional<RefreshToken> EmulatorState::token_by_value(const std::string& value) const {
  if (value.empty()) return std::nullopt;
  std::lock_guard lock(mu_);
  for (const auto& t : tokens_) {
    if (t.token == value) return t;
    for (const auto& old : t.rotated) {
      if (old == value) return t;
    }
  }
  return std::nullopt;
}

std::optional<RefreshToken> EmulatorState::create_token(const std::string& org,
                                                        const std::string& user_id) {
  std::lock_guard lock(mu_);
  const User* u = find_user(user_id);
  if (u == nullptr || u->organization_id != org) return std::nullopt;
  RefreshToken t;
  t.id = random_hex(12);  // ObjectId-shaped, like the real service's ids
  t.user_id = user_id;
  t.organization_id = org;
  t.token = random_hex(64);
  tokens_.push_back(t);
  return t;
}

bool EmulatorState::delete_token(const std::string& org, const std::string& token_id) {
  std::lock_guard lock(mu_);
  for (auto& t : tokens_) {
    if (t.id == token_id && t.organization_id == org && !t.deleted) {
      t.deleted = true;
      return true;
    }
  }
  return false;
}

int EmulatorState::revoke_token_id(const std::string& token_id) {
  std::lock_guard lock(mu_);
  for (auto& t : tokens_) {
    if (t.id == token_id && !t.deleted) {
      t.deleted = true;
      return 1;
    }
  }
  return 0;
}

int EmulatorState::revoke_user_tokens(const std::string& email) {
  std::lock_guard lock(mu_);
  int n = 0;
  for (auto& t : tokens_) {
    const User* u = find_user(t.user_id);
    if (u != nullptr && same_email(u->email, email) && !t.deleted) {
      t.deleted = true;
      ++n;
    }
  }
  return n;
}

bool EmulatorState::set_role(const std::string& email, const std::string& role) {
  std::lock_guard lock(mu_);
  User* u = find_email(email);
  if (u != nullptr) u->role = role;
  return u != nullptr;
}

bool EmulatorState::set_abilities(const std::string& email, std::vector<std::string> abilities) {
  std::lock_guard lock(mu_);
  User* u = find_email(email);
  if (u != nullptr) u->abilities = std::move(abilities);
  return u != nullptr;
}

void EmulatorState::set_lifetime(long seconds) {
  std::lock_guard lock(mu_);
  lifetime_ = seconds;
}

void EmulatorState::set_rotation(bool enabled) {
  std::lock_guard lock(mu_);
  rotation_ = enabled;
}

std::optional<std::string> EmulatorState::current_token(const std::string& token_id) const {
  std::lock_guard lock(mu_);
  for (const auto& t : tokens_) {
    if (t.id == token_id) return t.token;
  }
  return std::nullopt;
}

void EmulatorState::add_fault(Fault fault) {
  std::lock_guard lock(mu_);
  faults_.push_back(std::move(fault));
}

void EmulatorState::clear_faults(const std::string& endpoint) {
  std::lock_guard lock(mu_);
  std::erase_if(faults_, [&](const Fault& f) { return f.endpoint == endpoint; });
}

bool EmulatorState::delete_user(const std::string& email) {
  std::lock_guard lock(mu_);
  const User* u = find_email(email);
  if (u == nullptr) return false;
  DeletedUser gone{*u, static_cast<std::size_t>(u - users_.data()), {}};
  for (auto& t : tokens_) {
    if (t.user_id == gone.user.id && !t.deleted) {
      t.deleted = true;
      gone.token_ids.push_back(t.id);
    }
  }
  users_.erase(users_.begin() + static_cast<std::ptrdiff_t>(gone.position));
  deleted_.push_back(std::move(gone));
  return true;
}

void EmulatorState::restore_deleted_users() {
  std::lock_guard lock(mu_);
  // Last deleted first: each goes back to the index it left, so the order is the seed's.
  for (auto it = deleted_.rbegin(); it != deleted_.rend(); ++it) {
    users_.insert(users_.begin() + static_cast<std::ptrdiff_t>(std::min(it->position, users_.size())), it->user);
    for (auto& t : tokens_) {
      if (std::find(it->token_ids.begin(), it->token_ids.end(), t.id) != it->token_ids.end()) t.deleted = false;
    }
  }
  deleted_.clear();
}

std::optional<Fault> EmulatorState::arrive(Group group) {
  std::lock_guard lock(mu_);
  ++counters_["total"];
  if (group == Group::exchange) ++counters_["exchange"];
  if (group == Group::user) ++counters_["user"];
  if (group == Group::refresh_token) ++counters_["refresh_token"];
  if (group == Group::graphql) ++counters_["graphql"];
  // Faults fire in the order they were queued; each one serves `remaining` requests.
  for (auto it = faults_.begin(); it != faults_.end(); ++it) {
    if (!group_matches(it->endpoint, group)) continue;
    Fault out = *it;
    if (--it->remaining <= 0) faults_.erase(it);
    return out;
  }
  return std::nullopt;
}

nlohmann::json EmulatorState::counters() const {
  std::lock_guard lock(mu_);
  return counters_;
}

void EmulatorState::count_token_request(const std::string& token_id) {
  std::lock_guard lock(mu_);
  ++token_requests_[token_id];
}

nlohmann::json EmulatorState::token_counters() const {
  std::lock_guard lock(mu_);
  nlohmann::json out = nlohmann::json::object();
  for (const auto& t : tokens_) {
    const auto it = token_requests_.find(t.id);
    out[t.id] = it != token_requests_.end() ? it->second : 0L;
  }
  return out;
}

}  // namespace squadcast::emulator
