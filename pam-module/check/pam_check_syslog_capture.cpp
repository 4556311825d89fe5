#include "pam_check_syslog_capture.hpp"

#include <cstdarg>
#include <cstdio>

namespace squadcast::pam::check {
namespace {
std::vector<std::string>* capture = nullptr;  // the one capture in progress, if any

void record(const char* format, va_list args) {
  if (capture == nullptr || format == nullptr) return;  // outside a capture: dropped, never to the system log
  char line[2048];
  std::vsnprintf(line, sizeof line, format, args);
  capture->emplace_back(line);
}
}  // namespace

SyslogCapture::SyslogCapture(std::vector<std::string>& lines) { capture = &lines; }
SyslogCapture::~SyslogCapture() { capture = nullptr; }

}  // namespace squadcast::pam::check

// The glibc entry points libpam may call (with and without _FORTIFY_SOURCE). Exported
// from the executable by the link options in CMakeLists.txt.
extern "C" {
__attribute__((visibility("default"))) void syslog(int, const char* format, ...) {
  va_list args;
  va_start(args, format);
  squadcast::pam::check::record(format, args);
  va_end(args);
}
__attribute__((visibility("default"))) void vsyslog(int, const char* format, va_list args) {
  squadcast::pam::check::record(format, args);
}
// NOLINTNEXTLINE(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp): glibc's name, interposed on purpose
__attribute__((visibility("default"))) void __syslog_chk(int, int, const char* format, ...) {
  va_list args;
  va_start(args, format);
  squadcast::pam::check::record(format, args);
  va_end(args);
}
// NOLINTNEXTLINE(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp): glibc's name, interposed on purpose
__attribute__((visibility("default"))) void __vsyslog_chk(int, int, const char* format, va_list args) {
  squadcast::pam::check::record(format, args);
}
}
