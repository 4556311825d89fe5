#include "squadcast/roles.hpp"

namespace squadcast {

std::optional<Role> parse_role(std::string_view name) {
  if (name == "stakeholder") return Role::stakeholder;
  if (name == "user") return Role::user;
  if (name == "admin") return Role::admin;
  if (name == "account_owner") return Role::account_owner;
  return std::nullopt;
}

const char* to_string(Role role) {
  switch (role) {
    case Role::stakeholder: return "stakeholder";
    case Role::user: return "user";
    case Role::admin: return "admin";
    case Role::account_owner: return "account_owner";
  }
  return "unknown";
}

bool role_satisfies(std::string_view actual_role, Role minimum) {
  auto actual = parse_role(actual_role);
  return actual && static_cast<int>(*actual) >= static_cast<int>(minimum);
}

}  // namespace squadcast
