// Token administration answers, hostile: parse_token_list (GET /v3/refresh-token),
// parse_created_token (POST) and parse_user_list (GET /v3/users, joined for names).
// Byte 0 picks the status as in the other response targets; byte 1 picks the parser.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "squadcast/token_admin.hpp"

using namespace squadcast;

namespace {
constexpr long statuses[] = {200, 401, 403, 404, 429, 500, 502, 503, 400, 201, 204, 0, -1, 999, 200, 201};

bool is_id(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool is_fingerprint(const std::string& s) {
  if (s.empty()) return true;
  if (s.size() != 8) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// What reaches a terminal: no control characters.
bool is_printable(const std::string& s) {
  for (char c : s) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) return false;
  }
  return s.size() <= 256;
}

void check_error(const Error& error, long status) {
  switch (error.kind) {
    case ErrorKind::revoked: FUZZ_CHECK(status == 401); break;
    case ErrorKind::forbidden: FUZZ_CHECK(status == 403); break;
    case ErrorKind::rate_limited: FUZZ_CHECK(status == 429); break;
    case ErrorKind::not_found: FUZZ_CHECK(status == 404); break;
    case ErrorKind::server_error: FUZZ_CHECK(status >= 500 && status <= 599); break;
    case ErrorKind::refused:
      FUZZ_CHECK(status != 200 && status != 401 && status != 403 && status != 429 && (status < 500 || status > 599));
      break;
    case ErrorKind::bad_response: FUZZ_CHECK(status == 200 || status == 201); break;
    default: FUZZ_CHECK(!"unexpected error kind from a token administration parser");
  }
  FUZZ_CHECK(fuzz::is_valid_utf8(error.message));
}

void check_record(const TokenRecord& record) {
  FUZZ_CHECK(is_id(record.id));  // goes into DELETE /v3/refresh-token/{id}
  FUZZ_CHECK(record.user_id.empty() || is_id(record.user_id));
  FUZZ_CHECK(is_fingerprint(record.fingerprint));
  FUZZ_CHECK(is_printable(record.organization_id));
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  long status = data[0] < 0xC0 ? 200 : statuses[data[0] & 0x0F];
  std::string_view body = fuzz::as_text(data + 2, size - 2);

  switch (data[1] % 3) {
    case 0: {
      auto result = parse_token_list(status, body);
      if (!result) return check_error(result.error(), status), 0;
      FUZZ_CHECK(status == 200);
      for (const TokenRecord& record : result.value()) check_record(record);
      break;
    }
    case 1: {
      auto result = parse_created_token(status, body);
      if (!result) return check_error(result.error(), status), 0;
      FUZZ_CHECK(status == 200 || status == 201);
      check_record(result.value().record);
      FUZZ_CHECK(!result.value().token.empty());
      FUZZ_CHECK(result.value().record.fingerprint == token_fingerprint(result.value().token));
      break;
    }
    default: {
      auto result = parse_user_list(status, body);
      if (!result) return check_error(result.error(), status), 0;
      FUZZ_CHECK(status == 200);
      for (const OrgUser& user : result.value()) {
        FUZZ_CHECK(is_id(user.id));
        FUZZ_CHECK(is_printable(user.email) && is_printable(user.first_name) && is_printable(user.last_name) &&
                   is_printable(user.role));
      }
    }
  }
  return 0;
}
