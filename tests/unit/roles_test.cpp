#include <catch2/catch.hpp>

#include "squadcast/roles.hpp"

using namespace squadcast;

TEST_CASE("roles are ordered stakeholder < user < admin < account_owner") {
  CHECK(role_satisfies("account_owner", Role::admin));
  CHECK(role_satisfies("admin", Role::admin));
  CHECK_FALSE(role_satisfies("user", Role::admin));
  CHECK(role_satisfies("user", Role::stakeholder));
  CHECK_FALSE(role_satisfies("stakeholder", Role::user));
}

TEST_CASE("an unknown role never satisfies any minimum") {
  for (const char* role : {"", "Admin", "owner", "superuser", "admin ", "ADMIN"}) {
    CHECK_FALSE(role_satisfies(role, Role::stakeholder));
  }
  CHECK_FALSE(parse_role("root").has_value());
  CHECK(parse_role("account_owner") == Role::account_owner);
}
