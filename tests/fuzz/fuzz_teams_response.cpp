// parse_teams_response(status, body) and find_team(): GET /v3/teams answers, hostile.
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

  auto result = parse_teams_response(status, body);
  if (result) {
    FUZZ_CHECK(status == 200);
    for (const Team& team : result.value()) {
      FUZZ_CHECK(is_team_id(team.id));
      FUZZ_CHECK(team.name.size() <= 256 && team.slug.size() <= 256);
      for (char c : team.name + team.slug) FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
      // Every listed team is found by its own id.
      const Team* found = find_team(result.value(), team.id);
      FUZZ_CHECK(found != nullptr && found->id == team.id);
    }
    FUZZ_CHECK(find_team(result.value(), "") == nullptr);
  } else {
    const Error& error = result.error();
    fuzz::check_status_reading(error.kind, status);
  }
  return 0;
}
