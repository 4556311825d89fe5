// The Date header on every answer, from a clock tests can skew (POST /_control/clock), so
// clients that measure clock skew (squadcast-credential doctor) can be tested.
#pragma once

#include <httplib.h>

#include <atomic>

namespace squadcast::emulator {

struct ServerClock {
  std::atomic<long> skew_seconds{0};  // added to the real time in Date headers
};

// Adds Date to every routed answer and registers POST /_control/clock {"skew_seconds": N}.
void install_server_clock(httplib::Server& server, ServerClock& clock);

}  // namespace squadcast::emulator
