#include "commands/people_commands.hpp"

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "account_teams.hpp"
#include "error_reporting.hpp"
#include "squadcast/token_admin.hpp"
#include "tty_prompt.hpp"
#include "utc_time.hpp"

namespace squadcast::helper {

namespace {
std::string describe_identity(const AccessGrant& grant) {
  const Identity& who = grant.identity;
  return who.email + " (role " + (who.role.empty() ? "unknown" : who.role) + ", organisation " +
         who.organization_id + ")";
}

struct StatusReport {
  const char* state = "valid";
  ExitCode code = exit_ok;
  std::string message;
};

StatusReport state_for(const Error& error) {
  StatusReport report;
  report.code = exit_code_for(error.kind);
  report.message = error.message;
  switch (report.code) {
    case exit_not_logged_in:
      report.state = "not_logged_in";
      break;
    case exit_revoked:
      report.state = "revoked";
      break;
    case exit_unreachable:
      report.state = "unreachable";
      break;
    default:
      report.state = "error";
  }
  return report;
}

}  // namespace

int run_login(const CommandLine& command, Account& account, std::istream& in, std::ostream& out, std::ostream& err) {
  auto token = command.read_stdin ? read_secret_line(in) : prompt_secret_on_tty("Squadcast refresh token: ");
  if (!token) {
    report_error(err, token.error());
    return exit_usage;
  }
  auto grant = account.login(token.value());
  if (!grant) {
    report_error(err, grant.error());
    return exit_code_for(grant.error().kind);
  }
  out << "Logged in to " << account.auth_url() << " as " << describe_identity(grant.value()) << ".\n"
      << "Access token valid until " << format_utc(grant.value().expires_at) << "; refresh token stored in "
      << account.store_description() << " (profile '" << account.profile() << "').\n";
  return exit_ok;
}

int run_logout(const CommandLine&, Account& account, std::istream&, std::ostream& out, std::ostream& err) {
  if (auto done = account.logout(); !done) {
    report_error(err, done.error());
    return exit_code_for(done.error().kind);
  }
  out << "Logged out of profile '" << account.profile() << "' (" << account.store_description() << ").\n";
  return exit_ok;
}

int run_token(const CommandLine&, Account& account, std::istream&, std::ostream& out, std::ostream& err) {
  auto grant = account.access_token();
  if (!grant) {
    report_error(err, grant.error());
    return exit_code_for(grant.error().kind);
  }
  out << grant.value().access_token.reveal() << '\n' << std::flush;
  return exit_ok;
}

int run_status(const CommandLine& command, Account& account, std::istream&, std::ostream& out, std::ostream& err) {
  const bool cached_before = account.has_usable_cached_token();
  std::string store = account.store_description();
  StatusReport report;
  std::optional<AccessGrant> grant;
  std::string stored_email;
  std::string fingerprint;  // of the stored refresh token, as `tokens list` shows it
  if (auto credential = account.stored_credential(); !credential) {
    report = state_for(credential.error());
  } else {
    fingerprint = token_fingerprint(credential.value().refresh_token);
    stored_email = credential.value().email;
    if (auto obtained = account.access_token(); !obtained) {
      report = state_for(obtained.error());
    } else {
      grant = std::move(obtained).value();
    }
  }
  const char* cache = cached_before ? "hit" : (grant ? "refreshed" : "empty");
  // The user's teams: one more request, only when there is a valid token and an API.
  std::optional<Result<std::vector<Team>>> teams;
  if (grant && account.api()) teams = teams_of(account, *grant);
  // status asks the API now, where `token` trusts its cache until the access token
  // expires. A 401 there means the access token is revoked (revoking a refresh token
  // revokes every access token made from it): drop it, and let an exchange say whether
  // the refresh token went too, in the words and exit code `token` would use.
  if (teams && !teams->ok() && teams->error().kind == ErrorKind::revoked) {
    account.drop_cached_token();
    cache = "purged";
    std::optional<Error> refused = teams->error();
    if (grant->from_cache) {
      auto fresh = account.access_token();
      if (!fresh) {
        refused = fresh.error();
      } else {
        grant = std::move(fresh).value();
        teams = teams_of(account, *grant);
        refused.reset();
        if (!teams->ok() && teams->error().kind == ErrorKind::revoked) {
          account.drop_cached_token();  // refused as soon as issued: keep none
          refused = teams->error();
        }
      }
    }
    if (refused) {
      report = state_for(*refused);
      grant.reset();
      teams.reset();
    }
  }
  std::vector<std::string> team_names;
  if (teams && teams->ok()) {
    for (const auto& t : teams->value()) team_names.push_back(t.slug.empty() ? t.name : t.slug);
  }
  if (command.json) {
    nlohmann::json json = {{"profile", account.profile()}, {"state", report.state},     {"auth_url", account.auth_url()},
                           {"store", store},               {"cache", cache},            {"exit_code", report.code}};
    if (grant) {
      json["email"] = grant->identity.email;
      json["role"] = grant->identity.role;
      json["organization_id"] = grant->identity.organization_id;
      json["user_id"] = grant->identity.user_id;
      json["expires_at"] = grant->expires_at;
      json["expires_at_utc"] = format_utc(grant->expires_at);
      if (teams && teams->ok()) json["teams"] = team_names;
    } else if (!stored_email.empty()) {
      json["email"] = stored_email;
    }
    if (!fingerprint.empty()) json["token_fingerprint"] = fingerprint;
    if (!report.message.empty()) json["message"] = report.message;
    out << json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  } else {
    out << "profile:      " << account.profile() << '\n' << "squadcast:    " << account.auth_url() << '\n';
    if (grant) {
      out << "user:         " << grant->identity.email << '\n'
          << "role:         " << grant->identity.role << '\n'
          << "organisation: " << grant->identity.organization_id << '\n';
      if (teams) {
        std::string line;
        for (const auto& name : team_names) line += (line.empty() ? "" : ", ") + name;
        if (!teams->ok()) line = "unknown (" + teams->error().message + ")";
        out << "teams:        " << (line.empty() ? "(none)" : line) << '\n';
      }
      out << "expires:      " << format_utc(grant->expires_at) << '\n';
    }
    if (!fingerprint.empty()) out << "fingerprint:  " << fingerprint << '\n';
    out << "store:        " << store << '\n'
        << "cache:        " << cache << '\n'
        << "state:        " << report.state << '\n';
    if (!report.message.empty()) report_line(err, report.message);
  }
  out.flush();
  return report.code;
}

}  // namespace squadcast::helper
