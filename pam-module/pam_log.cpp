#include "pam_log.hpp"

#include <security/pam_ext.h>
#include <syslog.h>

namespace squadcast::pam {

std::string log_safe(std::string_view value) {
  constexpr std::size_t max_field = 256;
  std::string out;
  for (char c : value.substr(0, max_field)) {
    out += (c > 0x20 && c < 0x7f && c != '"') ? c : '_';
  }
  if (value.size() > max_field) out += "...";
  return out.empty() ? "-" : out;
}

void PamLog::write(int priority, const std::string& line) const {
  pam_syslog(pamh_, priority, "%s", line.c_str());  // pam_syslog adds LOG_AUTHPRIV itself
}

void PamLog::decision(const LogFields& f) const {
  last_decision_ = f.decision;
  last_reason_ = f.reason;
  std::string line = std::string(f.phase) + ": user=" + log_safe(f.user) + " email=" + log_safe(f.email) +
                     " role=" + log_safe(f.role) + " decision=" + std::string(f.decision) +
                     " source=" + log_safe(f.source) + " reason=\"";
  // The reason is ours, but may quote server data (org id, role): keep it printable.
  for (char c : f.reason.substr(0, 512)) line += (c >= 0x20 && c < 0x7f && c != '"') ? c : '_';
  line += "\"";
  write(f.decision == "allow" ? LOG_NOTICE : LOG_WARNING, line);
}

std::string refusal_notice(std::string_view decision, std::string_view reason) {
  if (decision == "allow" || decision.empty()) return "";
  if (decision == "unavailable") {
    return "Squadcast cannot be reached right now: ask the on-call admin, or use the break-glass account.";
  }
  if (decision == "error") {
    return "Squadcast access cannot be checked on this host (configuration): ask an administrator, or use the "
           "break-glass account.";
  }
  std::string text = "Squadcast refused access: ";
  for (char c : reason.substr(0, 200)) text += (c >= 0x20 && c < 0x7f) ? c : '_';
  return text;
}

void PamLog::error(std::string_view message) const { write(LOG_ERR, std::string(message)); }

void PamLog::warning(std::string_view message) const { write(LOG_WARNING, std::string(message)); }

void PamLog::debug(std::string_view message) const {
  if (debug_) write(LOG_DEBUG, "debug: " + std::string(message));
}

}  // namespace squadcast::pam
