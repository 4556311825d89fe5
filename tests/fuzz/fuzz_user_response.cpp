// parse_user_response(status, body): GET /v3/users/{id} answers, hostile.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "squadcast/roles.hpp"
#include "squadcast/user_lookup.hpp"

using namespace squadcast;

namespace {
constexpr long statuses[] = {200, 401, 403, 404, 429, 500, 502, 503, 400, 301, 204, 0, -1, 999, 200, 200};
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto [status, body] = fuzz::http_answer(data, size, statuses);

  auto result = parse_user_response(status, body);
  if (result) {
    FUZZ_CHECK(status == 200);
    const UserProfile& user = result.value();
    FUZZ_CHECK(!user.role.empty());
    // Gating on whatever role came back must be total.
    for (Role minimum : {Role::stakeholder, Role::user, Role::admin, Role::account_owner}) {
      bool satisfied = role_satisfies(user.role, minimum);
      if (satisfied) FUZZ_CHECK(parse_role(user.role).has_value());
    }
  } else {
    const Error& error = result.error();
    fuzz::check_status_reading(error.kind, status, {{403, ErrorKind::revoked}, {404, ErrorKind::refused}});
    FUZZ_CHECK(fuzz::is_valid_utf8(error.message));
  }
  return 0;
}
