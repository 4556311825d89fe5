#include "protocols/tool_input.hpp"

namespace squadcast::helper {

std::string read_tool_input(std::istream& in) {
  std::string text;
  for (char c; text.size() <= max_tool_input && in.get(c);) text.push_back(c);
  return text;
}

}  // namespace squadcast::helper
