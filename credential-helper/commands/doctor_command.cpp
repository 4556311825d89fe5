#include "commands/doctor_command.hpp"

#include <nlohmann/json.hpp>

namespace squadcast::helper {
namespace {

bool proxy_configured(const Getenv& getenv) {
  for (const char* name : {"HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"}) {
    const char* value = getenv(name);
    if (value != nullptr && *value != '\0') return true;
  }
  return false;
}

}  // namespace

int run_doctor_command(const CommandLine& command, const Getenv& getenv, std::ostream& out, std::ostream& err) {
  CheckReport report;
  auto config = load_config(command.overrides);
  check_configuration(report, config, getenv);
  std::string profile = command.overrides.profile.value_or("default");
  std::string host;
  if (config) {
    profile = config.value().profile;
    SquadcastAccount account(config.value(), getenv, err);
    host = account.server_name();
    check_store_and_cache(report, account, getenv);
    ReachabilityOptions reach;
    reach.ca_file = config.value().ca_file;
    reach.timeout = std::chrono::seconds(config.value().timeout_seconds);
    reach.allow_http_loopback = config.value().allow_http_loopback;
    reach.proxy_in_use = proxy_configured(getenv);
    check_reachability(report, config.value().endpoints, reach);
    check_token(report, account);
  }
  check_client_wiring(report, host.empty() ? "api.squadcast.com" : host, getenv);

  if (command.json) {
    report.print_json(out, {{"command", "doctor"}, {"profile", profile}});
  } else {
    out << "squadcast-credential doctor, profile '" << profile << "'\n";
    report.print_text(out, "doctor");
  }
  out.flush();
  return report.exit_code();
}

}  // namespace squadcast::helper
