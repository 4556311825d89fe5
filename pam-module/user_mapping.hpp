// Which local user a Squadcast email belongs to: user_map=email_localpart|email|file:PATH.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "pam_options.hpp"
#include "squadcast/result.hpp"

namespace squadcast::pam {

struct LocalUsers {
  std::function<bool(const std::string& name)> exists;  // getpwnam in the module
  AdminFileReader read_file = read_admin_file;           // for user_map=file:PATH
};

LocalUsers system_local_users();

// The local user name for an email, or not_found when the mapping has none (or the
// mapped name is not a local user); config when the map file cannot be read.
Result<std::string> map_email_to_local_user(const UserMap& map, std::string_view email, const LocalUsers& users);

// "email user" lines ('#' comments; ':' or whitespace between); emails compare case-insensitively.
Result<std::string> lookup_user_map_file(std::string_view text, std::string_view email);

// Directory mode goes the other way, from the PAM user to exactly one email to ask about:
// email_localpart -> USER@email_domain, email -> the name itself, file -> the one email
// whose line names this user (two emails for one user is ambiguous: not_found).
Result<std::string> map_local_user_to_email(const UserMap& map, std::string_view email_domain,
                                            std::string_view local_user, const LocalUsers& users);
Result<std::string> lookup_user_map_file_by_user(std::string_view text, std::string_view local_user);

}  // namespace squadcast::pam
