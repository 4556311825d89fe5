#include "fixed_environment.hpp"

#include <unistd.h>

namespace squadcast {
namespace {

char* empty_environment[] = {nullptr};

}  // namespace

FixedEnvironment::FixedEnvironment() : saved_(environ) { environ = empty_environment; }

// Whatever libcurl did meanwhile (it never calls setenv), the caller gets its own back.
FixedEnvironment::~FixedEnvironment() { environ = saved_; }

}  // namespace squadcast
