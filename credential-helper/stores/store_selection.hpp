// Which credential store a run uses: --backend / SQUADCAST_CREDENTIAL_BACKEND =
// auto|secretservice|file|env. `auto`: the environment variable when it is set (CI), the
// Secret Service when a session bus and a Secret Service answer quickly, else the file.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "squadcast/credential_store.hpp"
#include "squadcast/result.hpp"

namespace squadcast::helper {

using Getenv = std::function<const char*(const char*)>;

inline constexpr int secret_service_answer_ms = 1500;

struct SelectedStore {
  std::unique_ptr<CredentialStore> store;
  std::string description;  // for `status`: "file (auto: no session bus)"
};

Status check_backend_name(const std::string& backend);

// True when the run will read SQUADCAST_REFRESH_TOKEN: decidable without touching D-Bus.
bool uses_environment_token(const std::string& backend, const Getenv& getenv);

// SQUADCAST_SECRETSERVICE_PLUGIN, else the build-tree plugin when running from the build
// tree, else the installed one.
std::string secret_service_plugin_path(const Getenv& getenv);

Result<SelectedStore> select_credential_store(const std::string& backend, const std::string& auth_url,
                                              const Getenv& getenv);

}  // namespace squadcast::helper
