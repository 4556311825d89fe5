#include "squadcast/new_private_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace squadcast {

Result<NewPrivateFile> NewPrivateFile::create(const std::string& path) {
  if (path.empty()) return Error{ErrorKind::config, "an empty file name"};
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    const int saved = errno;
    if (saved == EEXIST || saved == ELOOP) {
      return Error{ErrorKind::permission, path + " already exists (or is a symlink); refusing to overwrite it"};
    }
    return Error{ErrorKind::io, "cannot create " + path + ": " + std::strerror(saved)};
  }
  // The umask may have taken bits away, never added: make the mode exact anyway.
  if (::fchmod(fd, 0600) != 0) {
    const int saved = errno;
    ::close(fd);
    ::unlink(path.c_str());
    return Error{ErrorKind::io, "cannot set mode 0600 on " + path + ": " + std::strerror(saved)};
  }
  return NewPrivateFile(path, fd);
}

NewPrivateFile::NewPrivateFile(NewPrivateFile&& other) noexcept
    : path_(std::move(other.path_)), fd_(other.fd_), committed_(other.committed_) {
  other.fd_ = -1;
  other.committed_ = true;  // the moved-from object owns nothing to remove
}

NewPrivateFile::~NewPrivateFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(path_.c_str());
}

Status NewPrivateFile::commit(std::string_view data) {
  if (fd_ < 0) return Error{ErrorKind::io, path_ + " is already closed"};
  while (!data.empty()) {
    ssize_t n = ::write(fd_, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Error{ErrorKind::io, "cannot write " + path_ + ": " + std::strerror(errno)};
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  if (::fsync(fd_) != 0) return Error{ErrorKind::io, "cannot sync " + path_ + ": " + std::strerror(errno)};
  int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) return Error{ErrorKind::io, "cannot close " + path_ + ": " + std::strerror(errno)};
  committed_ = true;
  return success();
}

}  // namespace squadcast
