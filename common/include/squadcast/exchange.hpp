// Refresh token -> access token: GET {auth}/oauth/access-token with X-Refresh-Token.
#pragma once

#include <cstdint>
#include <string_view>

#include "squadcast/endpoints.hpp"
#include "squadcast/http_client.hpp"
#include "squadcast/result.hpp"
#include "squadcast/secret.hpp"

namespace squadcast {

struct ExchangedToken {
  Secret access_token;
  std::int64_t expires_at = 0;
  std::int64_t issued_at = 0;
  Secret refresh_token;  // as returned; differs from the one sent when rotated
};

// Rejects empty tokens, whitespace, control characters and anything over 4 KiB.
Status check_refresh_token_shape(const Secret& token);

// Maps a response to an outcome (api_answer.hpp): 200 -> token; 401/403 -> revoked; 404 ->
// refused (never not_found, which means "nothing stored"); unparseable -> bad_response.
Result<ExchangedToken> parse_exchange_response(long status, std::string_view body);

Result<ExchangedToken> exchange_refresh_token(const Endpoints& endpoints, const Secret& refresh_token,
                                              const HttpOptions& options, HttpConnection* connection = nullptr);

}  // namespace squadcast
