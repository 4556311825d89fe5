#include "offered_secret.hpp"

#include "squadcast/exchange.hpp"

namespace squadcast::helper {

namespace {
bool is_base64url_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}
}  // namespace

bool looks_like_jwt(std::string_view text) {
  int parts = 1;
  std::size_t part_length = 0;
  for (char c : text) {
    if (c == '.') {
      if (part_length == 0) return false;
      ++parts;
      part_length = 0;
    } else if (is_base64url_char(c)) {
      ++part_length;
    } else {
      return false;
    }
  }
  return parts == 3 && part_length > 0;
}

OfferedSecret classify_offered_secret(const Secret& offered, const std::optional<Secret>& cached_access_token) {
  if (looks_like_jwt(offered.reveal())) return OfferedSecret::access_token;
  if (cached_access_token && cached_access_token->equals(offered)) return OfferedSecret::access_token;
  if (!check_refresh_token_shape(offered)) return OfferedSecret::malformed;
  return OfferedSecret::refresh_token;
}

}  // namespace squadcast::helper
