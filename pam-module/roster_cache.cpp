#include "roster_cache.hpp"

#include <unistd.h>

#include <algorithm>
#include <initializer_list>

#include "squadcast/sha256.hpp"

namespace squadcast::pam {
namespace {

constexpr std::size_t max_roster_size = 1024 * 1024;
constexpr int roster_version = 1;

std::int64_t age_of(const Roster& roster, std::int64_t now) { return now - roster.fetched_at; }

// A clock that went backwards never makes a roster fresh.
bool younger_than(const Roster& roster, std::int64_t now, std::int64_t seconds) {
  auto age = age_of(roster, now);
  return age >= 0 && age < seconds;
}

bool is_fresh(const Roster& roster, std::int64_t now, const RosterPolicy& policy) {
  if (!younger_than(roster, now, policy.ttl)) return false;
  return !policy.refetch_after_refusal || younger_than(roster, now, refusal_refetch_seconds);
}

bool is_string_list(const nlohmann::json& list) {
  return list.is_array() && std::all_of(list.begin(), list.end(), [](const nlohmann::json& v) { return v.is_string(); });
}

bool has_strings(const nlohmann::json& object, std::initializer_list<const char*> keys) {
  return object.is_object() && std::all_of(keys.begin(), keys.end(), [&](const char* key) {
    auto it = object.find(key);
    return it != object.end() && it->is_string();
  });
}

}  // namespace

bool has_roster_shape(RosterKind kind, const nlohmann::json& answer) {
  switch (kind) {
    case RosterKind::person: {
      if (!answer.is_object() || !answer.contains("found") || !answer["found"].is_boolean()) return false;
      if (!answer["found"].get<bool>()) return true;
      return has_strings(answer, {"id", "email", "role"}) && answer.contains("abilities") &&
             is_string_list(answer["abilities"]);
    }
    case RosterKind::teams:
      return answer.is_array() && std::all_of(answer.begin(), answer.end(), [](const nlohmann::json& team) {
               return has_strings(team, {"id", "name", "slug"});
             });
    case RosterKind::members: return is_string_list(answer);
    case RosterKind::oncall:
      return answer.is_array() && std::all_of(answer.begin(), answer.end(), [](const nlohmann::json& s) {
               return has_strings(s, {"name"}) && s.contains("id") && s["id"].is_number_integer() &&
                      s.contains("paused") && s["paused"].is_boolean() && s.contains("emails") &&
                      is_string_list(s["emails"]);
             });
  }
  return false;
}

std::string serialize_roster(const Roster& roster) {
  return nlohmann::json{{"version", roster_version},
                        {"fetched_at", roster.fetched_at},
                        {"organization_id", roster.organization_id},
                        {"answer", roster.answer}}
      .dump();
}

std::optional<Roster> parse_roster(RosterKind kind, std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  auto version = j.find("version");
  auto fetched_at = j.find("fetched_at");
  auto org = j.find("organization_id");
  auto answer = j.find("answer");
  if (version == j.end() || !version->is_number_integer() || version->get<std::int64_t>() != roster_version ||
      fetched_at == j.end() || !fetched_at->is_number_integer() || org == j.end() || !org->is_string() ||
      answer == j.end() || !has_roster_shape(kind, *answer)) {
    return std::nullopt;
  }
  Roster roster;
  roster.fetched_at = fetched_at->get<std::int64_t>();
  roster.organization_id = org->get<std::string>();
  roster.answer = std::move(*answer);
  return roster;
}

const char* to_string(RosterSource source) {
  switch (source) {
    case RosterSource::cache: return "roster-cache";
    case RosterSource::squadcast: return "squadcast";
    case RosterSource::offline_grace: return "roster-offline-grace";
  }
  return "squadcast";
}

const char* to_string(RosterKind kind) {
  switch (kind) {
    case RosterKind::person: return "person";
    case RosterKind::teams: return "teams";
    case RosterKind::members: return "members";
    case RosterKind::oncall: return "oncall";
  }
  return "unknown";
}

std::string RosterCache::key_for(const Name& name) {
  std::string material = "squadcast roster v1\n";
  material.append(to_string(name.kind)).append("\n").append(name.host_key).append("\n").append(name.subject);
  return sha256_hex(material);
}

std::string RosterCache::path_for(const Name& name) const { return dir_ + "/" + key_for(name) + ".roster"; }

std::optional<Roster> RosterCache::read(const Name& name) const {
  auto text = read_private_file(path_for(name), ::geteuid(), max_roster_size);
  if (!text) return std::nullopt;
  return parse_roster(name.kind, text.value().reveal());
}

Status RosterCache::write(const Name& name, const Roster& roster) const {
  if (auto dir = ensure_private_dir(dir_); !dir) return dir;
  // A roster lost to a power cut is just a miss: no fsync on the login path.
  return write_private_file(path_for(name), serialize_roster(roster), Durability::atomic_only);
}

Result<Roster> RosterCache::get(const Name& name, std::int64_t now, const RosterPolicy& policy, const Fetch& fetch,
                                std::chrono::milliseconds lock_wait) const {
  auto cached = read(name);
  if (cached && is_fresh(*cached, now, policy)) return std::move(*cached);

  // Single flight: whoever holds the lock asks; the others find its answer.
  std::optional<FileLock> lock;
  if (auto locked = files_.lock(key_for(name), lock_wait)) {
    lock.emplace(std::move(locked.value()));
    cached = read(name);
    if (cached && is_fresh(*cached, now, policy)) return std::move(*cached);
  }

  auto fetched = fetch();
  if (fetched) {
    if (!has_roster_shape(name.kind, fetched.value().answer)) {
      return Error{ErrorKind::bad_response, std::string("the ") + to_string(name.kind) + " answer has an unexpected shape"};
    }
    fetched.value().fetched_at = now;
    fetched.value().source = RosterSource::squadcast;
    (void)write(name, fetched.value());  // a roster that could not be kept is asked again next time
    return fetched;
  }
  const Error& error = fetched.error();
  if (cached && is_unreachable(error.kind) && younger_than(*cached, now, policy.ttl)) {
    return std::move(*cached);  // a refetch after a refusal that could not reach Squadcast
  }
  if (cached && may_be_graced(error.kind) && younger_than(*cached, now, policy.grace)) {
    cached->source = RosterSource::offline_grace;
    return std::move(*cached);
  }
  return error;
}

}  // namespace squadcast::pam
