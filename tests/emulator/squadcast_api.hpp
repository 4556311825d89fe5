// The Squadcast endpoints of squadcast-api.md: the token exchange (auth host) and the
// /v3 users endpoints (api host), all on one base URL; token administration is in
// token_admin_api.cpp.
#pragma once

#include "emulator_state.hpp"

#include <httplib.h>

#include <optional>

namespace squadcast::emulator {

void register_squadcast_api(httplib::Server& server, EmulatorState& state);

// The caller behind "Authorization: Bearer <JWT>" (signature, exp, source token not
// revoked), or nullopt after answering 401 with the v3 error envelope.
std::optional<User> v3_caller(EmulatorState& state, const httplib::Request& req, httplib::Response& res);

}  // namespace squadcast::emulator
