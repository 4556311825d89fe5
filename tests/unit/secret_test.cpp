#include <catch2/catch.hpp>

#include "squadcast/secret.hpp"

using squadcast::Secret;

TEST_CASE("a secret shows only its length and at most four characters") {
  Secret token("1385a22ed51af9a9e40034ddc8862be9d925081038c46935334cbf25fc41b913");
  std::string shown = token.redacted();
  CHECK(shown.find("64 chars") != std::string::npos);
  CHECK(shown.find("1385") != std::string::npos);
  CHECK(shown.find("1385a") == std::string::npos);
  CHECK(Secret("short").redacted().find("shor") == std::string::npos);
  CHECK(Secret().redacted() == "[empty secret]");
}

TEST_CASE("secrets compare by value and survive copies and moves") {
  Secret a("abcdef"), b("abcdef"), c("abcdeg");
  CHECK(a.equals(b));
  CHECK_FALSE(a.equals(c));
  Secret moved(std::move(b));
  CHECK(moved.reveal() == "abcdef");
  CHECK(b.empty());  // NOLINT: moved-from state is defined: empty and wiped
  Secret copy = a;
  CHECK(copy.reveal() == "abcdef");
}

TEST_CASE("wipe_string zeroes the whole buffer") {
  std::string s = "super secret value that is long enough to be on the heap";
  const char* data = s.data();
  std::size_t capacity = s.capacity();
  squadcast::wipe_string(s);
  CHECK(s.empty());
  bool all_zero = true;
  for (std::size_t i = 0; i < capacity; ++i) all_zero = all_zero && data[i] == '\0';
  CHECK(all_zero);
}
