#include "squadcast/file_store.hpp"

#include "json_input.hpp"
#include "squadcast/config.hpp"
#include "squadcast/private_file.hpp"

namespace squadcast {
Secret serialize_credentials_file(const CredentialsByProfile& credentials) {
  nlohmann::json profiles = nlohmann::json::object();
  for (const auto& [name, credential] : credentials) {
    profiles[name] = {
        {"refresh_token", credential.refresh_token.reveal()},
        {"email", credential.email},
        {"auth_url", credential.auth_url},
        {"stored_at", credential.stored_at},
    };
  }
  nlohmann::json file = {{"version", credentials_file_version}, {"profiles", profiles}};
  // Never throws on invalid UTF-8 (an email or profile name a tool handed us): replaced by
  // U+FFFD. Refresh tokens are ASCII (check_refresh_token_shape), so they are kept exactly.
  std::string text = file.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  for (auto& [name, entry] : file["profiles"].items()) {
    (void)name;
    wipe_string(entry["refresh_token"].get_ref<std::string&>());
  }
  Secret secret(text);
  wipe_string(text);
  return secret;
}

Result<CredentialsByProfile> parse_credentials_file(std::string_view text) {
  auto json = parse_untrusted_json(text, 8);
  if (!json || !json->is_object()) return Error{ErrorKind::invalid_input, "the credentials file is not valid JSON"};
  auto version = integer_field(*json, "version");
  if (!version) return Error{ErrorKind::invalid_input, "the credentials file has no version"};
  if (*version != credentials_file_version) {
    return Error{ErrorKind::invalid_input, "the credentials file has version " + std::to_string(*version) +
                                               "; this program reads version " +
                                               std::to_string(credentials_file_version)};
  }
  auto profiles = json->find("profiles");
  if (profiles == json->end() || !profiles->is_object()) {
    return Error{ErrorKind::invalid_input, "the credentials file has no profiles object"};
  }
  CredentialsByProfile credentials;
  for (auto& [name, entry] : profiles->items()) {
    auto token = entry.is_object() ? entry.find("refresh_token") : entry.end();
    if (!entry.is_object() || token == entry.end() || !token->is_string()) {
      return Error{ErrorKind::invalid_input, "profile '" + name + "' in the credentials file has no refresh_token"};
    }
    StoredCredential credential;
    credential.refresh_token = Secret(token->get_ref<const std::string&>());
    wipe_string(token->get_ref<std::string&>());
    credential.email = string_field(entry, "email").value_or("");
    credential.auth_url = string_field(entry, "auth_url").value_or("");
    credential.stored_at = integer_field(entry, "stored_at").value_or(0);
    credentials.emplace(name, std::move(credential));
  }
  return credentials;
}

FileStore::FileStore(std::string path, uid_t owner) : path_(std::move(path)), owner_(owner) {}

std::string FileStore::default_path() { return user_config_dir() + "/credentials"; }

Result<CredentialsByProfile> FileStore::load_all() {
  auto text = read_private_file(path_, owner_, credentials_file_max_size);
  if (!text) {
    if (text.error().kind == ErrorKind::not_found) return CredentialsByProfile{};
    return text.error();
  }
  auto parsed = parse_credentials_file(text.value().reveal());
  if (!parsed) return Error{parsed.error().kind, path_ + ": " + parsed.error().message};
  return parsed;
}

Result<StoredCredential> FileStore::get(const std::string& profile) {
  auto all = load_all();
  if (!all) return all.error();
  auto it = all.value().find(profile);
  if (it == all.value().end()) {
    return Error{ErrorKind::not_found, "no refresh token stored for profile '" + profile + "' in " + path_};
  }
  return it->second;
}

Status FileStore::put(const std::string& profile, const StoredCredential& credential) {
  if (auto dir = ensure_private_dir(parent_directory(path_)); !dir) return dir.error();
  // Serialise read-modify-write against other processes so no update is lost.
  auto lock = FileLock::acquire(path_ + ".lock", std::chrono::seconds(10));
  if (!lock) return lock.error();
  auto all = load_all();
  if (!all) return all.error();
  all.value()[profile] = credential;
  Secret text = serialize_credentials_file(all.value());
  return write_private_file(path_, text.reveal());
}

Status FileStore::erase(const std::string& profile) {
  auto all = load_all();
  if (!all) return all.error();
  if (all.value().erase(profile) == 0) return success();
  auto lock = FileLock::acquire(path_ + ".lock", std::chrono::seconds(10));
  if (!lock) return lock.error();
  all = load_all();
  if (!all) return all.error();
  all.value().erase(profile);
  Secret text = serialize_credentials_file(all.value());
  return write_private_file(path_, text.reveal());
}

Result<std::vector<std::string>> FileStore::list() {
  auto all = load_all();
  if (!all) return all.error();
  std::vector<std::string> names;
  for (const auto& [name, credential] : all.value()) names.push_back(name);
  return names;
}

}  // namespace squadcast
