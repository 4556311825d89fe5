// An Account that records what the protocol code asked of it: the protocols are tested
// in-process, without a Squadcast, a store or a process.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "account.hpp"

namespace squadcast::helper::test {

class FakeAccount : public Account {
 public:
  std::string profile_name = "default";
  std::string auth = "https://auth.squadcast.com";
  std::vector<std::pair<std::string, std::string>> hosts = {{"https", "api.squadcast.com"},
                                                            {"https", "auth.squadcast.com"}};
  std::optional<Error> token_error;  // what access_token() fails with, if set
  AccessGrant grant;
  std::optional<Error> store_error;
  std::vector<std::string> offered;  // secrets passed to offer_secret
  std::vector<std::string> offered_usernames;
  int drops = 0;
  int token_requests = 0;
  bool logged_in = true;

  FakeAccount() {
    grant.access_token = Secret("eyJhbGciOiJIUzI1NiJ9.eyJpZCI6IjEifQ.c2lnbmF0dXJl");
    grant.expires_at = 1587412870;
    grant.identity.email = "alice@acme.test";
    grant.identity.role = "admin";
    grant.identity.organization_id = "5e8edb1f7e6f7d0001a1c0de";
  }

  const std::string& profile() const override { return profile_name; }
  const std::string& auth_url() const override { return auth; }
  bool serves(std::string_view scheme, std::string_view host) const override {
    for (const auto& [s, h] : hosts) {
      if (h == host && scheme == s) return true;  // the real account's rule: no scheme, no match
    }
    return false;
  }
  std::string server_name() const override { return "api.squadcast.com"; }
  Result<AccessGrant> access_token() override {
    ++token_requests;
    if (token_error) return *token_error;
    return grant;
  }
  std::vector<std::int64_t> validity_requests;  // what access_token_valid_for was asked
  std::string region;
  Result<AccessGrant> access_token_valid_for(std::int64_t seconds) override {
    validity_requests.push_back(seconds);
    return access_token();
  }
  std::string named_region() const override { return region; }
  Status offer_secret(const Secret& secret, std::string_view username) override {
    if (store_error) return *store_error;
    offered.emplace_back(secret.reveal());
    offered_usernames.emplace_back(username);
    return success();
  }
  void drop_cached_token() override { ++drops; }
  Result<AccessGrant> login(const Secret&) override { return grant; }
  Status logout() override { return success(); }
  Result<StoredCredential> stored_credential() override {
    if (!logged_in) return Error{ErrorKind::not_found, "nothing stored"};
    StoredCredential credential;
    credential.email = grant.identity.email;
    return credential;
  }
  std::string store_description() override { return "fake"; }
  bool has_usable_cached_token() const override { return true; }
};

}  // namespace squadcast::helper::test
