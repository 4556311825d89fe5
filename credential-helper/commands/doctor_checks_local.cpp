// doctor: configuration, credential store, credentials file, cache, and the token itself.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <sstream>

#include "commands/doctor_command.hpp"
#include "credentials_file_rules.hpp"
#include "error_reporting.hpp"
#include "squadcast/file_store.hpp"
#include "squadcast/sha256.hpp"
#include "utc_time.hpp"

namespace squadcast::helper {
namespace {

using Clock = std::chrono::steady_clock;

long elapsed_ms(Clock::time_point since) {
  return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count());
}

std::string octal(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string login_command(const std::string& profile) {
  return profile == "default" ? "squadcast-credential login" : "squadcast-credential login --profile " + profile;
}

// "sha256:0123456789abcdef": tells two tokens apart without revealing either.
std::string fingerprint(const Secret& token) { return "sha256:" + sha256_hex(token.reveal()).substr(0, 16); }

std::string describe_left(std::int64_t seconds) {
  if (seconds >= 3600) return std::to_string(seconds / 3600) + " h " + std::to_string(seconds % 3600 / 60) + " min";
  if (seconds >= 60) return std::to_string(seconds / 60) + " min";
  return std::to_string(seconds) + " s";
}

// Secrets live in it: nobody else may write it, and nobody else should read it.
void check_private_dir(CheckReport& report, const std::string& name, const std::string& dir, bool must_be_0700) {
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) {
    report.ok(name, dir + " does not exist yet (created 0700 on first use)");
    return;
  }
  if (S_ISLNK(st.st_mode) || !S_ISDIR(st.st_mode)) {
    report.fail(name, dir + " is a symlink or not a directory; it is refused", "rm " + dir + " && mkdir -m 700 " + dir);
  } else if (st.st_uid != ::geteuid()) {
    report.fail(name, dir + " is owned by uid " + std::to_string(st.st_uid) + ", not by you",
                "sudo chown " + std::to_string(::geteuid()) + " " + dir);
  } else if ((st.st_mode & 077) != 0 && (must_be_0700 || (st.st_mode & 022) != 0)) {
    report.fail(name, dir + " has mode " + octal(st.st_mode) + "; it must be 0700", "chmod 700 " + dir);
  } else if ((st.st_mode & 077) != 0) {
    report.warn(name, dir + " has mode " + octal(st.st_mode) + "; others can list it", "chmod 700 " + dir);
  } else {
    report.ok(name, dir + " is yours, mode " + octal(st.st_mode));
  }
}

void check_credentials_file(CheckReport& report, const std::string& path) {
  const CredentialsFileState state = inspect_credentials_file(path);
  if (!state.exists) {
    report.ok("credentials file", path + " does not exist");
    return;
  }
  check_private_dir(report, "credentials dir", parent_directory(path), false);
  if (state.refusal) {
    report.fail("credentials file", state.refusal->problem, state.refusal->fix);
  } else {
    report.ok("credentials file", path + " is yours, mode " + octal(state.mode));
  }
}

}  // namespace

void check_configuration(CheckReport& report, const Result<Config>& config, const Getenv& getenv) {
  const ConfigSources sources;
  const std::string user_file = user_config_dir(getenv) + "/config";
  std::string seen;
  std::string texts;
  for (const std::string& file : {sources.system_file, user_file}) {
    struct stat st {};
    const bool exists = ::stat(file.c_str(), &st) == 0;
    seen += (seen.empty() ? "" : "; ") + file + (exists ? " read" : " absent");
    if (exists) texts += read_text(file);
  }
  if (!config) {
    report.fail("config", config.error().message, "edit the file and line named here (see squadcast-config(5))");
    return;
  }
  report.ok("config", seen);

  const std::string& profile = config.value().profile;
  const bool named_in_file = texts.find("[profile " + profile + "]") != std::string::npos ||
                             texts.find("[" + profile + "]") != std::string::npos;
  if (profile == "default" || named_in_file) {
    report.ok("profile", "'" + profile + "'" + (named_in_file ? " (a section in the config)" : ""));
  } else {
    report.warn("profile", "'" + profile + "' has no [profile " + profile + "] section; the defaults apply",
                "add a [profile " + profile + "] section to " + user_file + " if it needs other settings");
  }

  const Endpoints& endpoints = config.value().endpoints;
  const std::string both = "auth " + endpoints.auth_url + ", api " + endpoints.api_url;
  if (check_url_allowed(endpoints.auth_url, false) && check_url_allowed(endpoints.api_url, false)) {
    report.ok("endpoints", both + " (https)");
  } else {
    report.warn("endpoints", both + ": plain http to loopback is allowed (for tests only)",
                "remove allow_http_loopback and use https URLs");
  }
}

