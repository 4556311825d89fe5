// Token administration (account owner, or a role with the manage-api-tokens ability):
// list the organisation's refresh tokens, create one for a user, revoke one. Token values
// never leave this layer as plain strings: a list carries fingerprints only, and the one
// value a create returns is a Secret.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "squadcast/endpoints.hpp"
#include "squadcast/http_client.hpp"
#include "squadcast/result.hpp"
#include "squadcast/secret.hpp"

namespace squadcast {

// What the 403 of every token-administration call means, for messages.
inline constexpr const char* token_admin_requirement = "the account owner role or the manage-api-tokens ability";

struct TokenRecord {
  std::string id;
  std::string organization_id;
  std::string user_id;
  std::string fingerprint;  // token_fingerprint() of the value; "" when the server sent none
  std::int64_t last_refresh = 0;  // Unix seconds; 0 = never
  std::int64_t rate_limit = 0;    // calls per minute; 0 = not given
  bool deleted = false;
};

struct CreatedToken {
  TokenRecord record;
  Secret token;  // the new refresh token: hand it over once, then let it go
};

struct OrgUser {
  std::string id;
  std::string email;
  std::string first_name;
  std::string last_name;
  std::string role;
};

enum class RevokeOutcome { revoked, already_gone };

// The first 8 hex digits of the SHA-256 of a token: tells tokens apart, reveals nothing.
std::string token_fingerprint(const Secret& token);

// Parsers of the three answers (and of GET /v3/users), separate for tests and fuzzing.
Result<std::vector<TokenRecord>> parse_token_list(long status, std::string_view body);
Result<CreatedToken> parse_created_token(long status, std::string_view body);
Result<std::vector<OrgUser>> parse_user_list(long status, std::string_view body);
Result<RevokeOutcome> parse_revoke_answer(long status, std::string_view body);

// One connection for a command's several calls.
class TokenAdminClient {
 public:
  TokenAdminClient(Endpoints endpoints, Secret access_token, HttpOptions options);

  Result<std::vector<TokenRecord>> list_tokens();
  Result<std::vector<OrgUser>> list_users();
  Result<CreatedToken> create_token(std::string_view user_id);
  Result<RevokeOutcome> revoke_token(std::string_view token_id);

 private:
  std::vector<HttpHeader> bearer() const;

  Endpoints endpoints_;
  Secret access_token_;
  HttpOptions options_;
  HttpConnection connection_;
};

}  // namespace squadcast
