// Counts every non-control request and plays the queued faults (see control_api.hpp)
// before normal routing sees the request.
#pragma once

#include "emulator_state.hpp"

#include <httplib.h>

#include <atomic>

namespace squadcast::emulator {

// `stopping` turns true on shutdown so delays and hangs end quickly.
void install_fault_injection(httplib::Server& server, EmulatorState& state,
                             const std::atomic<bool>& stopping);

}  // namespace squadcast::emulator
