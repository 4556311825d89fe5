#include "command_line.hpp"

#include <optional>

namespace squadcast::helper {

namespace {
struct FaceName {
  std::string_view program;
  std::string_view argument;
  Face face;
};

constexpr FaceName face_names[] = {
    {"git-credential-squadcast", "git", Face::git},
    {"docker-credential-squadcast", "docker", Face::docker},
    {"terraform-credentials-squadcast", "terraform", Face::terraform},
};

using OptionSlot = std::optional<std::string> ConfigOverrides::*;

struct ValueOption {
  std::string_view name;
  OptionSlot slot;
};

constexpr ValueOption value_options[] = {
    {"--profile", &ConfigOverrides::profile},
    {"--region", &ConfigOverrides::region},
    {"--backend", &ConfigOverrides::backend},
};

struct CommandValueOption {  // options of one command rather than of the configuration
  std::string_view name;
  std::optional<std::string> CommandLine::*slot;
};

constexpr CommandValueOption command_value_options[] = {
    {"--min-ttl", &CommandLine::min_ttl},
    {"--user", &CommandLine::user_email},
    {"--output", &CommandLine::output_path},
    {"--team", &CommandLine::team},  // oncall
};

struct FlagOption {
  std::string_view name;
  bool CommandLine::*flag;
};

constexpr FlagOption flag_options[] = {
    {"--stdin", &CommandLine::read_stdin},
    {"--json", &CommandLine::json},
    {"--access-token-only", &CommandLine::access_token_only},
    {"--print", &CommandLine::print},
    {"--yes", &CommandLine::yes},
    {"--help", &CommandLine::help},
    {"-h", &CommandLine::help},
    {"--version", &CommandLine::version},
};

Error usage_error(std::string message) { return Error{ErrorKind::config, std::move(message) + " (see --help)"}; }

// "--name VALUE" or "--name=VALUE" into `slot`; false when `args[i]` is not this option.
Result<bool> take_value(std::string_view name, const std::vector<std::string>& args, std::size_t& i,
                        std::optional<std::string>& slot) {
  std::string_view arg = args[i];
  if (arg == name) {
    if (i + 1 >= args.size()) return usage_error(std::string(arg) + " needs a value");
    slot = args[++i];
    return true;
  }
  if (arg.starts_with(name) && arg.size() > name.size() && arg[name.size()] == '=') {
    slot = std::string(arg.substr(name.size() + 1));
    return true;
  }
  return false;
}
}  // namespace

const char* to_string(Face face) {
  switch (face) {
    case Face::git:
      return "git";
    case Face::docker:
      return "docker";
    case Face::terraform:
      return "terraform";
    case Face::people:
      break;
  }
  return "squadcast-credential";
}

Face face_from_program_name(std::string_view argv0) {
  if (auto slash = argv0.rfind('/'); slash != std::string_view::npos) argv0.remove_prefix(slash + 1);
  for (const FaceName& name : face_names) {
    if (argv0 == name.program) return name.face;
  }
  return Face::people;
}

Result<CommandLine> parse_command_line(std::string_view argv0, const std::vector<std::string>& args) {
  CommandLine command;
  command.face = face_from_program_name(argv0);
  std::vector<std::string> positional;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "--") {  // exec's command: its options are its own
      command.child_command.assign(args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
      break;
    }
    if (arg.size() < 2 || arg[0] != '-') {
      positional.emplace_back(arg);
      continue;
    }
    bool matched = false;
    for (const FlagOption& option : flag_options) {
      if (arg == option.name) command.*option.flag = matched = true;
    }
    for (const ValueOption& option : value_options) {
      if (matched) break;  // args[i] may now be that option's value
      auto taken = take_value(option.name, args, i, command.overrides.*option.slot);
      if (!taken) return taken.error();
      matched = matched || taken.value();
    }
    for (const CommandValueOption& option : command_value_options) {
      if (matched) break;  // args[i] may now be that option's value
      auto taken = take_value(option.name, args, i, command.*option.slot);
      if (!taken) return taken.error();
      matched = matched || taken.value();
    }
    if (!matched) {
      // Only the name: whatever follows '=' might be a token someone tried to pass.
      std::string name(arg.substr(0, arg.find('=')));
      return usage_error("unknown option '" + name + "'; tokens are read from stdin or the terminal, never from arguments");
    }
  }
  std::size_t next = 0;
  if (command.face == Face::people && !positional.empty()) {
    for (const FaceName& name : face_names) {
      if (positional[0] == name.argument) {
        command.face = name.face;
        next = 1;
      }
    }
  }
  if (next < positional.size()) command.action = positional[next++];
  command.operands.assign(positional.begin() + static_cast<std::ptrdiff_t>(next), positional.end());
  return command;
}

std::string usage_text() {
  return R"(usage: squadcast-credential [OPTIONS] COMMAND
       squadcast-credential git get|store|erase          (or git-credential-squadcast)
       squadcast-credential docker get|store|erase|list  (or docker-credential-squadcast)
       squadcast-credential terraform get|store|forget HOST  (or terraform-credentials-squadcast)

Stores a Squadcast refresh token once and hands valid access tokens to git, docker and
compatible clients (skopeo, podman), terraform and scripts.

Commands:
  login [--stdin]   read a refresh token (no-echo prompt on /dev/tty, or one line on
                    stdin), check it with Squadcast, store it
  logout            forget the stored refresh token and the cached access token
  token             print a valid access token and a newline
  status [--json]   identity, role, organisation, teams, expiry, token fingerprint,
                    store and cache state
  exec [--min-ttl DURATION] [--access-token-only] [-- COMMAND [ARGS...]]
                    become COMMAND (default $SHELL) with the profile's tokens in
                    SQUADCAST_REFRESH_TOKEN, SQUADCAST_REFRESHTOKEN, SQUADCASTSDK_BEARER_AUTH,
                    SQUADCAST_REGION and SQUADCAST_PROFILE; the access token stays valid
                    for at least DURATION (900, 15m, 1h; default 15m)
  tokens list [--user EMAIL] [--json]
                    the organisation's refresh tokens (account owner or manage-api-tokens):
                    id, fingerprint, user, role, last refresh, rate limit, state
  tokens assign EMAIL (--output FILE | --print)
                    create a token for a user; into a new 0600 FILE, or once to stdout
  tokens revoke (ID... | --user EMAIL) [--yes]
                    revoke tokens by id or all of a user's; asks on the terminal unless --yes
  oncall [--team TEAM] [--json]
                    the schedules you are on call for right now, per team (your
                    teams, or TEAM by id, slug or name)
  doctor [--json]   check configuration, store, cache, reachability, clock, token and
                    the git/docker/podman/terraform wiring; exit 1 when a check fails

Options:
  --profile NAME    account profile (default: SQUADCAST_PROFILE or "default")
  --region us|eu    Squadcast region (or SQUADCAST_REGION / SQUADCAST_AUTH_URL / SQUADCAST_API_URL)
  --backend auto|secretservice|file|env
                    credential store (or SQUADCAST_CREDENTIAL_BACKEND)
  --help, --version

Exit codes of token and status: 0 valid, 1 not logged in, 2 refresh token revoked or
invalid, 3 Squadcast unreachable, 4 usage or configuration error. exec exits with these
before starting COMMAND, else with COMMAND's own status (127 not found, 126 not runnable).
tokens also: 5 not allowed (needs the account owner role or the manage-api-tokens
ability), 6 no such user in the organisation.
)";
}

}  // namespace squadcast::helper
