// squadcast-pam-check [--config FILE | OPTION...] [--user USER] [--service NAME]
//                     [--pam-dir DIR] [--module PATH] [--json]
// squadcast-pam-check --enroll [--check] [--config FILE] [--allow-admin] [--host-token PATH]
// Root only. Exit 0 when no check failed, 1 when one did, 2 for usage errors; --enroll's
// codes are in pam_check.hpp.
#include <termios.h>
#include <unistd.h>

#include <exception>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "pam_check.hpp"
#include "pam_stack_analysis.hpp"

#ifndef SQUADCAST_PAM_MODULE_PATH
#define SQUADCAST_PAM_MODULE_PATH "/lib/security/pam_squadcast.so"
#endif

using namespace squadcast;
using namespace squadcast::pam::check;

namespace {

constexpr const char* usage = R"(usage: squadcast-pam-check [--config FILE | OPTION...] [--user USER] [--service NAME]
                           [--pam-dir DIR] [--module PATH] [--json]
       squadcast-pam-check --enroll [--check] [--config FILE] [--allow-admin] [--host-token PATH] [--json]

Checks pam_squadcast.so's options (the module's own parser), its files (config=, user_map=file:,
ca_file, cache_dir) with the module's ownership and mode rules, and the connection to both
Squadcast hosts. With --user, reads a token on stdin and runs auth and account for USER through
libpam and the real module (scratch service file and cache), printing each decision and the log
line. With --service, reads /etc/pam.d/NAME and shows what each pam_squadcast return code leads
to, flagging stacks that an outage locks or that can bypass the module. Root only.
OPTIONs are the module's (org_id=... min_role=admin ...); without any, the ones on the first
pam_squadcast line of --service are used. With token_source=host (directory mode) the files
include the host credential (owner, mode, valid, role, organisation, fingerprint), and --user
runs account only and shows the rosters the decision used.
--enroll reads directory mode's host token on stdin (never argv; not from a terminal),
exchanges it and looks its user up, refuses a role above user (unless --allow-admin) and an
organisation other than org_id= of --config FILE (default /etc/squadcast/pam.conf), then
writes host_token= (default /etc/squadcast/host-token, or --host-token PATH) root's 0600 and
prints the user's email, role, organisation and the token's fingerprint. Exit 0 enrolled,
1 refused (nothing written), 2 usage, 3 Squadcast unreachable. --enroll --check verifies the
installed file the same way, writes nothing, and exits 0 or 1.
)";

int usage_error(const std::string& message) {
  std::cerr << "squadcast-pam-check: " << message << " (see --help)\n";
  return 2;
}

// One line from stdin; the terminal does not echo it.
Secret read_token() {
  termios saved{};
  const bool tty = ::isatty(STDIN_FILENO) == 1 && ::tcgetattr(STDIN_FILENO, &saved) == 0;
  if (tty) {
    std::cerr << "Squadcast token: " << std::flush;
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (tty) {
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    std::cerr << '\n';
  }
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  Secret token(line);
  wipe_string(line);
  return token;
}

}  // namespace

