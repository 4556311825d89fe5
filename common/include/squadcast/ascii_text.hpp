// The two text operations every parser here needs, in one place. ASCII only: hosts, keys,
// emails and options are compared case-insensitively the way DNS and PAM do.
#pragma once

#include <string>
#include <string_view>

namespace squadcast {

inline std::string to_lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Without leading and trailing spaces, tabs, CR and LF.
inline std::string_view trim_whitespace(std::string_view s) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace squadcast
