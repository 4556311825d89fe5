// POST /v3/graphql, the whoIsOncall query of squadcast-api.md ("Who is on call for a team,
// as a third party sees it"): every schedule of a team with its on-call participants,
// answered from the same TeamsState as /v4/schedules?myOnCall=true. Plus its control call
// /_control/graphql_error (GraphQL-level failures, queued as faults of the "graphql" group).
#pragma once

#include "emulator_state.hpp"
#include "teams_state.hpp"

#include <httplib.h>

#include <memory>

namespace squadcast::emulator {

void register_graphql_api(httplib::Server& server, EmulatorState& state, const std::shared_ptr<TeamsState>& teams);

}  // namespace squadcast::emulator
