// `squadcast-credential doctor [--profile P] [--json]`: every check a row (ok / warn /
// fail, what was seen, the fix), through the same code paths as the real commands.
// Exit 0 when nothing failed, 1 otherwise. Never prints a token.
#pragma once

#include <ostream>

#include "command_line.hpp"
#include "squadcast/check_report.hpp"
#include "squadcast/config.hpp"
#include "squadcast/reachability.hpp"
#include "squadcast_account.hpp"
#include "stores/store_selection.hpp"

namespace squadcast::helper {

// `err` gets one-line notes that are not checks (a rotated token that could not be saved).
int run_doctor_command(const CommandLine& command, const Getenv& getenv, std::ostream& out, std::ostream& err);

// The groups of checks, each adding rows (doctor_checks_*.cpp).
void check_configuration(CheckReport& report, const Result<Config>& config, const Getenv& getenv);
void check_store_and_cache(CheckReport& report, SquadcastAccount& account, const Getenv& getenv);
void check_token(CheckReport& report, SquadcastAccount& account);
void check_client_wiring(CheckReport& report, const std::string& squadcast_host, const Getenv& getenv);

}  // namespace squadcast::helper
