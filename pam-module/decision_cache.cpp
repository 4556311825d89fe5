#include "decision_cache.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>

#include <nlohmann/json.hpp>

namespace squadcast::pam {
namespace {
constexpr std::size_t max_entry_size = 64 * 1024;
constexpr int entry_version = 1;
constexpr std::int64_t sweep_every_seconds = 60;
constexpr std::string_view sweep_stamp = ".swept";

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// What a sweep may remove: our own entries, and lock files named for one key (the old
// scheme); never a lock stripe, which others may be waiting on.
bool is_swept_name(std::string_view name) {
  if (ends_with(name, ".decision") || ends_with(name, ".roster")) return true;
  return ends_with(name, ".lock") && name.size() > std::string_view("xx.lock").size();
}
}  // namespace

bool is_within(const CachedDecision& entry, std::int64_t now, std::int64_t max_age) {
  auto age = now - entry.verified_at;
  return age >= 0 && age < max_age;
}

std::string serialize_decision(const CachedDecision& entry) {
  const auto& id = entry.identity;
  nlohmann::json j = {
      {"version", entry_version},
      {"verified_at", entry.verified_at},
      {"identity",
       {{"user_id", id.user_id},
        {"email", id.email},
        {"first_name", id.first_name},
        {"organization_id", id.organization_id},
        {"role", id.role},
        {"abilities", id.abilities}}},
  };
  if (!entry.reason.empty()) j["reason"] = entry.reason;
  return j.dump();
}

std::optional<CachedDecision> parse_decision(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  try {
    if (j.at("version").get<int>() != entry_version) return std::nullopt;
    CachedDecision entry;
    entry.verified_at = j.at("verified_at").get<std::int64_t>();
    const auto& id = j.at("identity");
    entry.identity.user_id = id.at("user_id").get<std::string>();
    entry.identity.email = id.at("email").get<std::string>();
    entry.identity.first_name = id.at("first_name").get<std::string>();
    entry.identity.organization_id = id.at("organization_id").get<std::string>();
    entry.identity.role = id.at("role").get<std::string>();
    entry.identity.abilities = id.at("abilities").get<std::vector<std::string>>();
    if (j.contains("reason")) entry.reason = j.at("reason").get<std::string>();
    return entry;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

std::string DecisionCache::key_for(const Secret& refresh_token, std::string_view auth_url) {
  return TokenCache::key_for_token(refresh_token, auth_url);
}

std::string DecisionCache::path_for(const std::string& key, std::string_view suffix) const {
  return dir_ + "/" + key + std::string(suffix);
}

Status DecisionCache::usable() const {
  if (auto dir = ensure_private_dir(dir_); !dir) return dir;
  return check_directory_chain(dir_);
}

std::optional<CachedDecision> DecisionCache::read(const std::string& key) const {
  auto text = read_private_file(path_for(key, ".decision"), ::geteuid(), max_entry_size);
  if (!text) return std::nullopt;
  return parse_decision(text.value().reveal());
}

Status DecisionCache::write(const std::string& key, const CachedDecision& entry) const {
  if (auto dir = ensure_private_dir(dir_); !dir) return dir;
  // A decision lost to a power cut is just a miss: no fsync on the login path.
  return write_private_file(path_for(key, ".decision"), serialize_decision(entry), Durability::atomic_only);
}

void DecisionCache::erase(const std::string& key) const {
  (void)remove_private_file(path_for(key, ".decision"));
}

Result<FileLock> DecisionCache::lock(const std::string& key, std::chrono::milliseconds wait) const {
  if (auto dir = ensure_private_dir(dir_); !dir) return dir.error();
  return FileLock::acquire(path_for(key.substr(0, 2), ".lock"), wait);
}

void DecisionCache::sweep(std::int64_t now, std::int64_t keep_seconds) const {
  const int dir_fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (dir_fd < 0) return;
  struct stat stamp {};
  const std::string stamp_name(sweep_stamp);
  if (::fstatat(dir_fd, stamp_name.c_str(), &stamp, AT_SYMLINK_NOFOLLOW) == 0 &&
      now - stamp.st_mtime < sweep_every_seconds && stamp.st_mtime <= now) {
    ::close(dir_fd);
    return;
  }
  // Claim this minute's sweep first: concurrent logins then skip it.
  const int stamp_fd = ::openat(dir_fd, stamp_name.c_str(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (stamp_fd >= 0) {
    const struct timespec at[2] = {{static_cast<time_t>(now), 0}, {static_cast<time_t>(now), 0}};
    ::futimens(stamp_fd, at);
    ::close(stamp_fd);
  }
  std::unique_ptr<DIR, int (*)(DIR*)> listing(::fdopendir(dir_fd), ::closedir);
  if (!listing) {
    ::close(dir_fd);
    return;
  }
  while (const dirent* entry = ::readdir(listing.get())) {
    const std::string_view name = entry->d_name;
    if (!is_swept_name(name)) continue;
    struct stat st {};
    if (::fstatat(dir_fd, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) continue;
    if (now - st.st_mtime >= keep_seconds) ::unlinkat(dir_fd, entry->d_name, 0);
  }
}

}  // namespace squadcast::pam
