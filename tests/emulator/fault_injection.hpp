// Counts every non-control request, plays the queued faults (see control_api.hpp) and
// enforces the per-token rate limit before normal routing sees the request; for POST
// routes registered with post_with_faults, in their handler once the body is read.
#pragma once

#include "emulator_state.hpp"

#include <httplib.h>

#include <atomic>
#include <string>

namespace squadcast::emulator {

// `stopping` turns true on shutdown so delays and hangs end quickly.
void install_fault_injection(httplib::Server& server, EmulatorState& state,
                             const std::atomic<bool>& stopping);

// Registers POST `path` (exact) with counting, faults and the rate limit applied inside the
// handler, once httplib has read the body: answered from the pre-routing handler, the body
// stays unread and the client may get a reset (or SIGPIPE) instead of the answer. Call
// after install_fault_injection.
void post_with_faults(httplib::Server& server, EmulatorState& state, const std::string& path,
                      httplib::Server::Handler handler);

}  // namespace squadcast::emulator
