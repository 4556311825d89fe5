#include "user_mapping.hpp"
#include "squadcast/ascii_text.hpp"

#include <pwd.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <vector>

namespace squadcast::pam {
namespace {

// A name we are willing to hand to getpwnam and compare with PAM_USER.
bool plausible_user_name(std::string_view name) {
  return !name.empty() && name.size() <= 256 && name.front() != '-' &&
         std::all_of(name.begin(), name.end(), [](unsigned char c) { return std::isgraph(c) && c != ':' && c != '/'; });
}

// Each "email user" line of a user map file ('#' comments; ':' or whitespace between).
template <class Visit>
void for_each_map_entry(std::string_view text, Visit visit) {
  while (!text.empty()) {
    auto nl = text.find('\n');
    auto line = trim_whitespace(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (line.empty() || line.front() == '#') continue;
    auto sep = line.find_first_of(": \t");
    if (sep == std::string_view::npos) continue;
    visit(trim_whitespace(line.substr(0, sep)), trim_whitespace(line.substr(sep + 1)));
  }
}

// An email we are willing to ask the directory about: one '@', printable ASCII, bounded.
bool plausible_email(std::string_view email) {
  auto at = email.find('@');
  return at != std::string_view::npos && at > 0 && at + 1 < email.size() && email.find('@', at + 1) == std::string_view::npos &&
         email.size() <= 254 && std::all_of(email.begin(), email.end(), [](unsigned char c) { return std::isgraph(c); });
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
  const auto wanted = to_lower_ascii(email);
  std::optional<std::string> found;
  for_each_map_entry(text, [&](std::string_view key, std::string_view user) {
    if (!found && to_lower_ascii(key) == wanted) found = std::string(user);
  });
  if (found) return *found;
  return Error{ErrorKind::not_found, "no entry for " + std::string(email) + " in the user map"};
}

Result<std::string> lookup_user_map_file_by_user(std::string_view text, std::string_view local_user) {
  std::vector<std::string> emails;
  for_each_map_entry(text, [&](std::string_view email, std::string_view user) {
    if (user == local_user) emails.push_back(to_lower_ascii(email));
  });
  std::sort(emails.begin(), emails.end());
  emails.erase(std::unique(emails.begin(), emails.end()), emails.end());
  if (emails.empty()) return Error{ErrorKind::not_found, "no email for local user " + std::string(local_user) + " in the user map"};
  if (emails.size() > 1) {
    return Error{ErrorKind::not_found, "local user " + std::string(local_user) + " appears for " +
                                           std::to_string(emails.size()) + " emails in the user map: exactly one is needed"};
  }
  return emails.front();
}

Result<std::string> map_local_user_to_email(const UserMap& map, std::string_view email_domain,
                                            std::string_view local_user, const LocalUsers& users) {
  if (!plausible_user_name(local_user)) return Error{ErrorKind::not_found, "not a valid user name"};
  std::string email;
  switch (map.kind) {
    case UserMapKind::email_localpart:
      email = std::string(local_user) + "@" + std::string(email_domain);
      break;
    case UserMapKind::email:
      email = std::string(local_user);
      break;
    case UserMapKind::file: {
      auto text = users.read_file(map.file);
      if (!text) return Error{ErrorKind::config, "user_map file " + map.file + ": " + text.error().message};
      auto found = lookup_user_map_file_by_user(text.value(), local_user);
      if (!found) return found.error();
      email = std::move(found).value();
      break;
    }
  }
  if (!plausible_email(email)) return Error{ErrorKind::not_found, "local user " + std::string(local_user) + " maps to no usable email"};
  return email;
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
