// A private scratch directory removed with everything in it when the test ends.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>

namespace squadcast::test {

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/squadcast-test-XXXXXX";
    path_ = mkdtemp(pattern);  // mode 0700
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace squadcast::test
