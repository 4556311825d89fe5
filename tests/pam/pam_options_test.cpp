// The PAM-free core of the module: argument parsing, user mapping and the access policy.
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "access_policy.hpp"
#include "decision_cache.hpp"
#include "pam_options.hpp"
#include "user_mapping.hpp"

using namespace squadcast;
using namespace squadcast::pam;

namespace {

constexpr const char* acme = "5e8edb1f7e6f7d0001a1c0de";

Result<PamOptions> parse(std::vector<std::string> args, std::map<std::string, std::string> files = {}) {
  std::vector<std::string_view> views(args.begin(), args.end());
  return parse_pam_options(views, [files](const std::string& path) -> Result<std::string> {
    auto it = files.find(path);
    if (it == files.end()) return Error{ErrorKind::not_found, "no such file"};
    return it->second;
  });
}

LocalUsers users_named(std::vector<std::string> names, std::map<std::string, std::string> files = {}) {
  LocalUsers users;
  users.exists = [names](const std::string& n) { return std::find(names.begin(), names.end(), n) != names.end(); };
  users.read_file = [files](const std::string& path) -> Result<std::string> {
    auto it = files.find(path);
    if (it == files.end()) return Error{ErrorKind::not_found, "no such file"};
    return it->second;
  };
  return users;
}

Identity alice() { return {"u1", "alice@acme.test", "Alice", acme, "admin", {"manage-users"}}; }

}  // namespace

TEST_CASE("defaults") {
  auto o = parse({std::string("org_id=") + acme});
  REQUIRE(o.ok());
  CHECK(o.value().min_role == Role::user);
  CHECK(o.value().token_source == TokenSource::prompt);
  CHECK(o.value().timeout_seconds == 10);
  CHECK(o.value().cache_ttl_seconds == 300);
  CHECK(o.value().offline_grace_seconds == 0);
  CHECK(o.value().cache_dir == "/var/cache/squadcast-pam");
  CHECK(o.value().endpoints.auth_url == "https://auth.squadcast.com");
  CHECK(o.value().endpoints.api_url == "https://api.squadcast.com");
  CHECK_FALSE(o.value().debug);
}

TEST_CASE("every key parses") {
  auto o = parse({"region=eu", "org_id=5E8EDB1F7E6F7D0001A1C0DE", "min_role=account_owner",
                  "require_ability=manage-users, manage-teams", "user_map=file:/etc/squadcast/users",
                  "token_source=authtok", "prompt=Token please: ", "timeout=3", "cache_ttl=0", "offline_grace=600",
                  "cache_dir=/run/sq", "ca_file=/etc/ca.pem", "profile=work", "debug"});
  REQUIRE(o.ok());
  const auto& v = o.value();
  CHECK(v.org_id == acme);
  CHECK(v.min_role == Role::account_owner);
  CHECK(v.required_abilities == std::vector<std::string>{"manage-users", "manage-teams"});
  CHECK(v.user_map.kind == UserMapKind::file);
  CHECK(v.user_map.file == "/etc/squadcast/users");
  CHECK(v.token_source == TokenSource::authtok);
  CHECK(v.prompt == "Token please: ");
  CHECK(v.timeout_seconds == 3);
  CHECK(v.cache_ttl_seconds == 0);
  CHECK(v.offline_grace_seconds == 600);
  CHECK(v.endpoints.auth_url == "https://auth.eu.squadcast.com");
  CHECK(v.debug);
}

TEST_CASE("each option in the group where it proves something") {
  const std::string org = std::string("org_id=") + acme;
  auto store = parse({org, "token_source=user_store"}).value();
  auto auth = check_options_for_phase(store, PamPhase::auth);
  REQUIRE_FALSE(auth.ok());
  CHECK(auth.error().kind == ErrorKind::config);
  CHECK_THAT(auth.error().message, Catch::Contains("account group only"));
  CHECK(check_options_for_phase(store, PamPhase::account).ok());
  for (const char* source : {"token_source=prompt", "token_source=authtok"}) {
    INFO(source);
    auto typed = parse({org, source}).value();
    CHECK(check_options_for_phase(typed, PamPhase::auth).ok());
    CHECK(check_options_for_phase(typed, PamPhase::account).ok());  // account uses auth's result
  }
}

