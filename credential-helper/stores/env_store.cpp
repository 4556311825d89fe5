#include "stores/env_store.hpp"

namespace squadcast::helper {

namespace {
Error read_only() {
  return {ErrorKind::config, std::string("the env backend is read-only: change ") + refresh_token_variable +
                                 " or use --backend file|secretservice"};
}
}  // namespace

EnvStore::EnvStore(Secret token, std::string auth_url) : token_(std::move(token)), auth_url_(std::move(auth_url)) {}

Result<StoredCredential> EnvStore::get(const std::string&) {
  if (token_.empty()) return Error{ErrorKind::not_found, std::string(refresh_token_variable) + " is not set"};
  StoredCredential credential;
  credential.refresh_token = token_;
  credential.auth_url = auth_url_;
  return credential;
}

Status EnvStore::put(const std::string&, const StoredCredential&) { return read_only(); }
Status EnvStore::erase(const std::string&) { return read_only(); }

Result<std::vector<std::string>> EnvStore::list() {
  if (token_.empty()) return std::vector<std::string>{};
  return std::vector<std::string>{"(environment)"};
}

}  // namespace squadcast::helper
