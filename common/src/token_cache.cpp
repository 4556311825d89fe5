#include "squadcast/token_cache.hpp"

#include <unistd.h>

#include "json_input.hpp"
#include "squadcast/sha256.hpp"

namespace squadcast {
namespace {

constexpr int cache_format_version = 1;
constexpr std::size_t max_cache_file_size = 64 * 1024;

bool is_hex_key(const std::string& key) {
  if (key.size() != 64) return false;
  for (char c : key) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string hash_parts(std::initializer_list<std::string_view> parts) {
  std::string material;
  for (auto part : parts) {
    material.append(part);
    material.push_back('\0');  // unambiguous boundaries
  }
  std::string key = sha256_hex(material);
  wipe_string(material);
  return key;
}

}  // namespace

bool is_usable(const CachedToken& entry, std::int64_t now, std::int64_t min_validity) {
  if (entry.access_token.empty()) return false;
  // The times come from a file: no arithmetic on them may overflow (INT64_MIN - 300 is UB).
  std::int64_t latest_fetch = 0;
  if (!__builtin_add_overflow(now, 60, &latest_fetch) && entry.fetched_at > latest_fetch) {
    return false;  // fetched "in the future": the clock jumped back
  }
  std::int64_t usable_until = 0;
  if (__builtin_sub_overflow(entry.expires_at, min_validity, &usable_until)) return false;
  return now < usable_until;
}

Secret serialize_cache_entry(const CachedToken& entry) {
  nlohmann::json json = {
      {"version", cache_format_version},
      {"access_token", entry.access_token.reveal()},
      {"expires_at", entry.expires_at},
      {"issued_at", entry.issued_at},
      {"fetched_at", entry.fetched_at},
      {"identity",
       {{"user_id", entry.identity.user_id},
        {"email", entry.identity.email},
        {"first_name", entry.identity.first_name},
        {"organization_id", entry.identity.organization_id},
        {"role", entry.identity.role},
        {"abilities", entry.identity.abilities}}},
  };
  // Never throws: invalid UTF-8 (impossible from a parsed answer, but this is a public
  // function) becomes U+FFFD instead of an exception through a C ABI.
  std::string text = json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  wipe_string(json["access_token"].get_ref<std::string&>());
  Secret secret(text);
  wipe_string(text);
  return secret;
}

std::optional<CachedToken> parse_cache_entry(std::string_view text) {
  auto json = parse_untrusted_json(text, 8);
  if (!json || !json->is_object() || integer_field(*json, "version") != cache_format_version) return std::nullopt;
  auto token = json->find("access_token");
  auto expires_at = integer_field(*json, "expires_at");
  auto fetched_at = integer_field(*json, "fetched_at");
  auto identity = json->find("identity");
  if (token == json->end() || !token->is_string() || !expires_at || !fetched_at || identity == json->end() ||
      !identity->is_object()) {
    return std::nullopt;
  }
  CachedToken entry;
  entry.access_token = Secret(token->get_ref<const std::string&>());
  wipe_string(token->get_ref<std::string&>());
  entry.expires_at = *expires_at;
  entry.fetched_at = *fetched_at;
  entry.issued_at = integer_field(*json, "issued_at").value_or(0);
  auto& id = entry.identity;
  id.user_id = string_field(*identity, "user_id").value_or("");
  id.email = string_field(*identity, "email").value_or("");
  id.first_name = string_field(*identity, "first_name").value_or("");
  id.organization_id = string_field(*identity, "organization_id").value_or("");
  id.role = string_field(*identity, "role").value_or("");
  if (auto abilities = identity->find("abilities"); abilities != identity->end() && abilities->is_array()) {
    for (const auto& ability : *abilities) {
      if (ability.is_string()) id.abilities.push_back(ability.get<std::string>());
    }
  }
  if (entry.access_token.empty() || id.user_id.empty()) return std::nullopt;
  return entry;
}

TokenCache::TokenCache(std::string dir) : dir_(std::move(dir)) {}

std::string TokenCache::key_for_token(const Secret& refresh_token, std::string_view auth_url) {
  return hash_parts({"squadcast token cache v1", auth_url, refresh_token.reveal()});
}

std::string TokenCache::key_for_profile(std::string_view profile, std::string_view auth_url) {
  return hash_parts({"squadcast profile cache v1", auth_url, profile});
}

std::string TokenCache::path_for(const std::string& key) const { return dir_ + "/" + key + ".json"; }

std::optional<CachedToken> TokenCache::read(const std::string& key) const {
  if (!is_hex_key(key)) return std::nullopt;
  auto text = read_private_file(path_for(key), geteuid(), max_cache_file_size);
  if (!text) return std::nullopt;  // missing, odd or unsafe: a miss
  return parse_cache_entry(text.value().reveal());
}

Status TokenCache::write(const std::string& key, const CachedToken& entry) const {
  if (!is_hex_key(key)) return Error{ErrorKind::invalid_input, "bad cache key"};
  if (auto dir = ensure_private_dir(dir_); !dir) return dir.error();
  Secret text = serialize_cache_entry(entry);
  // A cache entry lost to a power cut is just a miss: skip the fsyncs (they cost ms).
  return write_private_file(path_for(key), text.reveal(), Durability::atomic_only);
}

void TokenCache::erase(const std::string& key) const {
  if (is_hex_key(key)) (void)remove_private_file(path_for(key));
}

Result<FileLock> TokenCache::lock(const std::string& key, std::chrono::milliseconds wait) const {
  if (!is_hex_key(key)) return Error{ErrorKind::invalid_input, "bad cache key"};
  if (auto dir = ensure_private_dir(dir_); !dir) return dir.error();
  return FileLock::acquire(dir_ + "/" + key + ".lock", wait);
}

}  // namespace squadcast
