#include "credentials_file_rules.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

namespace squadcast::helper {

namespace {
std::string octal_mode(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}
}  // namespace

CredentialsFileState inspect_credentials_file(const std::string& path) {
  CredentialsFileState state;
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return state;  // absent: nothing to refuse
  state.exists = true;
  state.mode = st.st_mode;
  if (S_ISLNK(st.st_mode) || !S_ISREG(st.st_mode)) {
    state.refusal = {path + " is a symlink or not a regular file; it is refused",
                     "rm " + path + " && squadcast-credential login"};
  } else if (st.st_uid != ::geteuid()) {
    state.refusal = {path + " is owned by uid " + std::to_string(st.st_uid) + ", not by you",
                     "sudo chown " + std::to_string(::geteuid()) + " " + path};
  } else if ((st.st_mode & 077) != 0) {
    state.refusal = {path + " has mode " + octal_mode(st.st_mode) + "; others could read it, so it is refused",
                     "chmod 600 " + path};
  }
  return state;
}

Error credentials_file_error(const CredentialsFileRefusal& refusal) {
  return Error{ErrorKind::permission, refusal.problem + "; fix: " + refusal.fix};
}

}  // namespace squadcast::helper
