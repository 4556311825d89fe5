// The credentials file as the file store judges it (ours, a regular file, no group or
// world bits), with the command that fixes it. `doctor` shows the verdict as its
// "credentials file" row; every command that hands out a token refuses with the same
// words, cache hits included: one lstat, never a read.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "squadcast/result.hpp"

namespace squadcast::helper {

struct CredentialsFileRefusal {
  std::string problem;  // "PATH has mode 0644; others could read it, so it is refused"
  std::string fix;      // "chmod 600 PATH"
};

struct CredentialsFileState {
  bool exists = false;
  mode_t mode = 0;
  std::optional<CredentialsFileRefusal> refusal;  // set when the file exists and is refused
};

CredentialsFileState inspect_credentials_file(const std::string& path);

// The refusal as one line for people: "PROBLEM; fix: FIX".
Error credentials_file_error(const CredentialsFileRefusal& refusal);

}  // namespace squadcast::helper
