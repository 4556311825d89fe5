#include "commands/exec_command.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <optional>
#include <string_view>

#include "error_reporting.hpp"
#include "process_protection.hpp"

namespace squadcast::helper {

namespace {
struct DurationUnit {
  char suffix;
  std::int64_t seconds;
};

constexpr DurationUnit duration_units[] = {{'s', 1}, {'m', 60}, {'h', 60 * 60}};

Error bad_duration(std::string_view text) {
  return Error{ErrorKind::config, "--min-ttl: invalid duration '" + std::string(text) +
                                      "' (expected seconds or a form like 15m, 1h, 1h30m; at most 24h) (see --help)"};
}

bool is_exec_variable(std::string_view line) {
  std::string_view name = line.substr(0, line.find('='));
  for (std::string_view variable : exec_variables) {
    if (name == variable) return true;
  }
  return false;
}

std::vector<std::string_view> inherited_environment() {
  std::vector<std::string_view> lines;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) lines.emplace_back(*entry);
  return lines;
}

struct ChildCommand {
  std::vector<std::string> argv;
  bool is_shell = false;
};

// What follows "--", else the words after "exec", else the user's shell.
Result<ChildCommand> child_command(const CommandLine& command) {
  if (!command.child_command.empty() && !command.operands.empty()) {
    return Error{ErrorKind::config, "exec: give the command after '--' only (see --help)"};
  }
  if (!command.child_command.empty()) return ChildCommand{command.child_command, false};
  if (!command.operands.empty()) return ChildCommand{command.operands, false};
  const char* shell = ::getenv("SHELL");
  return ChildCommand{{shell != nullptr && *shell != '\0' ? shell : "/bin/sh"}, true};
}

// Whether some PATH directory holds `file` as something other than a directory: what
// makes a shell say "Permission denied" instead of "command not found". PATH as execvpe
// reads it (ours, glibc's default when unset; an empty entry is the current directory).
bool found_on_path(const std::string& file) {
  const char* path = ::getenv("PATH");
  std::string_view dirs = path != nullptr ? path : "/bin:/usr/bin";
  for (;;) {
    const std::size_t colon = dirs.find(':');
    std::string candidate(dirs.substr(0, colon));
    if (candidate.empty()) candidate = ".";
    candidate.append("/").append(file);
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && !S_ISDIR(st.st_mode)) return true;
    if (colon == std::string_view::npos) return false;
    dirs.remove_prefix(colon + 1);
  }
}

// As shells say it: 127 when there is no such command, 126 when it cannot be run.
// execvpe's own rule (execvp's): a directory it may not search (EACCES) only moves the
// search on, yet its last word is then EACCES even when nothing was found anywhere.
int report_not_started(const std::string& file, int error, std::ostream& err) {
  const bool searched = file.find('/') == std::string::npos;
  const bool missing = error == ENOENT || (searched && error == EACCES && !found_on_path(file));
  report_line(err, file + ": " + (missing && searched ? "command not found" : std::strerror(error)));
  return missing ? 127 : 126;
}

int report(std::ostream& err, const Error& error) {
  report_error(err, error);
  return exit_code_for(error.kind);
}

void say_what_is_missing(const Account& account, std::ostream& err) {
  report_line(err, "SQUADCAST_REGION is not set: profile '" + account.profile() + "' uses explicit URLs (auth " +
                       account.auth_url() + "); give tools that read SQUADCAST_REGION their own API URL setting " +
                       "(squadcast-credential itself reads SQUADCAST_AUTH_URL and SQUADCAST_API_URL)");
}
}  // namespace

Result<std::int64_t> parse_duration(std::string_view text) {
  if (text.empty()) return bad_duration(text);
  // A bare number is seconds, but only on its own: "1h30" is more likely a typo.
  const bool bare = text.find_first_not_of("0123456789") == std::string_view::npos;
  std::int64_t total = 0;
  std::string_view rest = text;
  while (!rest.empty()) {
    std::int64_t number = 0;
    auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), number);
    if (ec != std::errc() || number < 0 || number > max_min_ttl_seconds) return bad_duration(text);
    rest.remove_prefix(static_cast<std::size_t>(end - rest.data()));
    std::int64_t unit = bare ? 1 : 0;
    for (const DurationUnit& candidate : duration_units) {
      if (!rest.empty() && rest.front() == candidate.suffix) unit = candidate.seconds;
    }
    if (unit == 0) return bad_duration(text);
    if (!bare) rest.remove_prefix(1);
    total += number * unit;
    if (total > max_min_ttl_seconds) return bad_duration(text);
  }
  return total;
}

