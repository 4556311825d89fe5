// Builds unsigned-looking JWTs for claims tests (the client never checks signatures).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace squadcast::test {

inline std::string base64url_encode(const std::string& in) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (unsigned char c : in) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(alphabet[(buffer >> bits) & 0x3f]);
    }
  }
  if (bits > 0) out.push_back(alphabet[(buffer << (6 - bits)) & 0x3f]);
  return out;
}

inline std::string make_jwt(const nlohmann::json& payload) {
  return base64url_encode(R"({"alg":"HS256","typ":"JWT"})") + "." + base64url_encode(payload.dump()) + "." +
         base64url_encode("not-a-real-signature");
}

inline nlohmann::json sample_claims() {
  return {{"exp", 1900000000},
          {"iat", 1899827200},
          {"nbf", 1899827200},
          {"jti", std::string(64, 'a')},
          {"iss", "api.squadcast.com"},
          {"id", "5e8edb1f7e6f7d0001a10002"},
          {"email", "alice@acme.test"},
          {"first_name", "Alice"},
          {"organization_id", "5e8edb1f7e6f7d0001a1c0de"},
          {"api_token", true},
          {"web_token", false},
          {"sso_login", false},
          {"sso_token", ""},
          {"user", nullptr},
          {"organization", nullptr},
          {"refresh_token", std::string(128, 'f')}};
}

}  // namespace squadcast::test
