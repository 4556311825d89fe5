// Module arguments, parsed once per call into one struct; PAM-free so it is unit tested alone.
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "squadcast/endpoints.hpp"
#include "squadcast/result.hpp"
#include "squadcast/roles.hpp"

namespace squadcast::pam {

// Where the decision's facts come from: the person's token (prompt, authtok, user_store:
// token mode) or the host's own credential asking the directory (host: directory mode).
enum class TokenSource { prompt, authtok, user_store, host };

enum class UserMapKind { email_localpart, email, file };

struct UserMap {
  UserMapKind kind = UserMapKind::email_localpart;
  std::string file;  // for UserMapKind::file
};

struct PamOptions {
  std::string region = "us";
  std::string auth_url;
  std::string api_url;
  std::string ca_file;
  std::string org_id;  // lower case, 24 hex; empty only with any_org
  bool any_org = false;
  Role min_role = Role::user;
  std::vector<std::string> required_abilities;
  UserMap user_map;
  TokenSource token_source = TokenSource::prompt;
  bool use_first_pass = false;
  bool try_first_pass = false;
  std::string prompt = "Squadcast token: ";
  std::string profile = "default";  // which profile of the user's credentials file
  int timeout_seconds = 10;
  int cache_ttl_seconds = 300;
  int offline_grace_seconds = 0;
  std::string cache_dir = "/var/cache/squadcast-pam";
  bool debug = false;
  bool hide_reason = false;  // refused people are told why (never a secret) unless this is set
  std::string proxy;  // empty: direct; never the caller's *_proxy variables
  // Team and on-call gates (auth and account): see team_gate.hpp.
  std::vector<std::string> required_teams;  // require_team=: member of at least one
  std::string oncall_team;                  // require_oncall=TEAM[/SCHEDULE]
  std::string oncall_schedule;              // empty: any schedule of oncall_team
  int oncall_ttl_seconds = 60;
  int oncall_offline_grace_seconds = 0;
  // Directory mode (token_source=host, account only): see directory_gate.hpp.
  std::string host_token = "/etc/squadcast/host-token";
  int roster_ttl_seconds = 60;
  std::string email_domain;  // user_map=email_localpart in directory mode: alice -> alice@DOMAIN

  Endpoints endpoints;  // resolved from region/auth_url/api_url after parsing
};

// Reads a root-owned (or caller-owned) file that nobody else may write; used for config=
// and user_map=file:. Not secret, so read bits for others are fine.
Result<std::string> read_admin_file(const std::string& path);

using AdminFileReader = std::function<Result<std::string>(const std::string& path)>;

// Parses argv-style module arguments (and the lines of any config=FILE among them).
// Unknown keys, bad values and missing required keys are config errors that say why.
Result<PamOptions> parse_pam_options(std::span<const std::string_view> args,
                                     const AdminFileReader& read_file = read_admin_file);

enum class PamPhase { auth, account };

// What the options may prove depends on the management group they are used in:
// token_source=user_store shows only that the account's owner once stored a member's
// token, and token_source=host only what the directory says about the person a login
// claims to be: both can gate an account whose holder another module already
// authenticated (sshd with keys), never authenticate anybody. Config errors say why.
Status check_options_for_phase(const PamOptions& options, PamPhase phase);

const char* to_string(TokenSource source);

// How long any decision may still use a file in cache_dir: past it, the file is clutter.
std::int64_t longest_cache_use_seconds(const PamOptions& options);

}  // namespace squadcast::pam
