// squadcast-pam-check: what pam_squadcast.so will make of its options, its files, the
// network, a given person's token and the PAM stack it sits in, before anyone is locked
// out. Every check goes through the module's own code: its option parser, its file rules,
// and for --user the module itself, loaded by libpam.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "pam_options.hpp"
#include "squadcast/check_report.hpp"
#include "squadcast/secret.hpp"

namespace squadcast::pam::check {

struct CheckRequest {
  std::vector<std::string> module_args;  // as on a pam.d line; --config FILE becomes config=FILE
  std::string user;                      // --user: run the decision for this PAM user
  std::string service;                   // --service: analyse this stack
  std::string pam_dir = "/etc/pam.d";
  std::string module_path;  // the pam_squadcast.so that --user loads
  bool json = false;
};

// The options through the module's parser (one row, naming the error), or nullopt.
std::optional<PamOptions> check_options(CheckReport& report, const std::vector<std::string>& args);

// config= files, user_map=file:, ca_file and cache_dir with the module's ownership and
// mode rules (only the config= files when the options did not parse: `options` null).
void check_admin_files(CheckReport& report, const std::vector<std::string>& args, const PamOptions* parsed);

// DNS, TCP, TLS (with ca_file) to both hosts within timeout=, and the server's clock.
void check_connectivity(CheckReport& report, const PamOptions& options);

struct PhaseDecision {
  int code = 0;                   // what libpam returned
  std::vector<std::string> log;   // the module's syslog lines, as the log would show them
};

struct DecisionRun {
  PhaseDecision auth;
  PhaseDecision account;
};

// Runs auth then account for `user` through libpam (pam_start_confdir) with a scratch
// service file and a scratch cache_dir; `token` answers the module's prompt (or is the
// PAM_AUTHTOK for token_source=authtok).
Result<DecisionRun> run_decision(const std::vector<std::string>& args, const std::string& module_path,
                                 const std::string& user, const Secret& token);

// "PAM_SUCCESS", "PAM_AUTH_ERR", ...
const char* pam_code_name(int code);

// Rows for the decision of each phase.
void report_decision(CheckReport& report, const DecisionRun& run);

}  // namespace squadcast::pam::check