void check_store_and_cache(CheckReport& report, SquadcastAccount& account, const Getenv& getenv) {
  const Config& config = account.config();
  const auto start = Clock::now();
  const std::string store = account.store_description();
  const long took = elapsed_ms(start);
  if (store.starts_with("none (")) {
    report.fail("store", "backend '" + config.credential_backend + "': " + store,
                config.credential_backend == "secretservice"
                    ? "start a Secret Service (gnome-keyring-daemon, KeePassXC) in this session, or use --backend file"
                    : "use --backend file (or set credential_backend = file in the config)");
  } else {
    report.ok("store", store + (store.starts_with("secretservice") ? ", answered in " + describe_duration(took) : ""));
  }

  if (!uses_environment_token(config.credential_backend, getenv)) check_credentials_file(report, FileStore::default_path());

  if (auto credential = account.stored_credential(); !credential) {
    const Error& error = credential.error();
    std::string fix = error.kind == ErrorKind::permission ? "see the credentials file row; then retry"
                                                          : login_command(config.profile);
    report.fail("credentials", error.message, fix);
  } else {
    const StoredCredential& stored = credential.value();
    report.ok("credentials", "refresh token for profile '" + config.profile + "'" +
                                 (stored.email.empty() ? "" : " (" + stored.email + ")") + ", " +
                                 fingerprint(stored.refresh_token));
  }

  check_private_dir(report, "cache dir", user_cache_dir(getenv), true);
  const auto now = static_cast<std::int64_t>(::time(nullptr));
  if (auto cached = account.cached_entry(); !cached) {
    report.ok("cached token", "none cached; the next use exchanges the refresh token");
  } else if (cached->fetched_at > now + 60) {
    report.warn("cached token", "fetched in the future (" + format_utc(cached->fetched_at) + "): the clock went back",
                "check the clock (see the clock row); squadcast-credential git erase drops the entry");
  } else if (is_usable(*cached, now, config.min_validity_seconds)) {
    report.ok("cached token", "valid for " + describe_left(cached->expires_at - now) + " (until " +
                                  format_utc(cached->expires_at) + ")");
  } else {
    report.ok("cached token", "expired or about to (" + format_utc(cached->expires_at) +
                                  "); the next use exchanges the refresh token");
  }
}

void check_token(CheckReport& report, SquadcastAccount& account) {
  auto before = account.stored_credential();
  if (!before) return;  // the credentials row already says why
  const auto start = Clock::now();
  auto grant = account.exchange_now();
  const long took = elapsed_ms(start);
  const std::string& profile = account.profile();
  if (!grant) {
    const Error& error = grant.error();
    if (error.kind == ErrorKind::revoked) {
      report.fail("token", error.message, login_command(profile));
    } else if (exit_code_for(error.kind) == exit_unreachable) {
      report.fail("exchange", error.message, "see the reachability rows above");
    } else {
      report.fail("token", error.message, login_command(profile));
    }
    return;
  }
  report.ok("exchange", "new access token in " + describe_duration(took));
  const Identity& who = grant.value().identity;
  std::string state = "valid";
  auto after = account.stored_credential();
  if (after && !after.value().refresh_token.equals(before.value().refresh_token)) {
    state = "valid, rotated by Squadcast (the new one is stored, " + fingerprint(after.value().refresh_token) + ")";
  } else {
    state += ", " + fingerprint(before.value().refresh_token);
  }
  report.ok("token", state + "; " + who.email + ", role " + (who.role.empty() ? "unknown" : who.role) +
                         ", organisation " + who.organization_id + ", access token until " +
                         format_utc(grant.value().expires_at));
}

}  // namespace squadcast::helper
