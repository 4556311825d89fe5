// What a tool writes on the helper's stdin has one bound for every face (git: per line):
// no request of git, docker or terraform comes near 64 KiB; a longer one is refused, never
// buffered whole.
#pragma once

#include <cstddef>
#include <istream>
#include <string>

namespace squadcast::helper {

inline constexpr std::size_t max_tool_input = 64 * 1024;

// Everything up to end of input, but at most max_tool_input + 1 characters: a longer text
// stays too long for the caller to see, instead of growing without bound.
std::string read_tool_input(std::istream& in);

}  // namespace squadcast::helper
