// Everything the module says goes to syslog (authpriv) through pam_syslog. Never a token:
// nothing here accepts a Secret.
#pragma once

#include <security/pam_modules.h>

#include <string>
#include <string_view>

namespace squadcast::pam {

struct LogFields {
  std::string_view phase;  // auth, account
  std::string_view user;   // PAM_USER
  std::string_view email;
  std::string_view role;
  std::string_view decision;  // allow, deny, unavailable, error
  std::string_view reason;
  std::string_view source;  // squadcast, cache, offline_grace
};

class PamLog {
 public:
  PamLog(pam_handle_t* pamh, bool debug) : pamh_(pamh), debug_(debug) {}
  void set_debug(bool debug) { debug_ = debug; }

  // The one line per decision; the last one is kept for telling the person (refusal_notice).
  void decision(const LogFields& fields) const;
  const std::string& last_decision() const { return last_decision_; }
  const std::string& last_reason() const { return last_reason_; }
  void error(std::string_view message) const;
  void warning(std::string_view message) const;  // whatever debug says
  void debug(std::string_view message) const;

 private:
  void write(int priority, const std::string& line) const;
  pam_handle_t* pamh_;
  bool debug_;
  mutable std::string last_decision_;  // what the line said, not a state of the decision
  mutable std::string last_reason_;
};

// What a refused person is told through the conversation: a short, printable reason and
// what to do, never a token (the reason is the log's, which never holds one). Empty for
// an allow.
std::string refusal_notice(std::string_view decision, std::string_view reason);

// Printable ASCII only, bounded, so a hostile email cannot forge log lines.
std::string log_safe(std::string_view value);

}  // namespace squadcast::pam
