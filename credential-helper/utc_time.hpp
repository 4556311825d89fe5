// Times as people read them in the commands' output.
#pragma once

#include <cstdint>
#include <string>

namespace squadcast::helper {

// 1587412870 -> "2020-04-20T20:01:10Z"
std::string format_utc(std::int64_t unix_seconds);

}  // namespace squadcast::helper
