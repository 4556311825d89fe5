#include "user_mapping.hpp"
#include "squadcast/ascii_text.hpp"

#include <pwd.h>

#include <algorithm>
#include <cctype>
#include <vector>

namespace squadcast::pam {
namespace {

// A name we are willing to hand to getpwnam and compare with PAM_USER.
bool plausible_user_name(std::string_view name) {
  return !name.empty() && name.size() <= 256 && name.front() != '-' &&
         std::all_of(name.begin(), name.end(), [](unsigned char c) { return std::isgraph(c) && c != ':' && c != '/'; });
}

}  // namespace

LocalUsers system_local_users() {
  LocalUsers users;
  users.exists = [](const std::string& name) {
    std::vector<char> buffer(16384);
    struct passwd pw {};
    struct passwd* found = nullptr;
    return ::getpwnam_r(name.c_str(), &pw, buffer.data(), buffer.size(), &found) == 0 && found != nullptr;
  };
  return users;
}

Result<std::string> lookup_user_map_file(std::string_view text, std::string_view email) {
  auto wanted = to_lower_ascii(email);
  while (!text.empty()) {
    auto nl = text.find('\n');
    auto line = trim_whitespace(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (line.empty() || line.front() == '#') continue;
    auto sep = line.find_first_of(": \t");
    if (sep == std::string_view::npos) continue;
    auto key = trim_whitespace(line.substr(0, sep));
    auto user = trim_whitespace(line.substr(sep + 1));
    if (to_lower_ascii(key) == wanted) return std::string(user);
  }
  return Error{ErrorKind::not_found, "no entry for " + std::string(email) + " in the user map"};
}

Result<std::string> map_email_to_local_user(const UserMap& map, std::string_view email, const LocalUsers& users) {
  std::string local;
  switch (map.kind) {
    case UserMapKind::email_localpart: {
      auto at = email.find('@');
      if (at == std::string_view::npos || at == 0) return Error{ErrorKind::not_found, "email has no local part"};
      local = to_lower_ascii(email.substr(0, at));
      break;
    }
    case UserMapKind::email:
      local = to_lower_ascii(email);
      break;
    case UserMapKind::file: {
      auto text = users.read_file(map.file);
      if (!text) return Error{ErrorKind::config, "user_map file " + map.file + ": " + text.error().message};
      auto found = lookup_user_map_file(text.value(), email);
      if (!found) return found.error();
      local = std::move(found).value();
      break;
    }
  }
  if (!plausible_user_name(local)) return Error{ErrorKind::not_found, "mapped name is not a valid user name"};
  if (!users.exists(local)) return Error{ErrorKind::not_found, "no local user " + local};
  return local;
}

}  // namespace squadcast::pam
