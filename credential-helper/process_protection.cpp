#include "process_protection.hpp"

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

namespace squadcast::helper {

namespace {
// Written once by protect_process() before anything else runs, read only by exec.
struct CallerSettings {
  bool recorded = false;
  mode_t umask = 022;
  rlimit core_limit{};
};
CallerSettings caller;
}  // namespace

void protect_process() {
  caller.recorded = ::getrlimit(RLIMIT_CORE, &caller.core_limit) == 0;
  caller.umask = ::umask(077);
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  // Only the soft limit: lowering the hard one could never be undone for exec's command.
  rlimit no_core = caller.core_limit;
  no_core.rlim_cur = 0;
  if (!caller.recorded) no_core = rlimit{0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);
}

void restore_caller_process_settings() {
  ::umask(caller.umask);
  if (caller.recorded) ::setrlimit(RLIMIT_CORE, &caller.core_limit);
}

}  // namespace squadcast::helper
