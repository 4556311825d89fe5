// Asking the user for the token through the application's conversation, echo off.
#pragma once

#include <security/pam_modules.h>

#include <string>

#include "squadcast/result.hpp"
#include "squadcast/secret.hpp"

namespace squadcast::pam {

// invalid_input when the user answered nothing; io when the conversation failed.
Result<Secret> prompt_echo_off(pam_handle_t* pamh, const std::string& prompt);

}  // namespace squadcast::pam
