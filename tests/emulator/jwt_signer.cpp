#include "jwt_signer.hpp"

#include "crypto_utils.hpp"

#include <openssl/crypto.h>

namespace squadcast::emulator {

std::string JwtSigner::sign(const nlohmann::ordered_json& claims) const {
  const nlohmann::ordered_json header = {{"alg", "HS256"}, {"typ", "JWT"}};
  std::string signing_input =
      base64url_encode(header.dump()) + "." + base64url_encode(claims.dump());
  return signing_input + "." + base64url_encode(hmac_sha256(key_, signing_input));
}

std::optional<nlohmann::json> JwtSigner::verify(const std::string& token) const {
  const auto first = token.find('.');
  const auto second = first == std::string::npos ? first : token.find('.', first + 1);
  if (second == std::string::npos || token.find('.', second + 1) != std::string::npos) {
    return std::nullopt;
  }
  const auto header = base64url_decode(std::string_view(token).substr(0, first));
  const auto payload =
      base64url_decode(std::string_view(token).substr(first + 1, second - first - 1));
  const auto signature = base64url_decode(std::string_view(token).substr(second + 1));
  if (!header || !payload || !signature) return std::nullopt;

  const std::string expected = hmac_sha256(key_, token.substr(0, second));
  // Constant time, although nobody attacks a test emulator: it costs nothing.
  if (signature->size() != expected.size() ||
      CRYPTO_memcmp(signature->data(), expected.data(), expected.size()) != 0) {
    return std::nullopt;
  }
  const auto h = nlohmann::json::parse(*header, nullptr, false);
  if (!h.is_object() || h.value("alg", "") != "HS256") return std::nullopt;
  auto claims = nlohmann::json::parse(*payload, nullptr, false);
  if (!claims.is_object()) return std::nullopt;
  return claims;
}

}  // namespace squadcast::emulator
