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

// Directory mode's host credential file (host_token=) by the module's own rule
// (read_host_token: regular, root's, 0600, not a symlink): the "host token" row.
void check_host_token_file(CheckReport& report, const PamOptions& options);

// The host credential exchanged and its user looked up: valid, role, organisation and the
// token's fingerprint (the "host credential" row; nothing when the file cannot be read:
// the "host token" row says why). A role above user fails with `strict_role`, else warns.
// A token Squadcast rotates on the exchange is written back, as the module does.
void check_host_credential(CheckReport& report, const PamOptions& options, bool strict_role);

// squadcast-pam-check --enroll [--check] (pam_check_enroll.cpp).
struct EnrollRequest {
  std::string config = "/etc/squadcast/pam.conf";
  std::string host_token;  // --host-token PATH: instead of the options' host_token=
  bool allow_admin = false;
  bool check = false;  // --check: verify the installed file, write nothing
  bool json = false;   // with --check
};

// Exit codes of --enroll: 0 enrolled, 1 refused (bad token, role, organisation; or it
// could not be written), 2 usage or configuration, 3 Squadcast unreachable or no usable
// answer. --enroll --check: 0 verified, 1 not, 2 usage.
inline constexpr int enroll_refused = 1;
inline constexpr int enroll_usage = 2;
inline constexpr int enroll_unreachable = 3;

int run_enroll(const EnrollRequest& request);

// DNS, TCP, TLS (with ca_file) to both hosts within timeout=, and the server's clock.
void check_connectivity(CheckReport& report, const PamOptions& options);

struct PhaseDecision {
  int code = 0;                   // what libpam returned
  std::vector<std::string> log;   // the module's syslog lines, as the log would show them
};

struct DecisionRun {
  PhaseDecision auth;
  PhaseDecision account;
  // Directory mode (token_source=host): account only (auth with it is a configuration
  // error), the module's debug lines on, and the rosters it says it used.
  bool directory = false;
  std::vector<std::string> rosters;
  bool auth_ran = false;      // false: account only (directory mode, user_store, an account-only service)
  bool account_ran = false;   // false after a refused auth: libpam's callers stop there
};

// Runs auth then account for `user` through libpam (pam_start_confdir) with a scratch
// service file and a scratch cache_dir; `token` answers the module's prompt (or is the
// PAM_AUTHTOK for token_source=authtok). With token_source=host or !run_auth only account
// runs (directory mode with the module's `debug` on, so that it names each roster it
// used); after a refused auth account does not run, as sshd and sudo stop there.
Result<DecisionRun> run_decision(const std::vector<std::string>& args, const std::string& module_path,
                                 const std::string& user, const Secret& token, bool run_auth = true);

// "PAM_SUCCESS", "PAM_AUTH_ERR", ...
const char* pam_code_name(int code);

// Rows for the decision of each phase.
void report_decision(CheckReport& report, const DecisionRun& run);

}  // namespace squadcast::pam::check
