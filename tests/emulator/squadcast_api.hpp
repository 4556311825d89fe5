// The Squadcast endpoints of squadcast-api.md: the token exchange (auth host) and the
// /v3 users endpoints (api host), all on one base URL; token administration is in
// token_admin_api.cpp.
#pragma once

#include "emulator_state.hpp"

#include <httplib.h>

namespace squadcast::emulator {

void register_squadcast_api(httplib::Server& server, EmulatorState& state);

}  // namespace squadcast::emulator
