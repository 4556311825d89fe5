// Reads the payload of a Squadcast access token (HS256 JWT). No signature check:
// the key is server-side; trust comes from TLS to the auth host.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "squadcast/result.hpp"
#include "squadcast/secret.hpp"

namespace squadcast {

struct TokenClaims {
  std::string user_id;  // "id"
  std::string email;
  std::string first_name;
  std::string organization_id;
  std::int64_t expires_at = 0;  // "exp"
  std::int64_t issued_at = 0;   // "iat"
  bool api_token = false;
};

std::optional<std::string> base64url_decode(std::string_view in);

// Requires id, email, organization_id and exp; anything else is an error.
Result<TokenClaims> decode_token_claims(const Secret& jwt);

}  // namespace squadcast
