#include "pam_options.hpp"
#include "squadcast/ascii_text.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

namespace squadcast::pam {
namespace {

constexpr std::size_t max_admin_file = 64 * 1024;

Error config_error(std::string message) { return Error{ErrorKind::config, std::move(message)}; }

Status parse_seconds(std::string_view key, std::string_view value, int min, int max, int& out) {
  int parsed = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), parsed);
  if (ec != std::errc{} || end != value.data() + value.size() || parsed < min || parsed > max) {
    return config_error(std::string(key) + "=" + std::string(value) + ": expected whole seconds in [" +
                        std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  out = parsed;
  return success();
}

bool is_lower_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool is_ability_slug(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

// Team ids, names and slugs, schedule names and ids: printable, no separators of ours.
bool is_team_reference(std::string_view s) {
  return !s.empty() && s.size() <= 256 && std::none_of(s.begin(), s.end(), [](char c) {
    auto byte = static_cast<unsigned char>(c);
    return byte < 0x20 || byte == 0x7f || c == ',' || c == '/' || c == '"';
  });
}

Status parse_flag(std::string_view key, std::string_view value, bool& out) {
  if (!value.empty()) return config_error(std::string(key) + " takes no value");
  out = true;
  return success();
}

Status require_value(std::string_view key, std::string_view value) {
  if (value.empty()) return config_error(std::string(key) + " needs a value (" + std::string(key) + "=...)");
  return success();
}

Status require_absolute(std::string_view key, std::string_view value) {
  if (value.empty() || value.front() != '/') return config_error(std::string(key) + " must be an absolute path");
  return success();
}

using Setter = Status (*)(PamOptions&, std::string_view key, std::string_view value);

struct KeyHandler {
  std::string_view key;
  Setter set;
};

// One table: each key and how it lands in PamOptions.
constexpr std::array<KeyHandler, 29> handlers{{
    {"region", [](PamOptions& o, std::string_view k, std::string_view v) -> Status {
       if (v != "us" && v != "eu") return config_error(std::string(k) + "=" + std::string(v) + ": expected us or eu");
       o.region = v;
       return success();
     }},
    {"auth_url", [](PamOptions& o, std::string_view k, std::string_view v) -> Status {
       if (auto s = require_value(k, v); !s) return s;
       o.auth_url = v;
       return success();
     }},
    {"api_url", [](PamOptions& o, std::string_view k, std::string_view v) -> Status {
       if (auto s = require_value(k, v); !s) return s;
       o.api_url = v;
       return success();
     }},
    {"ca_file", [](PamOptions& o, std::string_view k, std::string_view v) -> Status {
       if (auto s = require_absolute(k, v); !s) return s;
       o.ca_file = v;
       return success();
     }},
    {"org_id", [](PamOptions& o, std::string_view k, std::string_view v) -> Status {
       std::string lower(v);
       std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
       if (lower.size() != 24 || !is_lower_hex(lower)) {
         return config_error(std::string(k) + "=" + std::string(v) + ": expected a 24 hex character organisation id");
       }
       o.org_id = lower;
       return success();
     }},
    {"any_org", [](PamOptions& o, std::string_view k, std::string_view v) { return parse_flag(k, v, o.any_org); }},
    {"min_role", [](PamOptions& o, std::string_view k, std::string_view v) -> Status {
       auto role = parse_role(v);
       if (!role) {
         return config_error(std::string(k) + "=" + std::string(v) +
                             ": expected stakeholder, user, admin or account_owner");
       }
       o.min_role = *role;
       return success();
     }},
    {"require_ability", [](PamOptions& o, std::string_view k, std::string_view v) -> Status {
       if (auto s = require_value(k, v); !s) return s;
       while (!v.empty()) {
         auto comma = v.find(',');
         auto slug = trim_whitespace(v.substr(0, comma));
         if (!is_ability_slug(slug)) {
           return config_error(std::string(k) + ": '" + std::string(slug) + "' is not an ability slug");
         }
         o.required_abilities.emplace_back(slug);
         v = comma == std::string_view::npos ? std::string_view{} : v.substr(comma + 1);
       }
       return success();
     }},
    {"user_map", [](PamOptions& o, std::string_view k, std::string_view v) -> Status {
       if (v == "email_localpart") {
         o.user_map = {UserMapKind::email_localpart, {}};
       } else if (v == "email") {
         o.user_map = {UserMapKind::email, {}};
       } else if (v.starts_with("file:")) {
         auto path = v.substr(5);
         if (auto s = require_absolute("user_map=file:PATH", path); !s) return s;
         o.user_map = {UserMapKind::file, std::string(path)};
       } else {
         return config_error(std::string(k) + "=" + std::string(v) + ": expected email_localpart, email or file:PATH");
       }
       return success();
     }},
    {"token_source", [](PamOptions& o, std::string_view k, std::string_view v) -> Status {
       if (v == "prompt") o.token_source = TokenSource::prompt;
       else if (v == "authtok") o.token_source = TokenSource::authtok;
       else if (v == "user_store") o.token_source = TokenSource::user_store;
       else if (v == "host") o.token_source = TokenSource::host;
       else return config_error(std::string(k) + "=" + std::string(v) + ": expected prompt, authtok, user_store or host");
       return success();
     }},
    {"use_first_pass", [](PamOptions& o, std::string_view k, std::string_view v) { return parse_flag(k, v, o.use_first_pass); }},
    {"try_first_pass", [](PamOptions& o, std::string_view k, std::string_view v) { return parse_flag(k, v, o.try_first_pass); }},
    {"prompt", [](PamOptions& o, std::string_view k, std::string_view v) -> Status {
       if (auto s = require_value(k, v); !s) return s;
       o.prompt = v;
       return success();
     }},
    {"profile", [](PamOptions& o, std::string_view k, std::string_view v) -> Status {
       if (auto s = require_value(k, v); !s) return s;
       o.profile = v;
       return success();
     }},
    {"timeout", [](PamOptions& o, std::string_view k, std::string_view v) { return parse_seconds(k, v, 1, 300, o.timeout_seconds); }},
    {"cache_ttl", [](PamOptions& o, std::string_view k, std::string_view v) { return parse_seconds(k, v, 0, 86400, o.cache_ttl_seconds); }},
    {"offline_grace", [](PamOptions& o, std::string_view k, std::string_view v) { return parse_seconds(k, v, 0, 30 * 86400, o.offline_grace_seconds); }},
    {"cache_dir", [](PamOptions& o, std::string_view k, std::string_view v) -> Status {
       if (auto s = require_absolute(k, v); !s) return s;
       o.cache_dir = v;
       return success();
     }},
    {"debug", [](PamOptions& o, std::string_view k, std::string_view v) { return parse_flag(k, v, o.debug); }},
    {"hide_reason", [](PamOptions& o, std::string_view k, std::string_view v) { return parse_flag(k, v, o.hide_reason); }},
    {"config", [](PamOptions&, std::string_view k, std::string_view) -> Status {
       return config_error(std::string(k) + "= is not allowed inside a config file");
     }},
    {"proxy", [](PamOptions& o, std::string_view k, std::string_view v) -> Status {
       auto url = parse_url(v);
       const bool known = url && (url.value().scheme == "http" || url.value().scheme == "https" ||
                                  url.value().scheme == "socks5" || url.value().scheme == "socks5h");
       if (!known) return config_error(std::string(k) + "=" + std::string(v) + ": expected http(s)://HOST:PORT or socks5(h)://HOST:PORT");
       o.proxy = v;
       return success();
     }},
    {"require_team", [](PamOptions& o, std::string_view k, std::string_view v) -> Status {
       if (auto s = require_value(k, v); !s) return s;
       while (!v.empty()) {
         auto comma = v.find(',');
         auto team = trim_whitespace(v.substr(0, comma));
         if (!is_team_reference(team)) return config_error(std::string(k) + ": '" + std::string(team) + "' is not a team id, name or slug");
         o.required_teams.emplace_back(team);
         v = comma == std::string_view::npos ? std::string_view{} : v.substr(comma + 1);
       }
       return success();
     }},
    {"require_oncall", [](PamOptions& o, std::string_view k, std::string_view v) -> Status {
       if (auto s = require_value(k, v); !s) return s;
       auto slash = v.find('/');
       auto team = trim_whitespace(v.substr(0, slash));
       auto schedule = slash == std::string_view::npos ? std::string_view{} : trim_whitespace(v.substr(slash + 1));
       if (!is_team_reference(team) || (slash != std::string_view::npos && !is_team_reference(schedule))) {
         return config_error(std::string(k) + "=" + std::string(v) + ": expected TEAM or TEAM/SCHEDULE");
       }
       o.oncall_team = team;
       o.oncall_schedule = schedule;
       return success();
     }},
    {"oncall_ttl", [](PamOptions& o, std::string_view k, std::string_view v) { return parse_seconds(k, v, 0, 3600, o.oncall_ttl_seconds); }},
    {"oncall_offline_grace", [](PamOptions& o, std::string_view k, std::string_view v) { return parse_seconds(k, v, 0, 30 * 86400, o.oncall_offline_grace_seconds); }},
    {"host_token", [](PamOptions& o, std::string_view k, std::string_view v) -> Status {
       if (auto s = require_absolute(k, v); !s) return s;
       o.host_token = v;
       return success();
     }},
    {"roster_ttl", [](PamOptions& o, std::string_view k, std::string_view v) { return parse_seconds(k, v, 5, 3600, o.roster_ttl_seconds); }},
    {"email_domain", [](PamOptions& o, std::string_view k, std::string_view v) -> Status {
       const bool plain = !v.empty() && v.size() <= 253 && v.find('.') != std::string_view::npos &&
                          std::all_of(v.begin(), v.end(), [](char c) {
                            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                                   c == '-' || c == '.';
                          });
       if (!plain) return config_error(std::string(k) + "=" + std::string(v) + ": expected a domain such as acme.com");
       o.email_domain = to_lower_ascii(v);
       return success();
     }},
}};

// Keys already given, on the line or in the config= file: a repeat would silently let the
// last value win (min_role=admin ... min_role=stakeholder), so it is refused instead.
using SeenKeys = std::vector<std::string>;

Status note_once(SeenKeys& seen, std::string_view key) {
  if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
    return config_error("'" + std::string(key) + "' is given more than once (on the line or in the config= file)");
  }
  seen.emplace_back(key);
  return success();
}

Status apply_argument(PamOptions& options, std::string_view arg, SeenKeys& seen) {
  auto eq = arg.find('=');
  auto key = arg.substr(0, eq);
  auto value = eq == std::string_view::npos ? std::string_view{} : arg.substr(eq + 1);
  auto it = std::find_if(handlers.begin(), handlers.end(), [&](const KeyHandler& h) { return h.key == key; });
  if (it == handlers.end()) return config_error("unknown argument '" + std::string(key) + "'");
  if (auto once = note_once(seen, key); !once) return once;
  return it->set(options, key, value);
}

Status apply_config_file(PamOptions& options, const std::string& path, const AdminFileReader& read_file,
                         SeenKeys& seen) {
  auto text = read_file(path);
  if (!text) return config_error("config=" + path + ": " + text.error().message);
  std::string_view rest = text.value();
  int line_number = 0;
  while (!rest.empty()) {
    auto nl = rest.find('\n');
    auto line = trim_whitespace(rest.substr(0, nl));
    rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
    ++line_number;
    if (line.empty() || line.front() == '#') continue;
    // Allow "key = value" as well as "key=value" in files.
    std::string normalized;
    if (auto eq = line.find('='); eq != std::string_view::npos) {
      normalized = std::string(trim_whitespace(line.substr(0, eq))) + "=" + std::string(trim_whitespace(line.substr(eq + 1)));
    } else {
      normalized = line;
    }
    if (auto s = apply_argument(options, normalized, seen); !s) {
      return config_error(path + ":" + std::to_string(line_number) + ": " + s.error().message);
    }
  }
  return success();
}

bool was_given(const SeenKeys& seen, std::string_view key) {
  return std::find(seen.begin(), seen.end(), key) != seen.end();
}

// Directory mode's options mean nothing in token mode, and the reverse: a line that mixes
// them says something the module would not do, so it is refused rather than half-obeyed.
Status validate_directory_mode(const PamOptions& options, const SeenKeys& seen) {
  const bool host = options.token_source == TokenSource::host;
  for (std::string_view key : {"host_token", "roster_ttl", "email_domain"}) {
    if (!host && was_given(seen, key)) {
      return config_error(std::string(key) + " is for directory mode only (token_source=host)");
    }
  }
  if (!host) return success();
  for (std::string_view key : {"use_first_pass", "try_first_pass", "prompt", "profile", "oncall_ttl", "cache_ttl"}) {
    if (was_given(seen, key)) {
      return config_error(std::string(key) + " is for token mode: token_source=host asks with the host's "
                                             "credential (roster_ttl sets how long its answers are kept)");
    }
  }
  if (options.any_org) return config_error("token_source=host reads its own organisation's directory: use org_id=");
  if (options.user_map.kind == UserMapKind::email_localpart && options.email_domain.empty()) {
    return config_error("token_source=host with user_map=email_localpart needs email_domain=DOMAIN "
                        "(alice -> alice@DOMAIN)");
  }
  if (options.user_map.kind != UserMapKind::email_localpart && !options.email_domain.empty()) {
    return config_error("email_domain= is for user_map=email_localpart");
  }
  return success();
}

Status validate(PamOptions& options, const SeenKeys& seen) {
  if (options.org_id.empty() && !options.any_org) return config_error("org_id is required (or say any_org)");
  if (!options.org_id.empty() && options.any_org) return config_error("org_id and any_org contradict each other");
  // Anyone can create a Squadcast organisation and pick the email address in it: with
  // any_org, an email-derived user name would let a stranger name any local account.
  if (options.any_org && options.user_map.kind != UserMapKind::file) {
    return config_error("any_org needs user_map=file:PATH: anyone can create an organisation whose email "
                        "names a local account, so only an explicit email-to-user list is safe");
  }
  if (options.use_first_pass && options.try_first_pass) {
    return config_error("use_first_pass and try_first_pass contradict each other");
  }
  if (options.token_source == TokenSource::user_store && (options.use_first_pass || options.try_first_pass)) {
    return config_error("use_first_pass/try_first_pass make no sense with token_source=user_store");
  }
  if (auto directory = validate_directory_mode(options, seen); !directory) return directory;
  auto endpoints = resolve_endpoints(options.region, options.auth_url, options.api_url, false);
  if (!endpoints) return config_error(endpoints.error().message);
  options.endpoints = endpoints.value();
  return success();
}

}  // namespace

Result<std::string> read_admin_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return Error{ErrorKind::io, "cannot open (or is a symlink)"};
  struct stat st {};
  std::string text;
  auto fail = [&](ErrorKind kind, std::string why) -> Result<std::string> {
    ::close(fd);
    return Error{kind, std::move(why)};
  };
  if (::fstat(fd, &st) != 0) return fail(ErrorKind::io, "cannot stat");
  if (!S_ISREG(st.st_mode)) return fail(ErrorKind::permission, "not a regular file");
  if (st.st_uid != 0 && st.st_uid != ::geteuid()) return fail(ErrorKind::permission, "not owned by root");
  if (st.st_mode & (S_IWGRP | S_IWOTH)) return fail(ErrorKind::permission, "writable by group or others");
  if (static_cast<std::size_t>(st.st_size) > max_admin_file) return fail(ErrorKind::too_large, "over 64 KiB");
  text.resize(static_cast<std::size_t>(st.st_size));
  std::size_t done = 0;
  while (done < text.size()) {
    auto n = ::read(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  text.resize(done);
  return text;
}

Result<PamOptions> parse_pam_options(std::span<const std::string_view> args, const AdminFileReader& read_file) {
  PamOptions options;
  SeenKeys seen;
  auto apply = [&](std::string_view arg) -> Status {
    if (!arg.starts_with("config=")) return apply_argument(options, arg, seen);
    if (arg.size() <= 7 || arg[7] != '/') return config_error("config must be an absolute path");
    if (auto once = note_once(seen, "config"); !once) return once;
    return apply_config_file(options, std::string(arg.substr(7)), read_file, seen);
  };
  for (auto arg : args) {
    if (auto applied = apply(arg); !applied) return applied.error();
  }
  if (auto s = validate(options, seen); !s) return s.error();
  return options;
}

Status check_options_for_phase(const PamOptions& options, PamPhase phase) {
  if (phase == PamPhase::auth && options.token_source == TokenSource::user_store) {
    return config_error(
        "token_source=user_store is for the account group only: in auth it would let whoever asks to "
        "become a user succeed with that user's stored token, no secret typed");
  }
  if (phase == PamPhase::auth && options.token_source == TokenSource::host) {
    return config_error(
        "token_source=host is for the account group only: the host's credential proves nothing about "
        "who is asking, so in auth it would let anyone become any user the directory allows");
  }
  return success();
}

std::int64_t longest_cache_use_seconds(const PamOptions& options) {
  return std::max({options.cache_ttl_seconds, options.offline_grace_seconds, options.oncall_ttl_seconds,
                   options.oncall_offline_grace_seconds, options.roster_ttl_seconds}) + 60;
}

const char* to_string(TokenSource source) {
  switch (source) {
    case TokenSource::prompt: return "prompt";
    case TokenSource::authtok: return "authtok";
    case TokenSource::user_store: return "user_store";
    case TokenSource::host: return "host";
  }
  return "unknown";
}

}  // namespace squadcast::pam
