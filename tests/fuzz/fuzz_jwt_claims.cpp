// decode_token_claims and base64url_decode. Byte 0 picks the mode:
//   even: the rest is the whole token, as it came from the exchange;
//   odd:  the rest is the payload JSON, wrapped as header.base64url(payload).signature so
//         the fuzzer reaches the claims logic without having to learn base64 first.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "squadcast/jwt_claims.hpp"
#include "support/test_jwt.hpp"

using namespace squadcast;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view rest = fuzz::as_text(data + 1, size - 1);

  std::string token;
  if (data[0] & 1) {
    token = test::base64url_encode(R"({"alg":"HS256","typ":"JWT"})") + "." + test::base64url_encode(std::string(rest)) +
            ".c2ln";
  } else {
    token = std::string(rest);
  }
  auto claims = decode_token_claims(Secret(token));
  if (claims) {
    FUZZ_CHECK(!claims.value().user_id.empty());
  } else {
    FUZZ_CHECK(claims.error().kind == ErrorKind::bad_response);
  }
  if (data[0] & 1) {
    // The payload went through base64url intact: only its JSON decides.
    auto payload = base64url_decode(test::base64url_encode(std::string(rest)));
    FUZZ_CHECK(payload && *payload == rest);
  }

  // base64url_decode on arbitrary text; what decodes re-encodes canonically and decodes back.
  if (auto decoded = base64url_decode(rest)) {
    std::string again = test::base64url_encode(*decoded);
    auto round = base64url_decode(again);
    FUZZ_CHECK(round && *round == *decoded);
    FUZZ_CHECK(decoded->size() <= rest.size());
  }
  return 0;
}
