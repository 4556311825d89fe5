// Teams and on-call (squadcast-api.md, "Teams and on-call"): GET /v3/teams,
// /v3/teams/{id}/members and /v4/schedules?teamID=...&myOnCall=true, seeded from the
// "teams_and_oncall" key of the seed, plus their own control calls under
// /_control/oncall/ (hand-off, pause, membership, faults with the v4 envelope, counters).
#pragma once

#include "emulator_state.hpp"
#include "teams_state.hpp"

#include <httplib.h>

#include <memory>

namespace squadcast::emulator {

void register_teams_api(httplib::Server& server, EmulatorState& state, const std::shared_ptr<TeamsState>& teams);

}  // namespace squadcast::emulator
