// parse_exchange_response(status, body) and error_envelope_message(body) on hostile answers.
// Byte 0 picks the HTTP status (mostly 200, where the JSON parsing is); the rest is the body.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "squadcast/api_answer.hpp"
#include "squadcast/exchange.hpp"

using namespace squadcast;

namespace {

constexpr long statuses[] = {200, 401, 403, 429, 500, 502, 503, 504, 404, 400, 301, 302, 204, 0, -1, 999};

bool is_jwt_charset(std::string_view token) {
  for (char c : token) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto [status, body] = fuzz::http_answer(data, size, statuses);

  auto result = parse_exchange_response(status, body);
  if (result) {
    FUZZ_CHECK(status == 200);
    const ExchangedToken& token = result.value();
    FUZZ_CHECK(!token.access_token.empty());
    FUZZ_CHECK(token.access_token.size() <= 16 * 1024);
    // The token ends up in git protocol lines and HTTP headers: no byte may break out.
    FUZZ_CHECK(is_jwt_charset(token.access_token.reveal()));
    FUZZ_CHECK(token.refresh_token.empty() || check_refresh_token_shape(token.refresh_token).ok());
  } else {
    const Error& error = result.error();
    fuzz::check_status_reading(error.kind, status, {{403, ErrorKind::revoked}, {404, ErrorKind::refused}});
    // Messages reach people and JSON output (status --json): printable, valid UTF-8.
    FUZZ_CHECK(fuzz::is_valid_utf8(error.message));
  }

  std::string message = error_envelope_message(body);
  FUZZ_CHECK(message.size() <= 200);
  for (char c : message) FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
  FUZZ_CHECK(fuzz::is_valid_utf8(message));

  // The token-shape check on arbitrary bytes: never crashes, and what passes is one printable line.
  Secret offered(body);
  if (check_refresh_token_shape(offered)) {
    FUZZ_CHECK(!body.empty() && body.size() <= 4096);
    for (char c : body) FUZZ_CHECK(static_cast<unsigned char>(c) > 0x20 && c != 0x7f);
  }
  return 0;
}
