// Tools hand back whatever secret they used (git `store`, docker `store`, terraform
// `store`); most of the time that is our own access token, which must never replace the
// refresh token.
#pragma once

#include <optional>
#include <string_view>

#include "squadcast/secret.hpp"

namespace squadcast::helper {

enum class OfferedSecret {
  access_token,   // a JWT or the cached access token: ignore it
  refresh_token,  // keep it
  malformed,      // neither: refuse it
};

// Three non-empty base64url parts separated by dots.
bool looks_like_jwt(std::string_view text);

OfferedSecret classify_offered_secret(const Secret& offered, const std::optional<Secret>& cached_access_token);

}  // namespace squadcast::helper
