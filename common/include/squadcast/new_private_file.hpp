// A file that must not exist yet, for handing a secret to someone: created 0600 with
// O_CREAT|O_EXCL|O_NOFOLLOW (never overwrites, never follows a symlink), reserved before
// the secret exists, and removed again unless the secret was written in full.
#pragma once

#include <string>
#include <string_view>

#include "squadcast/result.hpp"

namespace squadcast {

class NewPrivateFile {
 public:
  // permission when the path exists (file or symlink); io for other failures.
  static Result<NewPrivateFile> create(const std::string& path);

  NewPrivateFile(NewPrivateFile&& other) noexcept;
  NewPrivateFile& operator=(NewPrivateFile&&) = delete;
  NewPrivateFile(const NewPrivateFile&) = delete;
  NewPrivateFile& operator=(const NewPrivateFile&) = delete;
  ~NewPrivateFile();  // unlinks the file unless commit() succeeded

  // Writes everything, fsyncs and closes; the file stays.
  Status commit(std::string_view data);
  const std::string& path() const { return path_; }

 private:
  NewPrivateFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::string path_;
  int fd_ = -1;
  bool committed_ = false;
};

}  // namespace squadcast
