// terraform's credentials helper protocol: `get HOST` -> {"token": "..."} or {} when we
// have nothing for HOST; `store HOST` reads {"token": "..."}; `forget HOST`.
// https://developer.hashicorp.com/terraform/internals/credentials-helpers
#pragma once

#include <istream>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "account.hpp"

namespace squadcast::helper {

int run_terraform_action(std::string_view action, const std::vector<std::string>& operands, Account& account,
                         std::istream& in, std::ostream& out, std::ostream& err);

}  // namespace squadcast::helper
