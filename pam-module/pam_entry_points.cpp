// The only exported symbols: thin C entry points. Each parses the arguments, hands over
// to the C++ core, and turns anything unexpected (an exception included) into a refusal.
#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <syslog.h>

#include <string>
#include <string_view>
#include <vector>

#include "login_gate.hpp"
#include "pam_log.hpp"
#include "pam_options.hpp"

namespace {

using squadcast::pam::PamLog;
using squadcast::pam::PamOptions;
using squadcast::pam::PamPhase;

// A refused person learns why in one line (PAM_ERROR_MSG), unless the application asked
// for silence (PAM_SILENT) or the administrator said hide_reason; syslog has it anyway.
void tell_refusal(pam_handle_t* pamh, int flags, const PamOptions& options, const PamLog& log) {
  if ((flags & PAM_SILENT) != 0 || options.hide_reason) return;
  const std::string notice = squadcast::pam::refusal_notice(log.last_decision(), log.last_reason());
  if (!notice.empty()) (void)pam_error(pamh, "%s", notice.c_str());
}

template <class Body>
int guarded(pam_handle_t* pamh, int flags, int argc, const char** argv, PamPhase pam_phase, int on_exception,
            Body&& body) noexcept {
  const char* phase = pam_phase == PamPhase::auth ? "auth" : "account";
  try {
    std::vector<std::string_view> args;
    args.reserve(static_cast<std::size_t>(argc > 0 ? argc : 0));
    for (int i = 0; i < argc; ++i) args.emplace_back(argv[i] != nullptr ? argv[i] : "");
    PamLog log(pamh, false);
    auto options = squadcast::pam::parse_pam_options(args);
    if (options) {
      if (auto fits = squadcast::pam::check_options_for_phase(options.value(), pam_phase); !fits) options = fits.error();
    }
    if (!options) {
      log.error(std::string(phase) + ": configuration error, refusing everyone: " + options.error().message);
      return PAM_SERVICE_ERR;
    }
    log.set_debug(options.value().debug);
    const int code = body(pamh, options.value(), log);
    if (code != PAM_SUCCESS) tell_refusal(pamh, flags, options.value(), log);
    return code;
  } catch (...) {
    pam_syslog(pamh, LOG_ERR, "%s: internal error, refusing", phase);
    return on_exception;
  }
}

}  // namespace

extern "C" {

__attribute__((visibility("default"))) int pam_sm_authenticate(pam_handle_t* pamh, int flags, int argc,
                                                                const char** argv) {
  return guarded(pamh, flags, argc, argv, PamPhase::auth, PAM_AUTH_ERR, squadcast::pam::authenticate);
}

__attribute__((visibility("default"))) int pam_sm_acct_mgmt(pam_handle_t* pamh, int flags, int argc,
                                                             const char** argv) {
  return guarded(pamh, flags, argc, argv, PamPhase::account, PAM_PERM_DENIED, squadcast::pam::check_account);
}

// No credentials to establish: the token is not kept after authentication.
__attribute__((visibility("default"))) int pam_sm_setcred(pam_handle_t*, int, int, const char**) {
  return PAM_SUCCESS;
}

__attribute__((visibility("default"))) int pam_sm_open_session(pam_handle_t*, int, int, const char**) {
  return PAM_SUCCESS;
}

__attribute__((visibility("default"))) int pam_sm_close_session(pam_handle_t*, int, int, const char**) {
  return PAM_SUCCESS;
}

// Squadcast tokens are issued and revoked in Squadcast, not changed here. PAM_IGNORE lets
// the rest of a password stack decide and can never grant anything by itself.
__attribute__((visibility("default"))) int pam_sm_chauthtok(pam_handle_t*, int, int, const char**) {
  return PAM_IGNORE;
}

}  // extern "C"
