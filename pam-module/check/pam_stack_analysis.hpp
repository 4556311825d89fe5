// squadcast-pam-check --service: reads a PAM service file the way libpam does (include,
// substack, @include), finds pam_squadcast, and works out what each of its return codes
// leads to, and whether an outage locks everyone out or the module can be bypassed.
// PAM-free, so it is unit tested on its own.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "squadcast/check_report.hpp"
#include "squadcast/result.hpp"

namespace squadcast::pam::check {

enum class Action { ignore, ok, done, bad, die, reset, jump };

struct StackEntry {
  std::string type;     // auth, account, password, session
  std::string control;  // as written: required, [success=1 default=ignore], ...
  std::string module;   // as written
  std::vector<std::string> args;
  std::string origin;   // "FILE:LINE" (the included file for included lines)
  int level = 0;        // substack depth: 0 in the service's own stack, +1 per substack
  std::map<std::string, Action> actions;  // by return-code name (success, auth_err, ...); "default" too
  std::map<std::string, int> jumps;       // code -> N for "code=N" ("default" too)
  bool must_fail = false;  // a line libpam keeps but always fails (unknown type, no module)
  bool missing = false;    // a '-' line whose module is not installed: it answers MODULE_UNKNOWN
  bool is_squadcast() const;
  // The "TYPE substack FILE" line itself (module = FILE): libpam keeps it as a handler that
  // runs nothing, so a jump counts it, and the substack's lines follow one level deeper.
  bool is_substack() const { return control == "substack"; }
};

// The lines of `type` in SERVICE, includes and substacks expanded in place: an include's
// lines replace it, a substack line stays and its lines follow one level deeper (as libpam
// keeps them).
Result<std::vector<StackEntry>> read_stack(const std::string& pam_dir, const std::string& service,
                                           const std::string& type);

// Whether libpam's run of `stack` succeeds when line i returns codes[i] ("success",
// "auth_err", ...): the model the analysis plays over every outcome, checked against the
// real libpam by tests/pam/pam_stack_model_test.cpp.
bool stack_succeeds(const std::vector<StackEntry>& stack, const std::vector<std::string>& codes);

// The action a control gives a code ("success", "auth_err", "authinfo_unavail", ...).
Action action_for(const StackEntry& entry, const std::string& code);
const char* to_string(Action action);

struct StackAnalysis {
  std::vector<std::string> lines;  // the stack and, per code, "CODE -> action -> what next"
  bool has_squadcast = false;
  bool outage_locks_out = false;   // Squadcast unreachable: nobody can get in
  bool can_be_bypassed = false;    // a login can succeed without pam_squadcast's success
  std::string bypass_reason;
  // The way round pam_squadcast is only for accounts a pam_succeed_if guard names ("user =
  // breakglass (line 1)"): intended break glass, not a bypass.
  std::string break_glass;
  bool outage_locks_out_others = false;  // with break glass: an outage locks out everyone else
  // pam_squadcast is one method among others (its refusal falls through, its success ends
  // the block): pam-auth-update's Primary block.
  bool alternative = false;
};

StackAnalysis analyse_stack(const std::vector<StackEntry>& stack, const std::string& type);

// Rows "stack TYPE" for auth and account (and the printed stack in `lines`). In directory
// mode (token_source=host, account only) an auth stack without pam_squadcast is as it should be.
void check_service_stack(CheckReport& report, const std::string& pam_dir, const std::string& service,
                         int offline_grace_seconds, std::vector<std::string>& lines, bool directory_mode = false);

}  // namespace squadcast::pam::check
