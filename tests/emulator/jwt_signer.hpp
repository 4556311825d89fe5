// HS256 JWTs, as Squadcast issues them. The emulator both signs (token exchange) and
// verifies (bearer checks on /v3/*) with the seed's signing_key.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace squadcast::emulator {

class JwtSigner {
 public:
  explicit JwtSigner(std::string key) : key_(std::move(key)) {}

  // header {"alg":"HS256","typ":"JWT"} . payload . HMAC-SHA256 signature, all base64url.
  std::string sign(const nlohmann::ordered_json& claims) const;

  // The decoded payload when the token is well formed, says HS256 and the signature
  // matches; nullopt otherwise. Expiry is the caller's business.
  std::optional<nlohmann::json> verify(const std::string& token) const;

 private:
  std::string key_;
};

}  // namespace squadcast::emulator
