// Shared helpers for the libFuzzer targets: a tiny byte reader and a check that aborts
// with a message (libFuzzer reports an abort as a crash and saves the input).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "squadcast/result.hpp"

namespace squadcast::fuzz {

[[noreturn]] inline void fail(const char* what, const char* file, int line) {
  std::fprintf(stderr, "fuzz invariant failed at %s:%d: %s\n", file, line, what);
  std::abort();
}

#define FUZZ_CHECK(condition) \
  ((condition) ? static_cast<void>(0) : ::squadcast::fuzz::fail(#condition, __FILE__, __LINE__))

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// An HTTP answer from fuzz input (size > 0): a first byte below 0xC0 means 200, else its
// low 4 bits pick one of the target's 16 statuses; the rest is the body. Seeds rely on it.
struct HttpAnswer {
  long status;
  std::string_view body;
};
inline HttpAnswer http_answer(const std::uint8_t* data, std::size_t size, const long (&statuses)[16]) {
  return {data[0] < 0xC0 ? 200 : statuses[data[0] & 0x0F], as_text(data + 1, size - 1)};
}

// The error a response parser gave for a status, checked against the one reading of
// Squadcast's answers (common/include/squadcast/api_answer.hpp) with the call's own
// overrides: a wrong body of a 200 is bad_response; any other status reads as its kind, and
// nothing else is ever an outage.
inline void check_status_reading(ErrorKind kind, long status,
                                 std::initializer_list<std::pair<long, ErrorKind>> overrides = {}) {
  if (status == 200) {
    FUZZ_CHECK(kind == ErrorKind::bad_response);
    return;
  }
  ErrorKind expected = ErrorKind::refused;
  if (status == 401) expected = ErrorKind::revoked;
  if (status == 403) expected = ErrorKind::forbidden;
  if (status == 404) expected = ErrorKind::not_found;
  if (status == 429) expected = ErrorKind::rate_limited;
  if (status >= 500 && status <= 599) expected = ErrorKind::server_error;
  for (const auto& [overridden, meaning] : overrides) {
    if (overridden == status) expected = meaning;
  }
  FUZZ_CHECK(kind == expected);
}

// Splits "first\nrest" at the first newline (the whole input is `rest` when there is none).
inline std::pair<std::string_view, std::string_view> split_first_line(std::string_view text) {
  auto newline = text.find('\n');
  if (newline == std::string_view::npos) return {std::string_view(), text};
  return {text.substr(0, newline), text.substr(newline + 1)};
}

// Valid UTF-8 as nlohmann::json::dump() wants it (no overlongs, no surrogates): what
// may reach JSON output without making dump() throw.
inline bool is_valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t extra = 0;
    unsigned char low = 0x80, high = 0xBF;  // allowed range of the first continuation byte
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      extra = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      extra = 2;
      if (c == 0xE0) low = 0xA0;
      if (c == 0xED) high = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3;
      if (c == 0xF0) low = 0x90;
      if (c == 0xF4) high = 0x8F;
    } else {
      return false;
    }
    if (i + extra >= s.size()) return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      auto next = static_cast<unsigned char>(s[i + k]);
      if (k == 1 ? (next < low || next > high) : ((next & 0xC0) != 0x80)) return false;
    }
    i += extra + 1;
  }
  return true;
}

}  // namespace squadcast::fuzz