TEST_CASE("any_org only with an explicit email-to-user file") {
  auto o = parse({"any_org", "user_map=file:/etc/squadcast/users"});
  REQUIRE(o.ok());
  CHECK(o.value().any_org);
  CHECK(o.value().user_map.kind == UserMapKind::file);
}

TEST_CASE("proxy=: only the administrator's, never the environment's") {
  const std::string org = std::string("org_id=") + acme;
  CHECK(parse({org}).value().proxy.empty());  // default: direct
  CHECK(parse({org, "proxy=http://proxy.example:3128"}).value().proxy == "http://proxy.example:3128");
  CHECK(parse({org, "proxy=socks5h://127.0.0.1:1080"}).value().proxy == "socks5h://127.0.0.1:1080");
}

TEST_CASE("anything unknown or invalid is an error that says why") {
  const std::string org = std::string("org_id=") + acme;
  struct Row {
    std::vector<std::string> args;
    const char* says;
  } rows[] = {
      {{org, "min_role=admn"}, "min_role=admn"},
      {{org, "min_role="}, "min_role"},
      {{org, "minrole=admin"}, "unknown argument 'minrole'"},
      {{org, "timeout=0"}, "timeout"},
      {{org, "timeout=10s"}, "timeout"},
      {{org, "cache_ttl=-1"}, "cache_ttl"},
      {{org, "offline_grace=lots"}, "offline_grace"},
      {{org, "token_source=keyring"}, "token_source"},
      {{org, "user_map=localpart"}, "user_map"},
      {{org, "user_map=file:relative"}, "absolute"},
      {{org, "require_ability=Manage Users"}, "ability"},
      {{org, "region=ap"}, "region"},
      {{org, "debug=yes"}, "debug"},
      {{org, "cache_dir=relative"}, "cache_dir"},
      {{org, "auth_url=http://auth.example.com"}, ""},
      {{"org_id=acme"}, "24 hex"},
      {{"min_role=admin"}, "org_id is required"},
      {{org, "any_org"}, "contradict"},
      {{"any_org"}, "user_map=file:"},
      {{"any_org", "user_map=email_localpart"}, "user_map=file:"},
      {{"any_org", "user_map=email"}, "user_map=file:"},
      {{org, "use_first_pass", "try_first_pass"}, "contradict"},
      {{org, "token_source=user_store", "use_first_pass"}, "user_store"},
      {{org, "config=relative.conf"}, "absolute"},
      {{org, "proxy="}, "proxy"},
      {{org, "proxy=127.0.0.1:3128"}, "proxy"},
      {{org, "proxy=ftp://proxy.example:21"}, "proxy"},
  };
  for (const auto& row : rows) {
    INFO(row.args.back());
    auto o = parse(row.args);
    REQUIRE_FALSE(o.ok());
    CHECK(o.error().kind == ErrorKind::config);
    CHECK_THAT(o.error().message, Catch::Contains(row.says));
  }
}

TEST_CASE("config=FILE: same keys, one per line") {
  std::map<std::string, std::string> files = {
      {"/etc/sq.conf", "# comment\n\norg_id = 5e8edb1f7e6f7d0001a1c0de\nmin_role=admin\ndebug\n"},
      {"/etc/typo.conf", "org_id=5e8edb1f7e6f7d0001a1c0de\nmin_role=admni\n"},
      {"/etc/nested.conf", "config=/etc/sq.conf\n"},
  };
  auto o = parse({"config=/etc/sq.conf", "timeout=4"}, files);
  REQUIRE(o.ok());
  CHECK(o.value().min_role == Role::admin);
  CHECK(o.value().debug);
  CHECK(o.value().timeout_seconds == 4);

  auto typo = parse({"config=/etc/typo.conf"}, files);
  REQUIRE_FALSE(typo.ok());
  CHECK_THAT(typo.error().message, Catch::Contains("/etc/typo.conf:2"));
  CHECK_FALSE(parse({"config=/etc/nested.conf"}, files).ok());
  CHECK_FALSE(parse({"config=/etc/missing.conf"}, files).ok());
}

