// parse_http_date and parse_retry_after: the Date and Retry-After header values a server
// sends (doctor measures clock skew with Date; the client waits on Retry-After).
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "squadcast/http_client.hpp"

using namespace squadcast;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view value = fuzz::as_text(data, size);
  constexpr std::time_t now = 1900000000;
  if (auto date = parse_http_date(value)) {
    // A date that parsed is also a valid Retry-After, never negative.
    auto wait = parse_retry_after(value, now);
    FUZZ_CHECK(wait.has_value());
    FUZZ_CHECK(*wait >= 0);
  }
  if (auto wait = parse_retry_after(value, now)) FUZZ_CHECK(*wait >= 0);
  return 0;
}
