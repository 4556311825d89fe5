// parse_members_response(status, body): GET /v3/teams/{id}/members answers, hostile.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "squadcast/teams.hpp"

using namespace squadcast;

namespace {
constexpr long statuses[] = {200, 401, 403, 404, 429, 500, 502, 503, 400, 301, 204, 0, -1, 999, 200, 200};
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto [status, body] = fuzz::http_answer(data, size, statuses);

  auto result = parse_members_response(status, body);
  if (result) {
    FUZZ_CHECK(status == 200);
    for (const TeamMember& member : result.value()) {
      // A user id is compared with the token's and goes into logs: never empty, never odd.
      FUZZ_CHECK(!member.user_id.empty() && member.user_id.size() <= 64);
      for (char c : member.user_id) {
        FUZZ_CHECK((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_');
      }
      FUZZ_CHECK(member.role.size() <= 256);
    }
  } else {
    const Error& error = result.error();
    fuzz::check_status_reading(error.kind, status);
  }
  return 0;
}
