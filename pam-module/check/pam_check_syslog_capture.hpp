// How squadcast-pam-check shows "the reason that the log would show": this binary defines
// syslog() and its glibc variants itself and exports them, so when the real module calls
// pam_syslog(), libpam's call to syslog resolves to the definitions here and the formatted
// line lands in the capture instead of the system log. The module is unchanged, the line
// is exactly what it would log, and a dry run leaves no decision in the auth log.
#pragma once

#include <string>
#include <vector>

namespace squadcast::pam::check {

// Lines logged while alive go to `lines` (one capture at a time; the tool is single-threaded).
class SyslogCapture {
 public:
  explicit SyslogCapture(std::vector<std::string>& lines);
  ~SyslogCapture();
  SyslogCapture(const SyslogCapture&) = delete;
  SyslogCapture& operator=(const SyslogCapture&) = delete;
};

}  // namespace squadcast::pam::check
