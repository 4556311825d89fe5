// squadcast-credential: one binary, a face per tool (chosen by the name it is called by
// or by a first argument), all talking to one Account.
// Layout of credential-helper/: protocols/ the tool faces (git, docker, terraform),
// stores/ where the refresh token is kept, commands/ what people type (dispatched by
// command_table.cpp); at the top this file and the plumbing they share: the command line,
// error reporting, the Account and SquadcastAccount, the credentials file's rules, host
// names, the tty prompt, process protection. No face or command includes another face or
// command.
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "command_line.hpp"
#include "command_table.hpp"
#include "commands/doctor_command.hpp"
#include "error_reporting.hpp"
#include "process_protection.hpp"
#include "protocols/docker_protocol.hpp"
#include "protocols/git_protocol.hpp"
#include "protocols/terraform_protocol.hpp"
#include "squadcast/config.hpp"
#include "squadcast_account.hpp"

#ifndef SQUADCAST_VERSION
#define SQUADCAST_VERSION "unknown"
#endif

using namespace squadcast;
using namespace squadcast::helper;

namespace {

using FaceRunner = int (*)(const CommandLine&, Account&);

int run_people(const CommandLine& command, Account& account) {
  return run_people_command(command, account, std::cin, std::cout, std::cerr);
}
int run_git(const CommandLine& command, Account& account) {
  return run_git_action(command.action, account, std::cin, std::cout, std::cerr);
}
int run_docker(const CommandLine& command, Account& account) {
  return run_docker_action(command.action, account, std::cin, std::cout, std::cerr);
}
int run_terraform(const CommandLine& command, Account& account) {
  return run_terraform_action(command.action, command.operands, account, std::cin, std::cout, std::cerr);
}

struct FaceEntry {
  Face face;
  FaceRunner run;
};

constexpr FaceEntry faces[] = {
    {Face::people, run_people},
    {Face::git, run_git},
    {Face::docker, run_docker},
    {Face::terraform, run_terraform},
};

// Usage errors go where each tool looks for them: docker reads stdout.
int usage_error(Face face, const std::string& message) {
  if (face == Face::docker) {
    std::cout << message << '\n';
    return 1;
  }
  report_line(std::cerr, message);
  return face == Face::people ? exit_usage : 1;
}

}  // namespace

static int run_helper(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  std::vector<std::string> args(argv + 1, argv + argc);
  auto parsed = parse_command_line(argc > 0 ? argv[0] : "", args);
  if (!parsed) return usage_error(face_from_program_name(argc > 0 ? argv[0] : ""), parsed.error().message);
  const CommandLine& command = parsed.value();
  if (command.help) {
    std::cout << usage_text();
    return exit_ok;
  }
  if (command.version) {
    std::cout << program_name << ' ' << SQUADCAST_VERSION << '\n';
    return exit_ok;
  }
  if (command.action.empty()) {
    if (command.face == Face::people) {
      std::cerr << usage_text();
      return exit_usage;
    }
    return usage_error(command.face, std::string("which ") + to_string(command.face) + " action? (see --help)");
  }
  // doctor reports a broken configuration as a check instead of stopping at it.
  if (command.face == Face::people && command.action == "doctor") {
    return run_doctor_command(command, [](const char* name) { return ::getenv(name); }, std::cout, std::cerr);
  }
  if (command.face == Face::people && !is_people_command(command.action))
    return usage_error(command.face, "unknown command '" + command.action + "' (see --help)");

  auto config = load_config(command.overrides);
  if (!config) return usage_error(command.face, config.error().message);
  if (auto backend = check_backend_name(config.value().credential_backend); !backend)
    return usage_error(command.face, backend.error().message);

  SquadcastAccount account(std::move(config).value(), [](const char* name) { return ::getenv(name); }, std::cerr);
  for (const FaceEntry& entry : faces) {
    if (entry.face == command.face) return entry.run(command, account);
  }
  return exit_usage;
}

int main(int argc, char** argv) {
  protect_process();
  try {
    return run_helper(argc, argv);
  } catch (const std::exception& error) {  // never std::terminate: say what failed
    report_line(std::cerr, std::string("internal error: ") + error.what());
  } catch (...) {
    report_line(std::cerr, "internal error");
  }
  return 1;
}