TEST_CASE("an option given twice is a configuration error, never 'the last one wins'") {
  const std::string org = std::string("org_id=") + acme;
  std::map<std::string, std::string> files = {
      {"/etc/sq.conf", "org_id = 5e8edb1f7e6f7d0001a1c0de\nmin_role = admin\n"},
      {"/etc/twice.conf", "org_id = 5e8edb1f7e6f7d0001a1c0de\nmin_role = admin\nmin_role = stakeholder\n"},
  };
  struct Row {
    const char* name;
    std::vector<std::string> args;
    const char* says;
  } rows[] = {
      {"twice on the line", {org, "min_role=admin", "min_role=stakeholder"}, "'min_role' is given more than once"},
      {"a flag twice", {org, "debug", "debug"}, "'debug'"},
      {"require_ability twice", {org, "require_ability=manage-users", "require_ability=manage-teams"}, "'require_ability'"},
      {"org_id twice", {org, org}, "'org_id'"},
      {"file, then the line", {"config=/etc/sq.conf", "min_role=stakeholder"}, "'min_role'"},
      {"the line, then the file", {"min_role=stakeholder", "config=/etc/sq.conf"}, "/etc/sq.conf:2: 'min_role'"},
      {"twice in the file", {"config=/etc/twice.conf"}, "/etc/twice.conf:3: 'min_role'"},
      {"two config files", {"config=/etc/sq.conf", "config=/etc/sq.conf"}, "'config'"},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    auto o = parse(row.args, files);
    REQUIRE_FALSE(o.ok());
    CHECK(o.error().kind == ErrorKind::config);
    CHECK_THAT(o.error().message, Catch::Contains(row.says));
  }
  // Different keys from the file and the line combine.
  auto combined = parse({"config=/etc/sq.conf", "timeout=4", "debug"}, files);
  REQUIRE(combined.ok());
  CHECK(combined.value().min_role == Role::admin);
  CHECK(combined.value().timeout_seconds == 4);
}

TEST_CASE("policy: organisation, role, abilities, mapping, in that order") {
  auto o = parse({std::string("org_id=") + acme, "min_role=admin", "require_ability=manage-users"}).value();
  auto users = users_named({"alice", "bob"});

  CHECK(evaluate_access(o, alice(), "alice", users).verdict == Verdict::allow);

  auto other_org = alice();
  other_org.organization_id = "5f1d2c3b4a5968778695a4b3";
  CHECK_THAT(evaluate_access(o, other_org, "alice", users).reason, Catch::Contains("organisation"));

  auto user_role = alice();
  user_role.role = "user";
  CHECK(evaluate_access(o, user_role, "alice", users).verdict == Verdict::deny);
  auto odd_role = alice();
  odd_role.role = "superadmin";  // unknown never satisfies
  CHECK(evaluate_access(o, odd_role, "alice", users).verdict == Verdict::deny);

  auto no_ability = alice();
  no_ability.abilities.clear();
  CHECK_THAT(evaluate_access(o, no_ability, "alice", users).reason, Catch::Contains("manage-users"));

  CHECK(evaluate_access(o, alice(), "bob", users).verdict == Verdict::deny);
  CHECK(evaluate_access(o, alice(), "alice", users_named({"bob"})).verdict == Verdict::user_unknown);
}

TEST_CASE("user mapping") {
  UserMap localpart{UserMapKind::email_localpart, {}};
  UserMap email{UserMapKind::email, {}};
  UserMap file{UserMapKind::file, "/etc/map"};
  auto users = users_named({"alice", "ops-admin", "alice@acme.test"},
                           {{"/etc/map", "# email user\nAlice@Acme.test  ops-admin\nbob@acme.test:bobby\n"}});
  CHECK(map_email_to_local_user(localpart, "Alice@acme.test", users).value() == "alice");
  CHECK(map_email_to_local_user(email, "alice@acme.test", users).value() == "alice@acme.test");
  CHECK(map_email_to_local_user(file, "alice@acme.test", users).value() == "ops-admin");
  CHECK(map_email_to_local_user(file, "bob@acme.test", users).error().kind == ErrorKind::not_found);  // no bobby
  CHECK(map_email_to_local_user(file, "eve@globex.test", users).error().kind == ErrorKind::not_found);
  CHECK(map_email_to_local_user(localpart, "@acme.test", users).error().kind == ErrorKind::not_found);
  CHECK(map_email_to_local_user(UserMap{UserMapKind::file, "/etc/nomap"}, "alice@acme.test", users).error().kind ==
        ErrorKind::config);
}

