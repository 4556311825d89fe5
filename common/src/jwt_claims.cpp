#include "squadcast/jwt_claims.hpp"

#include "json_input.hpp"

namespace squadcast {

std::optional<std::string> base64url_decode(std::string_view in) {
  auto value_of = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
  };
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  if (in.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(in.size() * 3 / 4);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : in) {
    int v = value_of(c);
    if (v < 0) return std::nullopt;
    buffer = (buffer << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  return out;
}

namespace {

// Claims end up in protocol lines (git's username=, docker JSON) and log lines.
bool is_printable(const std::string& value) {
  for (char c : value) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  }
  return value.size() <= 320;
}

}  // namespace

Result<TokenClaims> decode_token_claims(const Secret& jwt) {
  std::string_view token = jwt.reveal();
  auto first_dot = token.find('.');
  auto second_dot = first_dot == std::string_view::npos ? first_dot : token.find('.', first_dot + 1);
  if (second_dot == std::string_view::npos || token.find('.', second_dot + 1) != std::string_view::npos) {
    return Error{ErrorKind::bad_response, "the access token is not a JWT (expected three parts)"};
  }
  auto payload_text = base64url_decode(token.substr(first_dot + 1, second_dot - first_dot - 1));
  if (!payload_text) return Error{ErrorKind::bad_response, "the access token payload is not base64url"};
  Secret payload_secret(*payload_text);  // the payload embeds the refresh token: wipe it
  wipe_string(*payload_text);
  auto payload = parse_untrusted_json(payload_secret.reveal());
  if (!payload || !payload->is_object()) {
    return Error{ErrorKind::bad_response, "the access token payload is not a JSON object"};
  }
  TokenClaims claims;
  auto id = string_field(*payload, "id");
  auto email = string_field(*payload, "email");
  auto organization = string_field(*payload, "organization_id");
  auto exp = integer_field(*payload, "exp");
  if (!id || id->empty()) return Error{ErrorKind::bad_response, "the access token has no user id claim"};
  if (!email) return Error{ErrorKind::bad_response, "the access token has no email claim"};
  if (!organization) return Error{ErrorKind::bad_response, "the access token has no organization_id claim"};
  if (!exp) return Error{ErrorKind::bad_response, "the access token has no exp claim"};
  for (const auto* value : {&*id, &*email, &*organization}) {
    if (!is_printable(*value)) {
      return Error{ErrorKind::bad_response, "the access token has a claim with control characters or too long"};
    }
  }
  claims.user_id = *id;
  claims.email = *email;
  claims.organization_id = *organization;
  claims.expires_at = *exp;
  claims.first_name = string_field(*payload, "first_name").value_or("");
  if (!is_printable(claims.first_name)) claims.first_name.clear();
  claims.issued_at = integer_field(*payload, "iat").value_or(0);
  claims.api_token = bool_field(*payload, "api_token").value_or(false);
  if (auto it = payload->find("refresh_token"); it != payload->end() && it->is_string()) {
    wipe_string(it->get_ref<std::string&>());
  }
  return claims;
}

}  // namespace squadcast
