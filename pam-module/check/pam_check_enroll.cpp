// squadcast-pam-check --enroll: installs directory mode's host credential. The token comes
// on stdin only (a terminal is refused, argv never holds it), is exchanged and its user
// looked up before anything is written, and is refused for a role above user (unless
// --allow-admin) or another organisation than org_id=; then it is written atomically,
// root's 0600, and read back with the module's own rule. The output names the host user
// and the token's fingerprint (the one `squadcast-credential tokens list` shows), never
// the token. --enroll --check verifies the installed file the same way and writes nothing.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include "host_credential.hpp"
#include "pam_check.hpp"
#include "squadcast/access_token.hpp"
#include "squadcast/ascii_text.hpp"
#include "squadcast/exchange.hpp"
#include "squadcast/private_file.hpp"
#include "squadcast/token_admin.hpp"
#include "token_verification.hpp"

namespace squadcast::pam::check {
namespace {

constexpr std::size_t max_token_input = 8 * 1024;  // the module's own cap on host_token=
constexpr const char* enrol_hint = "squadcast-credential tokens assign HOSTUSER --print | ssh root@HOST "
                                   "squadcast-pam-check --enroll";

enum class Outcome { ok, refused, unreachable };

// What Squadcast says about a host token, and what enrolment makes of it.
struct HostTokenVerdict {
  Outcome outcome = Outcome::refused;
  std::string problem;  // why not ok; never holds the token
  std::string fix;
  Identity identity;
  bool above_user = false;   // a role above user (or one we do not know), allowed or not
  std::optional<Secret> rotated;  // Squadcast issued a new refresh token: keep it, the old one is retired
};

HostTokenVerdict verify_host_token(const PamOptions& options, const Secret& token, bool allow_admin) {
  HostTokenVerdict verdict;
  if (auto shape = check_refresh_token_shape(token); !shape) {
    verdict.problem = "not a Squadcast refresh token: " + shape.error().message;
    verdict.fix = "give the token on stdin, alone: " + std::string(enrol_hint);
    return verdict;
  }
  HttpOptions http = module_http_options(options, std::chrono::seconds(options.timeout_seconds));
  http.not_after = std::chrono::steady_clock::now() + std::chrono::seconds(options.timeout_seconds);
  auto fetched = fetch_access_token(options.endpoints, token, http, static_cast<std::int64_t>(::time(nullptr)),
                                    &verdict.rotated);
  if (!fetched) {
    const ErrorKind kind = fetched.error().kind;
    if (kind == ErrorKind::revoked) {
      verdict.problem = "Squadcast does not accept this token (revoked or invalid): " + fetched.error().message;
      verdict.fix = "enrol a new token: " + std::string(enrol_hint);
    } else if (is_unreachable(kind) || kind == ErrorKind::bad_response || kind == ErrorKind::too_large) {
      verdict.outcome = Outcome::unreachable;
      verdict.problem = "no usable answer from Squadcast: " + fetched.error().message;
      verdict.fix = "see the connectivity rows of squadcast-pam-check --config FILE, then try again";
    } else {
      verdict.problem = "Squadcast refused the token: " + fetched.error().message;
      verdict.fix = "enrol a new token: " + std::string(enrol_hint);
    }
    return verdict;
  }
  verdict.identity = fetched.value().identity;
  const auto role = parse_role(verdict.identity.role);
  verdict.above_user = !role || *role > Role::user;
  if (to_lower_ascii(verdict.identity.organization_id) != options.org_id) {
    verdict.problem = "the token's user " + verdict.identity.email + " belongs to organisation " +
                      verdict.identity.organization_id + ", not org_id=" + options.org_id +
                      ": the module would refuse everyone";
    verdict.fix = "enrol a token of a user of organisation " + options.org_id + ", or fix org_id=";
    return verdict;
  }
  if (verdict.above_user && !allow_admin) {
    verdict.problem = "the token's user " + verdict.identity.email + " has role " + verdict.identity.role +
                      ", above user: a host credential needs no more, and a stolen one would be worth more";
    verdict.fix = "enrol a token of a user-role user in no team (or, knowingly, --allow-admin)";
    return verdict;
  }
  verdict.outcome = Outcome::ok;
  return verdict;
}

std::string describe_identity(const Identity& identity, const std::string& fingerprint) {
  return identity.email + ", role " + identity.role + ", organisation " + identity.organization_id +
         ", fingerprint " + fingerprint;
}

// The options of /etc/squadcast/pam.conf (or --config), as directory mode reads them: the
// shared file usually leaves token_source= to the pam.d line, so one that names
// host_token= without it is read as directory mode.
Result<PamOptions> enroll_options(const std::string& config) {
  const std::string argument = "config=" + config;
  std::vector<std::string_view> as_given{argument};
  auto options = parse_pam_options(as_given);
  if (options) return options;
  std::vector<std::string_view> as_directory{argument, "token_source=host"};
  auto directory = parse_pam_options(as_directory);
  if (directory) return directory;
  return options.error();
}

// The whole of stdin, trimmed; a terminal is refused (the token would be typed and seen).
Result<Secret> read_stdin_token() {
  if (::isatty(STDIN_FILENO) == 1) {
    return Error{ErrorKind::config, "--enroll reads the token from standard input, and standard input is a "
                                    "terminal: pipe it in (" + std::string(enrol_hint) +
                                        ") or redirect a root-only file (< FILE)"};
  }
  std::string text;
  char buffer[1024];
  for (;;) {
    const ssize_t got = ::read(STDIN_FILENO, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      wipe_string(text);
      wipe_memory(buffer, sizeof buffer);
      return Error{ErrorKind::io, std::string("cannot read standard input: ") + std::strerror(errno)};
    }
    if (got == 0) break;
    text.append(buffer, static_cast<std::size_t>(got));
    if (text.size() > max_token_input) break;
  }
  wipe_memory(buffer, sizeof buffer);
  const bool too_long = text.size() > max_token_input;
  Secret token(too_long ? std::string_view() : trim_whitespace(text));
  wipe_string(text);
  if (too_long) return Error{ErrorKind::invalid_input, "standard input holds more than a token (over 8 KiB)"};
  if (token.empty()) return Error{ErrorKind::config, "no token on standard input: " + std::string(enrol_hint)};
  return token;
}

// The directory that will hold host_token=: the module reads the file only from a directory
// that is root's and writable by nobody else. Missing is fine (created later, 0755).
Status check_token_directory(const std::string& dir) {
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) {
    if (errno == ENOENT) return success();
    return Error{ErrorKind::io, "cannot inspect " + dir + ": " + std::strerror(errno)};
  }
  if (S_ISLNK(st.st_mode) || !S_ISDIR(st.st_mode) || st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return Error{ErrorKind::config, dir + " must be a directory (not a symlink) owned by root and writable by "
                                          "nobody else, or the module refuses the file in it: chown root:root " +
                                        dir + " && chmod 755 " + dir};
  }
  return success();
}

Status create_token_directory(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0755) != 0) {
    if (errno == EEXIST) return success();
    return Error{ErrorKind::io, "cannot create " + dir + ": " + std::strerror(errno)};
  }
  if (::chmod(dir.c_str(), 0755) != 0) {  // whatever the umask made of it
    return Error{ErrorKind::io, "cannot chmod 755 " + dir + ": " + std::strerror(errno)};
  }
  return success();
}