static int run_check(int argc, char** argv) {
  CheckRequest request;
  EnrollRequest enrollment;
  bool enroll = false;
  bool enroll_only = false;  // an option that means something with --enroll only
  std::string config;
  request.module_path = SQUADCAST_PAM_MODULE_PATH;
  std::vector<std::string> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&](std::string& slot) {
      if (i + 1 >= args.size()) return false;
      slot = args[++i];
      return true;
    };
    if (arg == "--help" || arg == "-h") {
      std::cout << usage;
      return 0;
    } else if (arg == "--json") {
      request.json = true;
    } else if (arg == "--config") {
      if (!value(config)) return usage_error("--config needs a file");
      request.module_args.push_back("config=" + config);
    } else if (arg == "--enroll") {
      enroll = true;
    } else if (arg == "--check") {
      enrollment.check = enroll_only = true;
    } else if (arg == "--allow-admin") {
      enrollment.allow_admin = enroll_only = true;
    } else if (arg == "--host-token") {
      if (!value(enrollment.host_token) || !enrollment.host_token.starts_with('/')) {
        return usage_error("--host-token needs an absolute path");
      }
      enroll_only = true;
    } else if (arg == "--user") {
      if (!value(request.user)) return usage_error("--user needs a user name");
    } else if (arg == "--service") {
      if (!value(request.service)) return usage_error("--service needs a service name");
    } else if (arg == "--pam-dir") {
      if (!value(request.pam_dir)) return usage_error("--pam-dir needs a directory");
    } else if (arg == "--module") {
      if (!value(request.module_path)) return usage_error("--module needs a path");
    } else if (arg.starts_with("--")) {
      return usage_error("unknown option '" + arg.substr(0, arg.find('=')) + "'");
    } else {
      request.module_args.push_back(arg);  // a module option, checked by the module's parser
    }
  }
  if (enroll_only && !enroll) return usage_error("--check, --allow-admin and --host-token go with --enroll");
  if (enroll) {
    // Only --config: the token comes on stdin, and an argument that might be one is never echoed.
    if (request.module_args.size() != (config.empty() ? 0U : 1U) || !request.user.empty() ||
        !request.service.empty()) {
      return usage_error("--enroll takes --config FILE, --check, --allow-admin, --host-token PATH and --json only; "
                         "the token comes on standard input, never as an argument");
    }
    if (request.json && !enrollment.check) return usage_error("--json goes with --enroll --check");
    if (!config.empty()) enrollment.config = config;
    enrollment.json = request.json;
  }
  if (::geteuid() != 0) {
    std::cerr << "squadcast-pam-check: run as root: the module's files are root's and it runs as root\n";
    return 2;
  }
  if (enroll) return run_enroll(enrollment);

  CheckReport report;
  std::vector<std::string> stack_lines;
  bool service_auth = request.service.empty();  // --user runs auth only where the service has pam_squadcast in it
  if (!request.service.empty()) {
    for (const std::string type : {"auth", "account"}) {
      auto stack = read_stack(request.pam_dir, request.service, type);
      if (!stack) continue;
      for (const StackEntry& entry : stack.value()) {
        if (!entry.is_squadcast()) continue;
        service_auth = service_auth || type == "auth";
        if (request.module_args.empty()) request.module_args = entry.args;
      }
    }
  }
  auto options = check_options(report, request.module_args);
  check_admin_files(report, request.module_args, options ? &*options : nullptr);
  if (options) check_connectivity(report, *options);
  const bool directory = options && options->token_source == pam::TokenSource::host;
  if (directory) check_host_credential(report, *options, false);
  if (!request.user.empty()) {
    // user_store reads the user's own store; directory mode asks with the host's credential.
    // user_store and directory mode are account only; so is a service whose only pam_squadcast line is in account.
    const bool account_only = directory || (options && options->token_source == pam::TokenSource::user_store);
    const bool run_auth = !account_only && service_auth;
    Secret token = run_auth ? read_token() : Secret();
    auto run = run_decision(request.module_args, request.module_path, request.user, token, run_auth);
    if (!run) {
      report.fail("decision", run.error().message, "check --module (the pam_squadcast.so to load)");
    } else {
      report_decision(report, run.value());
    }
  }
  if (!request.service.empty()) {
    check_service_stack(report, request.pam_dir, request.service, options ? options->offline_grace_seconds : 0,
                        stack_lines, directory);
  }

  if (request.json) {
    report.print_json(std::cout, {{"command", "squadcast-pam-check"}, {"service", request.service},
                                  {"user", request.user}, {"stack", stack_lines}});
  } else {
    for (const std::string& line : stack_lines) std::cout << line << '\n';
    if (!stack_lines.empty()) std::cout << '\n';
    report.print_text(std::cout, "squadcast-pam-check");
  }
  return report.exit_code();
}

int main(int argc, char** argv) {
  try {
    return run_check(argc, argv);
  } catch (const std::exception& error) {  // say what failed rather than std::terminate
    std::cerr << "squadcast-pam-check: internal error: " << error.what() << '\n';
  } catch (...) {
    std::cerr << "squadcast-pam-check: internal error\n";
  }
  return 1;
}
