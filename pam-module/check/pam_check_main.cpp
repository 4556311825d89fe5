// squadcast-pam-check [--config FILE | OPTION...] [--user USER] [--service NAME]
//                     [--pam-dir DIR] [--module PATH] [--json]
// Root only. Exit 0 when no check failed, 1 when one did, 2 for usage errors.
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

Checks pam_squadcast.so's options (the module's own parser), its files (config=, user_map=file:,
ca_file, cache_dir) with the module's ownership and mode rules, and the connection to both
Squadcast hosts. With --user, reads a token on stdin and runs auth and account for USER through
libpam and the real module (scratch service file and cache), printing each decision and the log
line. With --service, reads /etc/pam.d/NAME and shows what each pam_squadcast return code leads
to, flagging stacks that an outage locks or that can bypass the module. Root only.
OPTIONs are the module's (org_id=... min_role=admin ...); without any, the ones on the first
pam_squadcast line of --service are used.
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
  request.module_path = SQUADCAST_PAM_MODULE_PATH;
  std::vector<std::string> args(argv + 1, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&](std::string& slot) {
      if (i + 1 >= args.size()) return false;
      slot = args[++i];
      return true;
    };
    std::string config;
    if (arg == "--help" || arg == "-h") {
      std::cout << usage;
      return 0;
    } else if (arg == "--json") {
      request.json = true;
    } else if (arg == "--config") {
      if (!value(config)) return usage_error("--config needs a file");
      request.module_args.push_back("config=" + config);
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
  if (::geteuid() != 0) {
    std::cerr << "squadcast-pam-check: run as root: the module's files are root's and it runs as root\n";
    return 2;
  }

  CheckReport report;
  std::vector<std::string> stack_lines;
  if (request.module_args.empty() && !request.service.empty()) {
    for (const std::string type : {"auth", "account"}) {
      auto stack = read_stack(request.pam_dir, request.service, type);
      if (!stack) continue;
      for (const StackEntry& entry : stack.value()) {
        if (entry.is_squadcast() && request.module_args.empty()) request.module_args = entry.args;
      }
    }
  }
  auto options = check_options(report, request.module_args);
  check_admin_files(report, request.module_args, options ? &*options : nullptr);
  if (options) check_connectivity(report, *options);
  if (!request.user.empty()) {
    Secret token = options && options->token_source == pam::TokenSource::user_store ? Secret() : read_token();
    auto run = run_decision(request.module_args, request.module_path, request.user, token);
    if (!run) {
      report.fail("decision", run.error().message, "check --module (the pam_squadcast.so to load)");
    } else {
      report_decision(report, run.value());
    }
  }
  if (!request.service.empty()) {
    check_service_stack(report, request.pam_dir, request.service, options ? options->offline_grace_seconds : 0,
                        stack_lines);
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
