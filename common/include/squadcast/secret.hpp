// A string that holds a token: wiped when freed, never printed by accident.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace squadcast {

// Overwrites the bytes in a way the compiler may not elide.
void wipe_memory(void* data, std::size_t size);
void wipe_string(std::string& s);

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string_view value);
  Secret(const Secret& other);
  Secret(Secret&& other) noexcept;
  Secret& operator=(const Secret& other);
  Secret& operator=(Secret&& other) noexcept;
  ~Secret();

  // The only way to the bytes: greppable, so every use can be reviewed.
  std::string_view reveal() const { return value_; }
  bool empty() const { return value_.empty(); }
  std::size_t size() const { return value_.size(); }

  // Safe for logs: length and at most the first 4 characters.
  std::string redacted() const;

  // Constant-time comparison.
  bool equals(const Secret& other) const;

 private:
  void replace_with(std::string_view value);  // wipes the old bytes first
  std::string value_;
};

}  // namespace squadcast
