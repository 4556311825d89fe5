// The whole content of a file the test wrote or the code under test left behind.
#pragma once

#include <fstream>
#include <iterator>
#include <string>

namespace squadcast::test {

// "" when the file cannot be read.
inline std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace squadcast::test
