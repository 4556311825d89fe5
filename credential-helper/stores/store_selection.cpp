#include "stores/store_selection.hpp"

#include <unistd.h>

#include <climits>
#include <string_view>

#include "squadcast/file_store.hpp"
#include "stores/env_store.hpp"
#include "stores/secret_service_store.hpp"

#ifndef SQUADCAST_SECRETSERVICE_PLUGIN_BUILD
#define SQUADCAST_SECRETSERVICE_PLUGIN_BUILD ""
#endif
#ifndef SQUADCAST_SECRETSERVICE_PLUGIN_INSTALL
#define SQUADCAST_SECRETSERVICE_PLUGIN_INSTALL "/usr/lib/squadcast/squadcast-secretservice.so"
#endif
#ifndef SQUADCAST_HELPER_BUILD_DIR
#define SQUADCAST_HELPER_BUILD_DIR ""
#endif

namespace squadcast::helper {

namespace {
bool is_set(const Getenv& getenv, const char* name) {
  const char* value = getenv(name);
  return value && *value;
}

std::string directory_of_running_binary() {
  char path[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0) return {};
  std::string exe(path, static_cast<std::size_t>(n));
  return exe.substr(0, exe.rfind('/'));
}

SelectedStore file_store(std::string description) {
  return {std::make_unique<FileStore>(FileStore::default_path()), std::move(description)};
}

SelectedStore env_store(const std::string& auth_url, const Getenv& getenv, std::string description) {
  const char* value = getenv(refresh_token_variable);
  return {std::make_unique<EnvStore>(Secret(value ? value : ""), auth_url), std::move(description)};
}

// `auto` with a Secret Service: a token kept in the file earlier (say, logged in over SSH
// with no desktop session) is still found; new tokens go to the Secret Service, and
// logout forgets both.
class SecretServiceWithFileFallback : public CredentialStore {
 public:
  explicit SecretServiceWithFileFallback(std::unique_ptr<CredentialStore> primary)
      : primary_(std::move(primary)), file_(FileStore::default_path()) {}
  const char* name() const override { return primary_->name(); }
  Result<StoredCredential> get(const std::string& profile) override {
    auto found = primary_->get(profile);
    if (found || found.error().kind != ErrorKind::not_found) return found;
    auto in_file = file_.get(profile);
    return in_file ? in_file : found;
  }
  Status put(const std::string& profile, const StoredCredential& credential) override {
    return primary_->put(profile, credential);
  }
  Status erase(const std::string& profile) override {
    auto erased = primary_->erase(profile);
    (void)file_.erase(profile);  // nothing there, or unreadable: the primary's answer stands
    return erased;
  }
  Result<std::vector<std::string>> list() override { return primary_->list(); }

 private:
  std::unique_ptr<CredentialStore> primary_;
  FileStore file_;
};

Result<std::unique_ptr<SecretServiceStore>> answering_secret_service(const Getenv& getenv) {
  auto store = SecretServiceStore::load(secret_service_plugin_path(getenv));
  if (!store) return store.error();
  if (auto answered = store.value()->ping(secret_service_answer_ms); !answered) return answered.error();
  return std::move(store).value();
}
}  // namespace

Status check_backend_name(const std::string& backend) {
  if (backend == "auto" || backend == "secretservice" || backend == "file" || backend == "env") return success();
  return Error{ErrorKind::config, "unknown credential backend '" + backend + "' (use auto, secretservice, file or env)"};
}

bool uses_environment_token(const std::string& backend, const Getenv& getenv) {
  return backend == "env" || (backend == "auto" && is_set(getenv, refresh_token_variable));
}

std::string secret_service_plugin_path(const Getenv& getenv) {
  if (const char* path = getenv("SQUADCAST_SECRETSERVICE_PLUGIN"); path && *path) return path;
  std::string_view build_dir = SQUADCAST_HELPER_BUILD_DIR;
  if (!build_dir.empty() && directory_of_running_binary() == build_dir) return SQUADCAST_SECRETSERVICE_PLUGIN_BUILD;
  return SQUADCAST_SECRETSERVICE_PLUGIN_INSTALL;
}

Result<SelectedStore> select_credential_store(const std::string& backend, const std::string& auth_url,
                                              const Getenv& getenv) {
  if (auto valid = check_backend_name(backend); !valid) return valid.error();
  if (backend == "file") return file_store("file (chosen)");
  if (backend == "env") return env_store(auth_url, getenv, std::string("env (chosen: ") + refresh_token_variable + ")");
  if (backend == "secretservice") {
    auto store = answering_secret_service(getenv);
    if (!store) return store.error();
    return SelectedStore{std::move(store).value(), "secretservice (chosen)"};
  }
  if (uses_environment_token(backend, getenv))
    return env_store(auth_url, getenv, std::string("env (auto: ") + refresh_token_variable + " is set)");
  if (!is_set(getenv, "DBUS_SESSION_BUS_ADDRESS")) return file_store("file (auto: no D-Bus session bus)");
  auto store = answering_secret_service(getenv);
  if (!store) return file_store("file (auto: " + store.error().message + ")");
  return SelectedStore{std::make_unique<SecretServiceWithFileFallback>(std::move(store).value()),
                       "secretservice (auto: the Secret Service answered)"};
}

}  // namespace squadcast::helper
