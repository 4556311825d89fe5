// Files that hold secrets: 0600 in 0700 directories, written atomically, read without
// following symlinks and only when owner and mode are as they must be.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "squadcast/result.hpp"
#include "squadcast/secret.hpp"

namespace squadcast {

// The directory part of a path ("." for a bare name, "/" for a file at the root).
std::string parent_directory(const std::string& path);

// not_found when missing; permission for a symlink, non-regular file, wrong owner or any
// group/world permission bit; too_large over max_size.
Result<Secret> read_private_file(const std::string& path, uid_t owner, std::size_t max_size);

enum class Durability {
  synced,       // fsync file and directory: survives power loss (credentials)
  atomic_only,  // rename only: survives a crash of the process, may be lost with power (cache)
};

// Temp file in the same directory, 0600, write, [fsync], rename, [fsync the directory].
// Readers see the old or the new content, never a mix.
Status write_private_file(const std::string& path, std::string_view data,
                          Durability durability = Durability::synced);

// Creates missing directories 0700; the last one must be ours, not a symlink, and
// have no group/world permissions.
Status ensure_private_dir(const std::string& path);

// The checks ensure_private_dir makes on an existing directory, creating nothing (for the
// diagnostic commands): ours, not a symlink, no group/world permissions.
Status check_private_dir(const std::string& path);

// Every directory above `dir` (after resolving symlinks) is root's or ours, and any that
// others may write is sticky: otherwise whoever can write one of them can rename our
// private directory away and put a symlink in its place between a check and an open.
Status check_directory_chain(const std::string& dir);

Status remove_private_file(const std::string& path);

// An exclusive flock held until destruction: single flight across processes.
class FileLock {
 public:
  static Result<FileLock> acquire(const std::string& path, std::chrono::milliseconds wait);
  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace squadcast
