// Shared bits of the fault matrix: reading files byte for byte, timing a call, and the
// access-token cache files the helper leaves behind.
#pragma once

#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace squadcast::faults {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "<missing>";
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Writes in place, keeping the file's owner, and forces mode 0600 as the cache demands.
inline void overwrite_0600(const std::string& path, const std::string& text) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
  }
  ::chmod(path.c_str(), 0600);
}

// Files in dir whose name ends in suffix (".json" for the helper, ".decision" for PAM).
inline std::vector<std::string> files_ending(const std::string& dir, const std::string& suffix) {
  std::vector<std::string> found;
  std::error_code ignored;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ignored)) {
    const std::string name = entry.path().filename().string();
    if (name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      found.push_back(entry.path().string());
    }
  }
  return found;
}

template <typename F>
auto timed(milliseconds& took, F&& call) {
  auto start = Clock::now();
  auto result = call();
  took = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
  return result;
}

}  // namespace squadcast::faults
