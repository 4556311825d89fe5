#include "fixed_environment.hpp"

#include <unistd.h>

#include <mutex>

namespace squadcast {
namespace {

// `environ` is one per process, so the swap is too: concurrent calls from a threaded host
// share one swap, made by the first to enter and undone by the last to leave. Without the
// count, two overlapping calls could leave `environ` pointing at this module's static
// array for good, and at unmapped memory once PAM unloads the module.
std::mutex swap_mutex;
int holders = 0;
char** saved_environment = nullptr;
char* empty_environment[] = {nullptr};

}  // namespace

FixedEnvironment::FixedEnvironment() {
  const std::lock_guard<std::mutex> lock(swap_mutex);
  if (holders++ == 0) {
    saved_environment = environ;
    environ = empty_environment;
  }
}

// Whatever libcurl did meanwhile (it never calls setenv), the caller gets its own back.
FixedEnvironment::~FixedEnvironment() {
  const std::lock_guard<std::mutex> lock(swap_mutex);
  if (--holders == 0) {
    environ = saved_environment;
    saved_environment = nullptr;
  }
}

}  // namespace squadcast