int enroll(const PamOptions& options, bool allow_admin) {
  auto input = read_stdin_token();
  if (!input) {
    std::cerr << "squadcast-pam-check: " << input.error().message << "; nothing written\n";
    return input.error().kind == ErrorKind::invalid_input ? enroll_refused : enroll_usage;
  }
  const std::string& path = options.host_token;
  const std::string dir = parent_directory(path);
  if (auto safe = check_token_directory(dir); !safe) {
    std::cerr << "squadcast-pam-check: " << safe.error().message << "; nothing written\n";
    return enroll_usage;
  }
  HostTokenVerdict verdict = verify_host_token(options, input.value(), allow_admin);
  if (verdict.rotated && verdict.outcome != Outcome::ok) {
    std::cerr << "squadcast-pam-check: note: Squadcast rotated the token on the exchange: the one given no "
                 "longer works\n";
  }
  if (verdict.outcome != Outcome::ok) {
    std::cerr << "squadcast-pam-check: refused, nothing written: " << verdict.problem << "\n  fix: " << verdict.fix
              << '\n';
    return verdict.outcome == Outcome::unreachable ? enroll_unreachable : enroll_refused;
  }
  const Secret& installed = verdict.rotated ? *verdict.rotated : input.value();
  if (auto made = create_token_directory(dir); !made) {
    std::cerr << "squadcast-pam-check: " << made.error().message << '\n';
    return enroll_refused;
  }
  if (auto written = write_private_file(path, installed.reveal(), Durability::synced); !written) {
    std::cerr << "squadcast-pam-check: cannot write " << path << ": " << written.error().message << '\n';
    return enroll_refused;
  }
  // Read back as the module reads it: what was written is what the module will use.
  if (auto reread = read_host_token(path); !reread || !reread.value().equals(installed)) {
    std::cerr << "squadcast-pam-check: " << path << " was written but does not read back as the module reads it"
              << (reread ? std::string() : ": " + reread.error().message) << '\n';
    return enroll_refused;
  }
  const std::string fingerprint = token_fingerprint(installed);
  std::cout << "enrolled " << path << " (root, 0600)\n"
            << "  email:        " << verdict.identity.email << '\n'
            << "  role:         " << verdict.identity.role << (verdict.above_user ? " (--allow-admin)" : "") << '\n'
            << "  organisation: " << verdict.identity.organization_id << '\n'
            << "  fingerprint:  " << fingerprint << " (as squadcast-credential tokens list shows it)\n";
  return 0;
}

}  // namespace

