// Token administration (GET/POST /v3/refresh-token, DELETE /v3/refresh-token/{id}) and
// the per-token rate limit, with their control endpoint /_control/rate_limit.
#pragma once

#include "emulator_state.hpp"

#include <httplib.h>

#include <optional>
#include <string>

namespace squadcast::emulator {

void register_token_admin_api(httplib::Server& server, EmulatorState& state);

// The id of the refresh token a request spends (the exchange's X-Refresh-Token, or the
// refresh_token claim of the bearer JWT, unverified), or nullopt when it names none known.
std::optional<std::string> spending_token_id(const EmulatorState& state, const httplib::Request& req);

// Called before routing for every non-control request that spends a known token: answers
// 429 (and returns true) when that token is past its calls per minute.
bool refuse_over_rate_limit(EmulatorState& state, const std::string& token_id, httplib::Response& res);

}  // namespace squadcast::emulator
