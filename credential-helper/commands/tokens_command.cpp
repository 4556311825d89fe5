#include "commands/tokens_command.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "error_reporting.hpp"
#include "squadcast/new_private_file.hpp"
#include "squadcast/token_admin.hpp"
#include "tty_prompt.hpp"
#include "utc_time.hpp"

namespace squadcast::helper {

namespace {

using Users = std::map<std::string, OrgUser>;  // by user id

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// One place turns an API error into a line and an exit code for every subcommand.
int fail(Account& account, std::ostream& err, const Error& error) {
  if (error.kind == ErrorKind::revoked) {
    account.drop_cached_token();  // the next command exchanges afresh
    report_line(err, error.message + "; run 'squadcast-credential login' again");
    return exit_revoked;
  }
  report_error(err, error);
  return exit_code_for(error.kind);
}

// Everything a subcommand needs: who is asking and a client with their access token.
struct Session {
  Identity caller;
  std::optional<TokenAdminClient> client;
};

std::optional<int> open_session(Account& account, std::ostream& err, Session& session) {
  auto grant = account.access_token();
  if (!grant) {
    report_error(err, grant.error());
    return exit_code_for(grant.error().kind);
  }
  auto api = api_client_of(account);
  if (!api) {
    report_error(err, api.error());
    return exit_code_for(api.error().kind);
  }
  session.caller = grant.value().identity;
  session.client.emplace(api.value().endpoints, grant.value().access_token, api.value().http);
  return std::nullopt;
}

Result<Users> fetch_users(Session& session) {
  auto listed = session.client->list_users();
  if (!listed) return listed.error();
  Users users;
  for (auto& user : listed.value()) users.emplace(user.id, std::move(user));
  return users;
}

// The user with this email, or a not_found error that names the organisation searched.
Result<OrgUser> find_user(const Users& users, const std::string& email, const Identity& caller) {
  const std::string wanted = lower(email);
  for (const auto& [id, user] : users) {
    if (lower(user.email) == wanted) return user;
  }
  return Error{ErrorKind::not_found, "no user " + email + " in organisation " + caller.organization_id +
                                         " (the organisation of " + caller.email + ")"};
}

int fail_lookup(Account& account, std::ostream& err, const Error& error) {
  if (error.kind != ErrorKind::not_found) return fail(account, err, error);
  report_error(err, error);
  return exit_no_such_user;
}

std::string full_name(const OrgUser& user) {
  if (user.last_name.empty()) return user.first_name;
  return user.first_name.empty() ? user.last_name : user.first_name + " " + user.last_name;
}

std::string date_of(std::int64_t unix_seconds) { return unix_seconds > 0 ? format_utc(unix_seconds).substr(0, 10) : "-"; }

std::int64_t now() { return static_cast<std::int64_t>(::time(nullptr)); }

nlohmann::json token_json(const TokenRecord& token, const Users& users, std::int64_t at) {
  auto user = users.find(token.user_id);
  nlohmann::json row = {{"id", token.id},
                        {"fingerprint", token.fingerprint},
                        {"user_id", token.user_id},
                        {"email", user != users.end() ? user->second.email : ""},
                        {"name", user != users.end() ? full_name(user->second) : ""},
                        {"role", user != users.end() ? user->second.role : ""},
                        {"last_refresh", token.last_refresh},
                        {"last_refresh_utc", token.last_refresh > 0 ? format_utc(token.last_refresh) : ""},
                        {"last_refresh_age", describe_age(token.last_refresh, at)},
                        {"rate_limit", token.rate_limit},
                        {"state", token.deleted ? "deleted" : "active"}};
  return row;
}

void print_table(std::ostream& out, const std::vector<nlohmann::json>& rows) {
  const std::vector<std::string> titles = {"ID",   "FINGERPRINT",  "EMAIL",      "NAME",
                                           "ROLE", "LAST REFRESH", "RATE LIMIT", "STATE"};
  std::vector<std::vector<std::string>> cells;
  cells.reserve(rows.size());
  for (const auto& row : rows) {
    const auto text = [&row](const char* key) { return row.at(key).get<std::string>(); };
    const auto refreshed = row.at("last_refresh").get<std::int64_t>();
    const auto limit = row.at("rate_limit").get<std::int64_t>();
    cells.push_back({text("id"), text("fingerprint"), text("email"), text("name"), text("role"),
                     refreshed > 0 ? date_of(refreshed) + " (" + text("last_refresh_age") + ")" : "never",
                     limit > 0 ? std::to_string(limit) + "/min" : "-", text("state")});
  }
  std::vector<std::size_t> widths(titles.size());
  for (std::size_t i = 0; i < titles.size(); ++i) widths[i] = titles[i].size();
  for (const auto& line : cells)
    for (std::size_t i = 0; i < line.size(); ++i) widths[i] = std::max(widths[i], line[i].size());
  auto print_line = [&](const std::vector<std::string>& line) {
    for (std::size_t i = 0; i < line.size(); ++i) {
      out << line[i];
      if (i + 1 < line.size()) out << std::string(widths[i] - line[i].size() + 2, ' ');
    }
    out << '\n';
  };
  print_line(titles);
  for (const auto& line : cells) print_line(line);
}

int list(const CommandLine& command, Account& account, std::ostream& out, std::ostream& err) {
  if (command.operands.size() != 1) {
    report_line(err, "tokens list takes no operands; use --user EMAIL (see --help)");
    return exit_usage;
  }
  Session session;
  if (auto code = open_session(account, err, session)) return *code;
  auto users = fetch_users(session);
  if (!users) return fail(account, err, users.error());
  std::optional<OrgUser> only;
  if (command.user_email) {
    auto user = find_user(users.value(), *command.user_email, session.caller);
    if (!user) return fail_lookup(account, err, user.error());
    only = user.value();
  }
  auto tokens = session.client->list_tokens();
  if (!tokens) return fail(account, err, tokens.error());
  const std::int64_t at = now();
  std::vector<nlohmann::json> rows;
  for (const TokenRecord& token : tokens.value()) {
    if (only && token.user_id != only->id) continue;
    rows.push_back(token_json(token, users.value(), at));
  }
  if (command.json) {
    nlohmann::json doc = {{"organization_id", session.caller.organization_id}, {"tokens", rows}};
    out << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  } else {
    print_table(out, rows);
  }
  out.flush();
  return exit_ok;
}

int assign(const CommandLine& command, Account& account, std::ostream& out, std::ostream& err) {
  // The secret must never land on a terminal by accident: the delivery is always explicit.
  if (command.output_path.has_value() == command.print) {
    report_line(err, "tokens assign needs exactly one of --output FILE (a new 0600 file) or --print (stdout, once)");
    return exit_usage;
  }
  if (command.operands.size() != 2) {
    report_line(err, "usage: tokens assign EMAIL (--output FILE | --print)");
    return exit_usage;
  }
  const std::string& email = command.operands[1];
  // Reserved before the token exists: an existing file or a symlink costs no orphan token.
  std::optional<NewPrivateFile> file;
  if (command.output_path) {
    auto created = NewPrivateFile::create(*command.output_path);
    if (!created) {
      report_error(err, created.error());
      return exit_usage;
    }
    file.emplace(std::move(created).value());
  }
  Session session;
  if (auto code = open_session(account, err, session)) return *code;
  auto users = fetch_users(session);
  if (!users) return fail(account, err, users.error());
  auto user = find_user(users.value(), email, session.caller);
  if (!user) return fail_lookup(account, err, user.error());
  auto created = session.client->create_token(user.value().id);
  if (!created) return fail(account, err, created.error());
  const TokenRecord& record = created.value().record;
  const std::string what = "token " + record.id + " (fingerprint " + record.fingerprint + ") for " +
                           user.value().email;
  if (file) {
    std::string line;
    line.reserve(created.value().token.size() + 1);
    line.append(created.value().token.reveal()).push_back('\n');
    Status written = file->commit(line);
    wipe_string(line);
    if (!written) {
      // Nobody can have the value: take the token back rather than leave it live.
      auto undone = session.client->revoke_token(record.id);
      report_line(err, written.error().message + "; " +
                           (undone ? "the new token was revoked again" : "revoke " + record.id + " by hand"));
      return exit_code_for(written.error().kind);
    }
    out << "Created " << what << "; written to " << file->path() << " (mode 0600).\n";
  } else {
    out << created.value().token.reveal() << '\n';
    report_line(err, "created " + what + "; it is not shown again");
  }
  out.flush();
  return exit_ok;
}

std::string describe_token(const TokenRecord& token, const Users& users) {
  auto user = users.find(token.user_id);
  std::string owner = user != users.end() ? user->second.email : "user " + token.user_id;
  return token.id + " (fingerprint " + (token.fingerprint.empty() ? "-" : token.fingerprint) + ", " + owner + ")";
}

int revoke(const CommandLine& command, Account& account, std::ostream& out, std::ostream& err) {
  std::vector<std::string> ids(command.operands.begin() + 1, command.operands.end());
  if (ids.empty() != command.user_email.has_value()) {
    report_line(err, "tokens revoke needs token ids or --user EMAIL (not both)");
    return exit_usage;
  }
  Session session;
  if (auto code = open_session(account, err, session)) return *code;
  auto users = fetch_users(session);
  if (!users) return fail(account, err, users.error());
  auto tokens = session.client->list_tokens();
  if (!tokens) return fail(account, err, tokens.error());

  std::vector<TokenRecord> targets;
  std::string whose;
  if (command.user_email) {
    auto user = find_user(users.value(), *command.user_email, session.caller);
    if (!user) return fail_lookup(account, err, user.error());
    whose = user.value().email;
    for (const TokenRecord& token : tokens.value())
      if (token.user_id == user.value().id && !token.deleted) targets.push_back(token);
    if (targets.empty()) {
      out << whose << " has no active tokens; nothing to revoke.\n";
      return exit_ok;
    }
  } else {
    for (const std::string& id : ids) {
      auto known = std::find_if(tokens.value().begin(), tokens.value().end(),
                                [&](const TokenRecord& token) { return token.id == id; });
      TokenRecord target;
      if (known != tokens.value().end()) target = *known;
      else target.id = id;  // unknown here: the server says whether it is gone
      targets.push_back(target);
    }
  }
  if (!command.yes) {
    std::string question = "Revoke " + std::to_string(targets.size()) + " token(s)" +
                           (whose.empty() ? "" : " of " + whose) + ":";
    for (const TokenRecord& token : targets) question += "\n  " + describe_token(token, users.value());
    question += "\nEvery access token made from them stops working. Revoke? [y/N] ";
    auto confirmed = confirm_on_tty(question);
    if (!confirmed) {
      report_error(err, confirmed.error());
      return exit_usage;
    }
    if (!confirmed.value()) {
      out << "Nothing revoked.\n";
      return exit_ok;
    }
  }
  for (const TokenRecord& token : targets) {
    if (token.deleted) {
      out << "Already gone: " << describe_token(token, users.value()) << '\n';
      continue;
    }
    auto outcome = session.client->revoke_token(token.id);
    if (!outcome) {
      out.flush();
      return fail(account, err, outcome.error());
    }
    out << (outcome.value() == RevokeOutcome::revoked ? "Revoked: " : "Already gone: ")
        << describe_token(token, users.value()) << '\n';
  }
  out.flush();
  return exit_ok;
}

using TokensSubcommand = int (*)(const CommandLine&, Account&, std::ostream&, std::ostream&);

struct TokensEntry {
  std::string_view name;
  TokensSubcommand run;
};

constexpr TokensEntry tokens_subcommands[] = {
    {"list", list},
    {"assign", assign},
    {"revoke", revoke},
};

}  // namespace

std::string describe_age(std::int64_t then, std::int64_t now) {
  if (then <= 0) return "never";
  const std::int64_t age = now - then;
  if (age < 60) return "just now";
  struct Unit {
    std::int64_t seconds;
    const char* name;
  };
  constexpr Unit units[] = {{365 * 86400, "year"}, {30 * 86400, "month"}, {86400, "day"}, {3600, "hour"}, {60, "minute"}};
  for (const Unit& unit : units) {
    if (age >= unit.seconds) {
      const std::int64_t n = age / unit.seconds;
      return std::to_string(n) + " " + unit.name + (n == 1 ? "" : "s") + " ago";
    }
  }
  return "just now";
}

int run_tokens_command(const CommandLine& command, Account& account, std::istream&, std::ostream& out,
                       std::ostream& err) {
  const std::string sub = command.operands.empty() ? "" : command.operands.front();
  for (const TokensEntry& entry : tokens_subcommands) {
    if (entry.name == sub) return entry.run(command, account, out, err);
  }
  report_line(err, sub.empty() ? "which tokens command? list, assign or revoke (see --help)"
                               : "unknown tokens command '" + sub + "'; list, assign or revoke (see --help)");
  return exit_usage;
}

}  // namespace squadcast::helper
