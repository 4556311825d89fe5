#include "user_mapping.hpp"

#include <pwd.h>

#include <algorithm>
#include <cctype>
#include <vector>

namespace squadcast::pam {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

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
  auto wanted = lower(email);
  while (!text.empty()) {
    auto nl = text.find('\n');
    auto line = trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (line.empty() || line.front() == '#') continue;
    auto sep = line.find_first_of(": \t");
    if (sep == std::string_view::npos) continue;
    auto key = trim(line.substr(0, sep));
    auto user = trim(line.substr(sep + 1));
    if (lower(key) == wanted) return std::string(user);
  }
  return Error{ErrorKind::not_found, "no entry for " + std::string(email) + " in the user map"};
}

Result<std::string> map_email_to_local_user(const UserMap& map, std::string_view email, const LocalUsers& users) {
  std::string local;
  switch (map.kind) {
    case UserMapKind::email_localpart: {
      auto at = email.find('@');
      if (at == std::string_view::npos || at == 0) return Error{ErrorKind::not_found, "email has no local part"};
      local = lower(email.substr(0, at));
      break;
    }
    case UserMapKind::email:
      local = lower(email);
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
