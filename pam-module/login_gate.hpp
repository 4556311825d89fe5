// The shared routine behind pam_sm_authenticate and pam_sm_acct_mgmt: token -> identity
// -> checks -> one PAM code and one log line.
#pragma once

#include <security/pam_modules.h>

#include "pam_log.hpp"
#include "pam_options.hpp"

namespace squadcast::pam {

int authenticate(pam_handle_t* pamh, const PamOptions& options, const PamLog& log);
int check_account(pam_handle_t* pamh, const PamOptions& options, const PamLog& log);

}  // namespace squadcast::pam
