// Who a token belongs to: GET {api}/v3/users/{id} with the bearer token -> role, abilities.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "squadcast/endpoints.hpp"
#include "squadcast/http_client.hpp"
#include "squadcast/result.hpp"
#include "squadcast/secret.hpp"

namespace squadcast {

struct UserProfile {
  std::string id;
  std::string email;
  std::string role;  // as the server says it; see roles.hpp for ordering
  std::vector<std::string> abilities;  // slugs
};

Result<UserProfile> parse_user_response(long status, std::string_view body);

// GET {api}/v3/users?email=: the same record, found by email. 404 -> not_found (no such
// user in the caller's organisation: deleted, or never there).
Result<UserProfile> parse_user_by_email_response(long status, std::string_view body);

Result<UserProfile> fetch_user(const Endpoints& endpoints, const Secret& access_token,
                               std::string_view user_id, const HttpOptions& options,
                               HttpConnection* connection = nullptr);

Result<UserProfile> fetch_user_by_email(const Endpoints& endpoints, const Secret& access_token,
                                        std::string_view email, const HttpOptions& options,
                                        HttpConnection* connection = nullptr);

}  // namespace squadcast
