#include "squadcast/private_file.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace squadcast {
namespace {

std::string octal_mode(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

Error io_error(const std::string& what, const std::string& path) {
  return {ErrorKind::io, what + " " + path + ": " + std::strerror(errno)};
}

// The directory must not let anyone else swap our files.
Status check_directory(const std::string& dir, uid_t owner) {
  struct stat st {};
  if (lstat(dir.c_str(), &st) != 0) {
    if (errno == ENOENT) return Error{ErrorKind::not_found, dir + " does not exist"};
    return io_error("cannot inspect", dir);
  }
  if (S_ISLNK(st.st_mode)) return Error{ErrorKind::permission, dir + " is a symlink; refusing to use it"};
  if (!S_ISDIR(st.st_mode)) return Error{ErrorKind::permission, dir + " is not a directory"};
  if (st.st_uid != owner && st.st_uid != 0) {
    return Error{ErrorKind::permission, dir + " is owned by uid " + std::to_string(st.st_uid) + ", not " +
                                            std::to_string(owner)};
  }
  if (st.st_mode & (S_IWGRP | S_IWOTH)) {
    return Error{ErrorKind::permission, dir + " is writable by others (mode " + octal_mode(st.st_mode) + ")"};
  }
  return success();
}

// A writer killed between creating its temp file and the rename leaves the temp file (it
// holds secrets). The next writer of the same file removes such leftovers once they are
// old enough that no live writer can still own them.
void remove_stale_temp_files(const std::string& path) {
  const std::string dir = parent_directory(path);
  const std::string prefix = path.substr(path.rfind('/') + 1) + ".tmp.";
  DIR* listing = opendir(dir.c_str());
  if (listing == nullptr) return;
  const time_t stale_before = time(nullptr) - 60;
  while (const dirent* entry = readdir(listing)) {
    if (std::strncmp(entry->d_name, prefix.c_str(), prefix.size()) != 0) continue;
    struct stat st {};
    if (fstatat(dirfd(listing), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
        st.st_uid == geteuid() && st.st_mtime < stale_before) {
      unlinkat(dirfd(listing), entry->d_name, 0);
    }
  }
  closedir(listing);
}

}  // namespace

std::string parent_directory(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

Result<Secret> read_private_file(const std::string& path, uid_t owner, std::size_t max_size) {
  if (auto dir = check_directory(parent_directory(path), owner); !dir) {
    if (dir.error().kind == ErrorKind::not_found) return Error{ErrorKind::not_found, path + " does not exist"};
    return dir.error();
  }
  int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT) return Error{ErrorKind::not_found, path + " does not exist"};
    if (errno == ELOOP) return Error{ErrorKind::permission, path + " is a symlink; refusing to follow it"};
    return io_error("cannot open", path);
  }
  struct FdCloser { int fd; ~FdCloser() { close(fd); } } closer{fd};
  struct stat st {};
  if (fstat(fd, &st) != 0) return io_error("cannot inspect", path);
  if (!S_ISREG(st.st_mode)) return Error{ErrorKind::permission, path + " is not a regular file"};
  if (st.st_uid != owner) {
    return Error{ErrorKind::permission, path + " is owned by uid " + std::to_string(st.st_uid) + ", expected " +
                                            std::to_string(owner)};
  }
  if (st.st_mode & 077) {
    return Error{ErrorKind::permission, path + " has mode " + octal_mode(st.st_mode) +
                                            ", which lets others read it; run: chmod 600 " + path};
  }
  if (static_cast<std::size_t>(st.st_size) > max_size) {
    return Error{ErrorKind::too_large, path + " is larger than " + std::to_string(max_size) + " bytes"};
  }
  std::string content;
  content.reserve(static_cast<std::size_t>(st.st_size) + 1);
  char buffer[4096];
  for (;;) {
    ssize_t got = read(fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      wipe_memory(buffer, sizeof buffer);
      wipe_string(content);
      return io_error("cannot read", path);
    }
    if (got == 0) break;
    if (content.size() + static_cast<std::size_t>(got) > max_size) {
      wipe_memory(buffer, sizeof buffer);
      wipe_string(content);
      return Error{ErrorKind::too_large, path + " is larger than " + std::to_string(max_size) + " bytes"};
    }
    content.append(buffer, static_cast<std::size_t>(got));
  }
  wipe_memory(buffer, sizeof buffer);
  Secret secret(content);
  wipe_string(content);
  return secret;
}

Status write_private_file(const std::string& path, std::string_view data, Durability durability) {
  const bool synced = durability == Durability::synced;
  remove_stale_temp_files(path);
  const std::string dir = parent_directory(path);
  std::string temp = path + ".tmp.XXXXXX";
  int fd = mkostemp(temp.data(), O_CLOEXEC);  // mode 0600
  if (fd < 0) return io_error("cannot create a temporary file beside", path);
  auto fail = [&](const char* what) {
    Error error = io_error(what, temp);
    close(fd);
    unlink(temp.c_str());
    return error;
  };
  if (fchmod(fd, 0600) != 0) return fail("cannot chmod");
  for (std::size_t written = 0; written < data.size();) {
    ssize_t n = write(fd, data.data() + written, data.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("cannot write");
    written += static_cast<std::size_t>(n);
  }
  if (synced && fsync(fd) != 0) return fail("cannot fsync");
  if (close(fd) != 0) {
    unlink(temp.c_str());
    return io_error("cannot close", temp);
  }
  if (rename(temp.c_str(), path.c_str()) != 0) {
    Error error = io_error("cannot rename into", path);
    unlink(temp.c_str());
    return error;
  }
  if (!synced) return success();
  // Make the rename itself durable.
  int dir_fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    fsync(dir_fd);
    close(dir_fd);
  }
  return success();
}

Status ensure_private_dir(const std::string& path) {
  if (path.empty() || path.front() != '/') return Error{ErrorKind::config, "not an absolute path: '" + path + "'"};
  for (std::size_t slash = path.find('/', 1);; slash = path.find('/', slash + 1)) {
    std::string prefix = path.substr(0, slash);
    if (mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST) return io_error("cannot create directory", prefix);
    if (slash == std::string::npos) break;
  }
  return check_private_dir(path);
}

Status check_private_dir(const std::string& path) {
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) return io_error("cannot inspect", path);
  if (S_ISLNK(st.st_mode)) return Error{ErrorKind::permission, path + " is a symlink; refusing to use it"};
  if (!S_ISDIR(st.st_mode)) return Error{ErrorKind::permission, path + " is not a directory"};
  if (st.st_uid != geteuid()) {
    return Error{ErrorKind::permission, path + " is owned by uid " + std::to_string(st.st_uid) + ", not by us"};
  }
  if (st.st_mode & 077) {
    return Error{ErrorKind::permission,
                 path + " has mode " + octal_mode(st.st_mode) + "; it must be 0700 (run: chmod 700 " + path + ")"};
  }
  return success();
}