TEST_CASE("decision cache entries round-trip and age") {
  CachedDecision entry{alice(), 1000};
  auto parsed = parse_decision(serialize_decision(entry));
  REQUIRE(parsed);
  CHECK(parsed->identity.email == "alice@acme.test");
  CHECK(parsed->identity.abilities == std::vector<std::string>{"manage-users"});
  CHECK(is_within(*parsed, 1000, 300));
  CHECK(is_within(*parsed, 1299, 300));
  CHECK_FALSE(is_within(*parsed, 1300, 300));
  CHECK_FALSE(is_within(*parsed, 999, 300));  // clock went back
  CHECK_FALSE(parse_decision("{\"version\":2}"));
  CHECK_FALSE(parse_decision("not json"));
}

TEST_CASE("team and on-call options") {
  const std::string org = std::string("org_id=") + acme;
  auto defaults = parse({org});
  REQUIRE(defaults.ok());
  CHECK(defaults.value().required_teams.empty());
  CHECK(defaults.value().oncall_team.empty());
  CHECK(defaults.value().oncall_ttl_seconds == 60);
  CHECK(defaults.value().oncall_offline_grace_seconds == 0);

  auto o = parse({org, "require_team=payments, 5e8edb1f7e6f7d0001b20002", "require_oncall=payments/Payments primary",
                  "oncall_ttl=5", "oncall_offline_grace=900"});
  REQUIRE(o.ok());
  CHECK(o.value().required_teams == std::vector<std::string>{"payments", "5e8edb1f7e6f7d0001b20002"});
  CHECK(o.value().oncall_team == "payments");
  CHECK(o.value().oncall_schedule == "Payments primary");
  CHECK(o.value().oncall_ttl_seconds == 5);
  CHECK(o.value().oncall_offline_grace_seconds == 900);

  auto team_only = parse({org, "require_oncall=payments"});
  REQUIRE(team_only.ok());
  CHECK(team_only.value().oncall_schedule.empty());

  for (const char* bad : {"require_team=", "require_team=a,,b", "require_oncall=", "require_oncall=/x",
                          "require_oncall=payments/", "require_oncall=a/b/c", "oncall_ttl=-1", "oncall_ttl=abc",
                          "oncall_offline_grace=x"}) {
    INFO(bad);
    auto r = parse({org, bad});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::config);
  }
  CHECK_FALSE(parse({org, "require_oncall=a", "require_oncall=b"}).ok());  // contradictory: refused
  CHECK_FALSE(parse({org, "require_team=a", "require_team=b"}).ok());
}

TEST_CASE("decision cache entries keep the on-call reason") {
  CachedDecision entry{alice(), 1000, "on call: Payments primary (team payments)"};
  auto parsed = parse_decision(serialize_decision(entry));
  REQUIRE(parsed);
  CHECK(parsed->reason == entry.reason);
  auto plain = parse_decision(serialize_decision(CachedDecision{alice(), 1000}));
  REQUIRE(plain);
  CHECK(plain->reason.empty());
}

