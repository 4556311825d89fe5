// Squadcast roles and their order for gating: stakeholder < user < admin < account_owner.
#pragma once

#include <optional>
#include <string_view>

namespace squadcast {

enum class Role { stakeholder = 1, user = 2, admin = 3, account_owner = 4 };

// Unknown role names give nullopt: they never satisfy a minimum.
std::optional<Role> parse_role(std::string_view name);
const char* to_string(Role role);
bool role_satisfies(std::string_view actual_role, Role minimum);

}  // namespace squadcast
