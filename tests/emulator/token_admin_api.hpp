// Token administration (GET/POST /v3/refresh-token, DELETE /v3/refresh-token/{id}) and
// the per-token rate limit, with their control endpoint /_control/rate_limit.
#pragma once

#include "emulator_state.hpp"

#include <httplib.h>

namespace squadcast::emulator {

void register_token_admin_api(httplib::Server& server, EmulatorState& state);

// Called before routing for every non-control request: answers 429 (and returns true)
// when the request's token is past its calls per minute.
bool refuse_over_rate_limit(EmulatorState& state, const httplib::Request& req, httplib::Response& res);

}  // namespace squadcast::emulator
