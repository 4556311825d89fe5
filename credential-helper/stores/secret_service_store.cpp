#include "stores/secret_service_store.hpp"

#include <dlfcn.h>

#include <ctime>
#include <sstream>

#include "stores/secret_service_plugin.h"

namespace squadcast::helper {

Result<std::unique_ptr<SecretServiceStore>> SecretServiceStore::load(const std::string& plugin_path) {
  void* library = ::dlopen(plugin_path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    const char* why = ::dlerror();
    return Error{ErrorKind::config, "cannot load the Secret Service plugin " + plugin_path + ": " + (why ? why : "?")};
  }
  auto entry = reinterpret_cast<squadcast_secret_service_table_fn>(::dlsym(library, SQUADCAST_SECRET_SERVICE_TABLE_SYMBOL));
  const squadcast_secret_service_table* table = entry ? entry() : nullptr;
  if (!table || table->abi_version != SQUADCAST_SECRET_SERVICE_ABI) {
    ::dlclose(library);
    return Error{ErrorKind::config, "the Secret Service plugin " + plugin_path + " does not match this helper"};
  }
  return std::unique_ptr<SecretServiceStore>(new SecretServiceStore(library, table));
}

SecretServiceStore::SecretServiceStore(void* library, const squadcast_secret_service_table* table)
    : library_(library), table_(table) {}

// glib keeps threads and types alive that cannot be unloaded safely: never dlclose.
SecretServiceStore::~SecretServiceStore() = default;

Error SecretServiceStore::take_error(char* message) const {
  Error error{ErrorKind::io, std::string("Secret Service: ") + (message ? message : "unknown error")};
  table_->free_string(message);
  return error;
}

Status SecretServiceStore::ping(int timeout_ms) {
  char* message = nullptr;
  if (table_->ping(timeout_ms, &message) != SQUADCAST_SS_OK) return take_error(message);
  return success();
}

Result<StoredCredential> SecretServiceStore::get(const std::string& profile) {
  char *secret = nullptr, *auth_url = nullptr, *email = nullptr, *message = nullptr;
  int rc = table_->lookup(profile.c_str(), &secret, &auth_url, &email, &message);
  if (rc == SQUADCAST_SS_ERROR) return take_error(message);
  if (rc == SQUADCAST_SS_NOT_FOUND) {
    table_->free_string(message);
    return Error{ErrorKind::not_found, "no refresh token for profile '" + profile + "' in the Secret Service"};
  }
  StoredCredential credential;
  credential.refresh_token = Secret(secret ? secret : "");
  credential.auth_url = auth_url ? auth_url : "";
  credential.email = email ? email : "";
  table_->free_string(secret);
  table_->free_string(auth_url);
  table_->free_string(email);
  return credential;
}

Status SecretServiceStore::put(const std::string& profile, const StoredCredential& credential) {
  std::string secret(credential.refresh_token.reveal());
  char* message = nullptr;
  int rc = table_->store(profile.c_str(), credential.auth_url.c_str(), credential.email.c_str(), secret.c_str(),
                         &message);
  wipe_string(secret);
  if (rc != SQUADCAST_SS_OK) return take_error(message);
  return success();
}

Status SecretServiceStore::erase(const std::string& profile) {
  char* message = nullptr;
  int rc = table_->clear(profile.c_str(), &message);
  if (rc == SQUADCAST_SS_ERROR) return take_error(message);
  if (rc == SQUADCAST_SS_NOT_FOUND)
    return Error{ErrorKind::not_found, "no refresh token for profile '" + profile + "' in the Secret Service"};
  return success();
}

Result<std::vector<std::string>> SecretServiceStore::list() {
  char *profiles = nullptr, *message = nullptr;
  if (table_->list(&profiles, &message) != SQUADCAST_SS_OK) return take_error(message);
  std::vector<std::string> out;
  std::istringstream lines(profiles ? profiles : "");
  table_->free_string(profiles);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

}  // namespace squadcast::helper