TEST_CASE("directory mode options: token_source=host in account only, with its own keys") {
  const std::string org = std::string("org_id=") + acme;
  auto o = parse({org, "token_source=host", "user_map=email_localpart", "email_domain=Acme.Test", "roster_ttl=30",
                  "host_token=/etc/squadcast/host-token-2", "require_oncall=payments"});
  REQUIRE(o.ok());
  CHECK(o.value().token_source == TokenSource::host);
  CHECK(o.value().email_domain == "acme.test");
  CHECK(o.value().roster_ttl_seconds == 30);
  CHECK(o.value().host_token == "/etc/squadcast/host-token-2");
  CHECK(check_options_for_phase(o.value(), PamPhase::account).ok());
  // The host's credential proves nothing about who is asking: never an auth source.
  CHECK(check_options_for_phase(o.value(), PamPhase::auth).error().kind == ErrorKind::config);

  auto defaults = parse({org, "token_source=host", "user_map=email"});
  REQUIRE(defaults.ok());
  CHECK(defaults.value().host_token == "/etc/squadcast/host-token");
  CHECK(defaults.value().roster_ttl_seconds == 60);

  struct Bad {
    std::vector<std::string> args;
    const char* says;
  };
  const Bad bad[] = {
      {{org, "token_source=host"}, "needs email_domain"},  // email_localpart is the default map
      {{org, "token_source=host", "user_map=email", "email_domain=acme.test"}, "email_domain= is for user_map=email_localpart"},
      {{org, "host_token=/etc/squadcast/host-token"}, "directory mode only"},
      {{org, "roster_ttl=60"}, "directory mode only"},
      {{org, "email_domain=acme.test"}, "directory mode only"},
      {{org, "token_source=host", "user_map=email", "roster_ttl=4"}, "roster_ttl=4"},
      {{org, "token_source=host", "user_map=email", "roster_ttl=3601"}, "roster_ttl=3601"},
      {{org, "token_source=host", "user_map=email", "host_token=relative"}, "absolute"},
      {{org, "token_source=host", "user_map=email", "oncall_ttl=30"}, "for token mode"},
      {{org, "token_source=host", "user_map=email", "cache_ttl=30"}, "for token mode"},
      {{org, "token_source=host", "user_map=email", "use_first_pass"}, "for token mode"},
      {{"any_org", "token_source=host", "user_map=file:/etc/squadcast/users"}, "use org_id="},
      {{org, "token_source=host", "user_map=email_localpart", "email_domain=not a domain"}, "expected a domain"},
  };
  for (const auto& row : bad) {
    CAPTURE(row.says);
    auto parsed = parse(row.args);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().kind == ErrorKind::config);
    CHECK(parsed.error().message.find(row.says) != std::string::npos);
  }
}

TEST_CASE("directory mode maps the PAM user to exactly one email") {
  const auto users = users_named({}, {{"/etc/squadcast/users", "# email user\n"
                                                               "alice@acme.test alice\n"
                                                               "Carol@Acme.Test: carol\n"
                                                               "dave@acme.test dave\n"
                                                               "dave@other.test dave\n"
                                                               "DAVE2@acme.test dave2\n"
                                                               "dave2@ACME.test dave2\n"}});
  const UserMap localpart{UserMapKind::email_localpart, {}};
  const UserMap email{UserMapKind::email, {}};
  const UserMap file{UserMapKind::file, "/etc/squadcast/users"};
  CHECK(map_local_user_to_email(localpart, "acme.test", "alice", users).value() == "alice@acme.test");
  CHECK(map_local_user_to_email(email, "", "alice@acme.test", users).value() == "alice@acme.test");
  CHECK(map_local_user_to_email(file, "", "alice", users).value() == "alice@acme.test");
  CHECK(map_local_user_to_email(file, "", "carol", users).value() == "carol@acme.test");
  // The same email twice in other case is one email; two emails for one user are ambiguous.
  CHECK(map_local_user_to_email(file, "", "dave2", users).value() == "dave2@acme.test");
  auto ambiguous = map_local_user_to_email(file, "", "dave", users);
  REQUIRE_FALSE(ambiguous.ok());
  CHECK(ambiguous.error().message.find("2 emails") != std::string::npos);
  CHECK(map_local_user_to_email(file, "", "mallory", users).error().kind == ErrorKind::not_found);
  CHECK(map_local_user_to_email(file, "", "Alice", users).error().kind == ErrorKind::not_found);  // byte-exact names
  CHECK(map_local_user_to_email(email, "", "alice", users).error().kind == ErrorKind::not_found);  // no '@'
  CHECK(map_local_user_to_email(email, "", "a@b@c", users).error().kind == ErrorKind::not_found);
  CHECK(map_local_user_to_email(localpart, "acme.test", "-rf", users).error().kind == ErrorKind::not_found);
  CHECK(map_local_user_to_email(file, "", "alice", users_named({})).error().kind == ErrorKind::config);  // unreadable map
}