ChildEnvironment::ChildEnvironment(const std::vector<std::string_view>& inherited, const ExecVariables& variables) {
  for (std::string_view line : inherited) {
    if (!is_exec_variable(line)) lines_.emplace_back(line);
  }
  if (variables.refresh_token != nullptr) {
    add("SQUADCAST_REFRESH_TOKEN", variables.refresh_token->reveal());
    add("SQUADCAST_REFRESHTOKEN", variables.refresh_token->reveal());
  }
  if (variables.access_token != nullptr) add("SQUADCASTSDK_BEARER_AUTH", variables.access_token->reveal());
  if (!variables.region.empty()) add("SQUADCAST_REGION", variables.region);
  add("SQUADCAST_PROFILE", variables.profile);
}

ChildEnvironment::~ChildEnvironment() {
  for (std::string& line : lines_) wipe_string(line);
}

void ChildEnvironment::add(std::string_view name, std::string_view value) {
  std::string line;
  line.reserve(name.size() + 1 + value.size());  // one buffer: no stray copies of a token
  line.append(name).append(1, '=').append(value);
  lines_.push_back(std::move(line));
}

std::vector<char*> ChildEnvironment::envp() {
  std::vector<char*> pointers;
  pointers.reserve(lines_.size() + 1);
  for (std::string& line : lines_) pointers.push_back(line.data());
  pointers.push_back(nullptr);
  return pointers;
}

int run_exec_command(const CommandLine& command, Account& account, std::istream&, std::ostream& out,
                     std::ostream& err) {
  std::int64_t min_ttl = default_min_ttl_seconds;
  if (command.min_ttl) {
    auto parsed = parse_duration(*command.min_ttl);
    if (!parsed) return report(err, parsed.error());
    min_ttl = parsed.value();
  }
  auto target = child_command(command);
  if (!target) return report(err, target.error());

  // The same path, messages and exit codes as `token`; on any error nothing is started.
  auto grant = account.access_token_valid_for(min_ttl);
  if (!grant) return report(err, grant.error());
  std::optional<StoredCredential> credential;
  if (!command.access_token_only) {
    // Read after the exchange: a refresh token Squadcast rotated is the one held by then.
    auto stored = account.stored_credential();
    if (!stored) return report(err, stored.error());
    credential = std::move(stored).value();
  }

  ExecVariables variables;
  variables.profile = account.profile();
  variables.access_token = &grant.value().access_token;
  if (credential) {
    variables.refresh_token = &credential->refresh_token;
    variables.region = account.named_region();
    if (variables.region.empty()) say_what_is_missing(account, err);
  }
  const std::int64_t remaining = grant.value().expires_at - static_cast<std::int64_t>(::time(nullptr));
  if (remaining < min_ttl) {
    report_line(err, "the access token expires in " + std::to_string(remaining) + " s, sooner than --min-ttl (" +
                         std::to_string(min_ttl) + " s): Squadcast issued no longer-lived one");
  }
  ChildCommand& child = target.value();
  if (child.is_shell) {
    report_line(err, "no command given: starting " + child.argv[0] + " with the Squadcast variables of profile '" +
                         account.profile() + "'; exit it to drop them");
  }

  ChildEnvironment environment(inherited_environment(), variables);
  std::vector<char*> argv;
  for (std::string& word : child.argv) argv.push_back(word.data());
  argv.push_back(nullptr);
  out.flush();
  err.flush();
  restore_caller_process_settings();
  ::execvpe(argv[0], argv.data(), environment.envp().data());
  const int error = errno;
  return report_not_started(child.argv[0], error, err);
}

}  // namespace squadcast::helper
