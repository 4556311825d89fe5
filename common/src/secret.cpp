#include "squadcast/secret.hpp"

#include <string.h>

namespace squadcast {

void wipe_memory(void* data, std::size_t size) {
  if (data != nullptr && size > 0) explicit_bzero(data, size);
}

void wipe_string(std::string& s) {
  // Wipe the whole buffer, not just size(): earlier contents may sit past the end.
  wipe_memory(s.data(), s.capacity());
  s.clear();
}

void Secret::replace_with(std::string_view value) {
  wipe_string(value_);
  value_.reserve(value.size());  // one allocation, so no unwiped copies are left behind
  value_.assign(value);
}

Secret::Secret(std::string_view value) { replace_with(value); }

Secret::Secret(const Secret& other) { replace_with(other.value_); }

// Copied and wiped rather than moved: a moved std::string may leave bytes in an SSO buffer.
Secret::Secret(Secret&& other) noexcept {
  replace_with(other.value_);
  wipe_string(other.value_);
}

Secret& Secret::operator=(const Secret& other) {
  if (this != &other) replace_with(other.value_);
  return *this;
}

Secret& Secret::operator=(Secret&& other) noexcept {
  if (this != &other) {
    replace_with(other.value_);
    wipe_string(other.value_);
  }
  return *this;
}

Secret::~Secret() { wipe_string(value_); }

std::string Secret::redacted() const {
  if (value_.empty()) return "[empty secret]";
  std::string shown = value_.size() >= 16 ? value_.substr(0, 4) : std::string();
  for (char& c : shown) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
  }
  return "[secret " + std::to_string(value_.size()) + " chars" +
         (shown.empty() ? "" : ", " + shown + "...") + "]";
}

bool Secret::equals(const Secret& other) const {
  if (value_.size() != other.value_.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < value_.size(); ++i) {
    diff |= static_cast<unsigned char>(value_[i] ^ other.value_[i]);
  }
  return diff == 0;
}

}  // namespace squadcast