void check_host_credential(CheckReport& report, const PamOptions& options, bool strict_role) {
  auto token = read_host_token(options.host_token);
  if (!token) return;  // the "host token" row says why
  HostTokenVerdict verdict = verify_host_token(options, token.value(), !strict_role);
  std::string rotated;
  if (verdict.rotated) {
    // The server retired the old token: keep the new one, as the module does.
    auto written = write_private_file(options.host_token, verdict.rotated->reveal(), Durability::synced);
    rotated = written ? "; Squadcast rotated it on the exchange: the new one is written back"
                      : "; Squadcast rotated it on the exchange and the new one could not be written back (" +
                            written.error().message + "): enrol again";
  }
  const Secret& current = verdict.rotated ? *verdict.rotated : token.value();
  const std::string fingerprint = token_fingerprint(current);
  if (verdict.outcome == Outcome::ok && verdict.above_user) {
    report.warn("host credential", describe_identity(verdict.identity, fingerprint) + ": a role above user" + rotated,
                "enrol a token of a user-role user in no team: a host credential needs no more");
  } else if (verdict.outcome == Outcome::ok) {
    report.ok("host credential", describe_identity(verdict.identity, fingerprint) + rotated);
  } else {
    report.fail("host credential", verdict.problem + " (fingerprint " + fingerprint + ")" + rotated, verdict.fix);
  }
}

int run_enroll(const EnrollRequest& request) {
  auto parsed = enroll_options(request.config);
  if (!parsed) {
    std::cerr << "squadcast-pam-check: " << parsed.error().message
              << " (the options --enroll reads: --config FILE, default /etc/squadcast/pam.conf)\n";
    return enroll_usage;
  }
  PamOptions options = std::move(parsed).value();
  if (options.any_org) {
    std::cerr << "squadcast-pam-check: directory mode needs org_id= (any_org cannot tell a credential of another "
                 "organisation): set it in "
              << request.config << '\n';
    return enroll_usage;
  }
  if (!request.host_token.empty()) options.host_token = request.host_token;
  if (!request.check) return enroll(options, request.allow_admin);

  CheckReport report;
  report.ok("options", "config " + request.config + ": org_id=" + options.org_id + ", host_token=" +
                           options.host_token + "; auth " + options.endpoints.auth_url + ", api " +
                           options.endpoints.api_url);
  check_host_token_file(report, options);
  check_host_credential(report, options, !request.allow_admin);
  if (request.json) {
    report.print_json(std::cout, {{"command", "squadcast-pam-check --enroll --check"}, {"host_token", options.host_token}});
  } else {
    report.print_text(std::cout, "squadcast-pam-check");
  }
  return report.exit_code();
}

}  // namespace squadcast::pam::check
