// The test-only control interface under /_control/. It exists ONLY in this emulator,
// never in the real Squadcast API: tests use it to revoke tokens, change roles and
// lifetimes, turn on rotation, queue faults and read request counters.
#pragma once

#include "emulator_state.hpp"

#include <httplib.h>

namespace squadcast::emulator {

void register_control_api(httplib::Server& server, EmulatorState& state);

}  // namespace squadcast::emulator