Status check_directory_chain(const std::string& dir) {
  char* resolved = realpath(dir.c_str(), nullptr);
  if (resolved == nullptr) return io_error("cannot resolve", dir);
  std::string real(resolved);
  free(resolved);  // NOLINT(cppcoreguidelines-no-malloc): realpath's buffer
  for (std::string ancestor = parent_directory(real);; ancestor = parent_directory(ancestor)) {
    struct stat st {};
    if (lstat(ancestor.c_str(), &st) != 0) return io_error("cannot inspect", ancestor);
    std::string why;
    if (st.st_uid != 0 && st.st_uid != geteuid()) {
      why.append(", is owned by uid ").append(std::to_string(st.st_uid));
    } else if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 && (st.st_mode & S_ISVTX) == 0) {
      why.append(", is writable by others (mode ").append(octal_mode(st.st_mode)).append(")");
    }
    if (!why.empty()) {
      std::string message(dir);
      message.append(": the directory above it, ").append(ancestor).append(why);
      return Error{ErrorKind::permission, message};
    }
    if (ancestor == "/") break;
  }
  return success();
}

Status remove_private_file(const std::string& path) {
  if (unlink(path.c_str()) != 0 && errno != ENOENT) return io_error("cannot remove", path);
  return success();
}

Result<FileLock> FileLock::acquire(const std::string& path, std::chrono::milliseconds wait) {
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("cannot open lock file", path);
  const auto give_up_at = std::chrono::steady_clock::now() + wait;
  auto pause = std::chrono::milliseconds(2);
  while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      Error error = io_error("cannot lock", path);
      close(fd);
      return error;
    }
    if (std::chrono::steady_clock::now() >= give_up_at) {
      close(fd);
      return Error{ErrorKind::timeout, "gave up waiting for the lock " + path};
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(20));
  }
  return FileLock(fd);
}

FileLock::FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

FileLock::~FileLock() {
  if (fd_ >= 0) close(fd_);  // closing releases the flock
}

}  // namespace squadcast
