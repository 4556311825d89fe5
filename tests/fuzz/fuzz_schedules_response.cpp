// parse_schedules_response(status, body): GET /v4/schedules?myOnCall=true pages, hostile,
// in either error envelope (v3 "meta", v4 "error") or neither.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "squadcast/api_answer.hpp"
#include "squadcast/teams.hpp"

using namespace squadcast;

namespace {
constexpr long statuses[] = {200, 401, 403, 404, 429, 500, 502, 503, 400, 301, 204, 0, -1, 999, 200, 200};
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto [status, body] = fuzz::http_answer(data, size, statuses);

  auto result = parse_schedules_response(status, body);
  if (result) {
    FUZZ_CHECK(status == 200);
    const SchedulePage& page = result.value();
    // A next page is only ever promised with a cursor we can send back.
    if (page.has_next) FUZZ_CHECK(!page.next_cursor.empty() && page.next_cursor.size() <= 1024);
    for (const Schedule& schedule : page.schedules) {
      FUZZ_CHECK(schedule.name.size() <= 256);
      for (char c : schedule.name) FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
    }
  } else {
    const Error& error = result.error();
    fuzz::check_status_reading(error.kind, status);
  }
  // The envelope reader never hands back control characters or more than 200 bytes.
  std::string message = error_envelope_message(body);
  FUZZ_CHECK(message.size() <= 200);
  for (char c : message) FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f);
  return 0;
}
