// parse_team_oncall_response(status, body): POST /v3/graphql whoIsOncall answers, hostile.
// Whatever comes back, a roster is either whole and clean or an error: never a partial
// list, never an email that could forge a log line, never anyone on a paused schedule.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "squadcast/team_oncall.hpp"

using namespace squadcast;

namespace {
constexpr long oncall_statuses[] = {200, 401, 403, 404, 429, 500, 502, 503, 400, 301, 204, 0, -1, 999, 200, 200};
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto [status, body] = fuzz::http_answer(data, size, oncall_statuses);

  auto result = parse_team_oncall_response(status, body);
  if (result) {
    FUZZ_CHECK(status == 200);
    for (const OncallSchedule& schedule : result.value()) {
      if (schedule.paused) FUZZ_CHECK(schedule.emails.empty());
      FUZZ_CHECK(schedule.name.size() <= 256);
      for (const std::string& email : schedule.emails) {
        FUZZ_CHECK(!email.empty() && email.size() <= 254);
        for (char c : email) FUZZ_CHECK(static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7f);
      }
    }
  } else {
    const Error& error = result.error();
    fuzz::check_status_reading(error.kind, status);
    FUZZ_CHECK(fuzz::is_valid_utf8(error.message));
  }
  return 0;
}
