// pam_squadcast.so through the real libpam (pam_wrapper), local users from nss_wrapper,
// Squadcast from the emulator. A scenario is a row. Outages, timeouts and the offline
// grace are in pam_network_test.cpp.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "emulator_fixture.hpp"
#include "pam_module_args.hpp"
#include "pam_test_env.hpp"

using squadcast::test::account_only;
using squadcast::test::acme;
using squadcast::test::auth_and_account;
using squadcast::test::base_args;
using squadcast::test::Emulator;
using squadcast::test::PamTestEnv;
using squadcast::test::run_account_only;
using squadcast::test::run_pam;

namespace {

const std::string set_items = "/usr/lib/x86_64-linux-gnu/pam_wrapper/pam_set_items.so";

struct Row {
  const char* name;
  const char* args;  // appended to the base arguments
  const char* user;
  const char* token_id;  // a seeded token id, or "=literal" for a literal answer
  int auth;
  int account;  // checked only when auth succeeded
};

std::string answer_for(Emulator& emu, const Row& row) {
  std::string id = row.token_id;
  return id.starts_with("=") ? id.substr(1) : emu.refresh_token(id);
}

}  // namespace

TEST_CASE("auth and account decisions", "[auth]") {
  Emulator emu;
  PamTestEnv env;
  emu.revoke("tok-admin-short");
  const std::string org = std::string("org_id=") + acme;
  const Row rows[] = {
      {"admin with min_role=admin", "min_role=admin", "alice", "tok-admin", PAM_SUCCESS, PAM_SUCCESS},
      {"owner satisfies admin", "min_role=admin", "olivia", "tok-owner", PAM_SUCCESS, PAM_SUCCESS},
      {"user-role token", "min_role=admin", "bob", "tok-user", PAM_PERM_DENIED, 0},
      {"user-role token, min_role=user", "min_role=user", "bob", "tok-user", PAM_SUCCESS, PAM_SUCCESS},
      {"revoked token", "min_role=admin", "alice", "tok-admin-short", PAM_AUTH_ERR, 0},
      {"other organisation", "min_role=admin", "eve", "tok-globex-admin", PAM_PERM_DENIED, 0},
      {"someone else's token", "min_role=user", "bob", "tok-admin", PAM_PERM_DENIED, 0},
      {"garbage", "min_role=admin", "alice", "=not a token \t at all", PAM_AUTH_ERR, 0},
      {"unknown hex token", "min_role=admin", "alice", "=0123456789abcdef0123456789abcdef", PAM_AUTH_ERR, 0},
      {"empty input", "min_role=admin", "alice", "=", PAM_AUTH_ERR, 0},
      {"ability present", "min_role=admin require_ability=manage-users", "alice", "tok-admin", PAM_SUCCESS, PAM_SUCCESS},
      {"ability missing", "min_role=admin require_ability=manage-billing", "alice", "tok-admin", PAM_PERM_DENIED, 0},
      {"email mapping has no local user", "min_role=admin user_map=email", "alice", "tok-admin", PAM_USER_UNKNOWN, 0},
  };
  int n = 0;
  for (const auto& row : rows) {
    INFO(row.name);
    auto service = env.service("sq-auth-" + std::to_string(n++), auth_and_account,
                               base_args(emu, env, org + " cache_ttl=0 " + row.args));
    auto result = run_pam(service, row.user, {answer_for(emu, row)}, true);
    CHECK(result.auth == row.auth);
    if (row.auth == PAM_SUCCESS) CHECK(result.account == row.account);
  }
}

TEST_CASE("configuration errors fail closed", "[auth]") {
  Emulator emu;
  PamTestEnv env;
  const std::string org = std::string("org_id=") + acme;
  const char* bad[] = {"min_role=admn " , "min_rol=admin ", "timeout=0 ", "user_map=localpart ", "any_org ",
                       "min_role=admin min_role=stakeholder ", "cache_ttl=0 cache_ttl=0 "};
  int n = 0;
  for (const char* args : bad) {
    INFO(args);
    // any_org together with org_id contradicts; repeats are refused; the others are typos.
    auto service = env.service("sq-conf-" + std::to_string(n++), auth_and_account, base_args(emu, env, org + " " + args));
    CHECK(run_pam(service, "alice", {emu.refresh_token("tok-admin")}, false).auth == PAM_SERVICE_ERR);
  }
  // any_org: anyone can found an organisation and choose its emails, so only an explicit
  // email-to-user file may map them (eve@globex.test used to become the local eve).
  const auto globex = emu.refresh_token("tok-globex-admin");
  auto any_org_localpart = env.service("sq-conf-any-org", auth_and_account, base_args(emu, env, "any_org min_role=admin"));
  CHECK(run_pam(any_org_localpart, "eve", {globex}, false).auth == PAM_SERVICE_ERR);
  const std::string user_list = env.root() + "/users.map";
  std::ofstream(user_list) << "eve@globex.test eve\n";
  ::chmod(user_list.c_str(), 0644);
  auto any_org_file = env.service("sq-conf-any-org-file", auth_and_account,
                                  base_args(emu, env, "any_org min_role=admin cache_ttl=0 user_map=file:" + user_list));
  CHECK(run_pam(any_org_file, "eve", {globex}, false).auth == PAM_SUCCESS);

  // A stored token proves nothing about who asks: user_store in auth is a configuration
  // error, even when the store holds a good token (it used to log anyone in as alice).
  env.write_user_store("alice", emu.refresh_token("tok-admin"));
  const long exchanges_before = emu.counter("exchange");
  auto store_in_auth = env.service("sq-conf-store-auth", auth_and_account,
                                   base_args(emu, env, org + " min_role=admin token_source=user_store"));
  CHECK(run_pam(store_in_auth, "alice", {}, false).auth == PAM_SERVICE_ERR);
  CHECK(run_pam(store_in_auth, "alice", {"x"}, false).auth == PAM_SERVICE_ERR);
  CHECK(emu.counter("exchange") == exchanges_before);  // refused before any token was read or sent
  auto missing_org = env.service("sq-conf-no-org", auth_and_account, base_args(emu, env, "min_role=admin"));
  CHECK(run_pam(missing_org, "alice", {emu.refresh_token("tok-admin")}, false).auth == PAM_SERVICE_ERR);

  std::string config = env.root() + "/pam_squadcast.conf";
  std::ofstream(config) << "# from a file\norg_id = " << acme << "\nmin_role = admin\nauth_url=" << emu.url()
                        << "\napi_url=" << emu.url() << "\nca_file=" << emu.ca_file() << "\n";
  ::chmod(config.c_str(), 0644);
  auto from_file = env.service("sq-conf-file", auth_and_account, "config=" + config + " cache_dir=" + env.cache_dir());
  CHECK(run_pam(from_file, "alice", {emu.refresh_token("tok-admin")}, true).auth == PAM_SUCCESS);
  CHECK(run_pam(from_file, "bob", {emu.refresh_token("tok-user")}, false).auth == PAM_PERM_DENIED);
  // The line may not repeat what the file says (it used to win silently: bob got in).
  auto lowered = env.service("sq-conf-file-repeat", auth_and_account,
                             "config=" + config + " cache_dir=" + env.cache_dir() + " min_role=stakeholder");
  CHECK(run_pam(lowered, "bob", {emu.refresh_token("tok-user")}, false).auth == PAM_SERVICE_ERR);
  ::chmod(config.c_str(), 0666);  // writable by others: refused
  CHECK(run_pam(from_file, "alice", {emu.refresh_token("tok-admin")}, false).auth == PAM_SERVICE_ERR);
}

TEST_CASE("an unusable cache_dir is a warning once per call, and is not used", "[cache]") {
  Emulator emu;
  PamTestEnv env;
  const auto admin = emu.refresh_token("tok-admin");
  const std::string loose = env.root() + "/loose-cache";
  std::filesystem::create_directory(loose);
  ::chmod(loose.c_str(), 0755);  // open to others: nothing in it can be trusted
  // No debug option: the warning must not depend on it.
  auto service = env.service("sq-loose-cache", auth_and_account,
                             "auth_url=" + emu.url() + " api_url=" + emu.url() + " ca_file=" + emu.ca_file() +
                                 " cache_dir=" + loose + " timeout=5 org_id=" + acme + " min_role=admin cache_ttl=300");
  std::string log;
  {
    squadcast::test::ModuleLogCapture capture;
    CHECK(run_pam(service, "alice", {admin}, false).auth == PAM_SUCCESS);  // decided without the cache
    CHECK(run_pam(service, "alice", {admin}, false).auth == PAM_SUCCESS);
    log = capture.text();
  }
  INFO(log);
  std::size_t warnings = 0;
  for (auto at = log.find("is unusable"); at != std::string::npos; at = log.find("is unusable", at + 1)) ++warnings;
  CHECK(warnings == 2);  // once per call
  CHECK(log.find("debug:") == std::string::npos);
  CHECK(emu.counter("exchange") == 2);                                   // nothing was cached...
  CHECK(std::filesystem::is_empty(loose));                               // ...or written there
}

TEST_CASE("a cache_dir inside a directory others may write is not used", "[cache]") {
  // Whoever can write the parent can rename root's 0700 cache directory away and put a
  // symlink in its place between our check and our open: the whole chain must be safe.
  Emulator emu;
  PamTestEnv env;
  const auto admin = emu.refresh_token("tok-admin");
  const std::string open_parent = env.root() + "/shared";
  std::filesystem::create_directory(open_parent);
  ::chmod(open_parent.c_str(), 0777);  // writable by everyone, and not sticky
  const std::string cache = open_parent + "/cache";
  auto service = env.service("sq-open-parent", auth_and_account,
                             "auth_url=" + emu.url() + " api_url=" + emu.url() + " ca_file=" + emu.ca_file() +
                                 " cache_dir=" + cache + " timeout=5 org_id=" + acme + " min_role=admin cache_ttl=300");
  std::string log;
  {
    squadcast::test::ModuleLogCapture capture;
    CHECK(run_pam(service, "alice", {admin}, false).auth == PAM_SUCCESS);  // decided without the cache
    CHECK(run_pam(service, "alice", {admin}, false).auth == PAM_SUCCESS);
    log = capture.text();
  }
  INFO(log);
  CHECK(log.find("is unusable") != std::string::npos);
  CHECK(emu.counter("exchange") == 2);  // nothing was cached...
  CHECK((!std::filesystem::exists(cache) || std::filesystem::is_empty(cache)));  // ...or written there
}

TEST_CASE("the cache saves exchanges", "[cache]") {
  Emulator emu;
  PamTestEnv env;
  const auto admin = emu.refresh_token("tok-admin");
  auto service = env.service("sq-cache", auth_and_account,
                             base_args(emu, env, "org_id=" + std::string(acme) + " min_role=admin cache_ttl=300"));

  SECTION("a second login within cache_ttl needs no exchange") {
    CHECK(run_pam(service, "alice", {admin}, true).auth == PAM_SUCCESS);
    CHECK(run_pam(service, "alice", {admin}, true).auth == PAM_SUCCESS);
    CHECK(emu.counter("exchange") == 1);
    // The cached identity is checked again: the same token for another user is refused.
    CHECK(run_pam(service, "bob", {admin}, false).auth == PAM_PERM_DENIED);
    // The cache directory is private.
    struct stat st {};
    REQUIRE(::stat(env.cache_dir().c_str(), &st) == 0);
    CHECK((st.st_mode & 077) == 0);
  }
  SECTION("concurrent logins with the same token cause one exchange") {
    emu.fault("exchange", 1, "none", 0, "", 700);  // slow the first exchange so the others queue behind it
    std::vector<pid_t> children;
    for (int i = 0; i < 4; ++i) {
      pid_t pid = ::fork();
      if (pid == 0) ::_exit(run_pam(service, "alice", {admin}, false).auth == PAM_SUCCESS ? 0 : 1);
      children.push_back(pid);
    }
    int ok = 0;
    for (pid_t pid : children) {
      int status = 0;
      ::waitpid(pid, &status, 0);
      ok += WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    CHECK(ok == 4);
    CHECK(emu.counter("exchange") == 1);
  }
}

TEST_CASE("use_first_pass and try_first_pass behind a stacked module", "[stacked]") {
  Emulator emu;
  PamTestEnv env;
  const auto admin = emu.refresh_token("tok-admin");
  const std::string args = "org_id=" + std::string(acme) + " min_role=admin cache_ttl=0 ";
  auto use_first = env.service("sq-use-first", {"auth required " + set_items, "auth required @MODULE@ @ARGS@"},
                               base_args(emu, env, args + "use_first_pass"));
  auto try_first = env.service("sq-try-first", {"auth required " + set_items, "auth required @MODULE@ @ARGS@"},
                               base_args(emu, env, args + "try_first_pass"));

  ::setenv("PAM_AUTHTOK", admin.c_str(), 1);
  CHECK(run_pam(use_first, "alice", {}, false).auth == PAM_SUCCESS);        // no prompt needed
  CHECK(run_pam(try_first, "alice", {}, false).auth == PAM_SUCCESS);        // token-shaped: used
  ::setenv("PAM_AUTHTOK", "hunter2", 1);                                    // a Unix password
  CHECK(run_pam(use_first, "alice", {admin}, false).auth == PAM_AUTH_ERR);  // sent, refused, never prompts
  CHECK(run_pam(try_first, "alice", {admin}, false).auth == PAM_SUCCESS);   // not sent; prompts instead
  ::unsetenv("PAM_AUTHTOK");
  CHECK(run_pam(use_first, "alice", {admin}, false).auth == PAM_AUTH_ERR);  // nothing stacked
}

TEST_CASE("account phase with token_source=user_store", "[account]") {
  Emulator emu;
  PamTestEnv env;
  const auto service = env.service("sq-store", account_only,
                                   base_args(emu, env, "org_id=" + std::string(acme) + " min_role=admin cache_ttl=0 token_source=user_store"));
  const auto admin = emu.refresh_token("tok-admin");
  const auto store = env.home("alice") + "/.config/squadcast/credentials";

  env.write_user_store("alice", admin);
  CHECK(run_account_only(service, "alice") == PAM_SUCCESS);
  env.write_user_store("bob", emu.refresh_token("tok-user"));
  CHECK(run_account_only(service, "bob") == PAM_PERM_DENIED);     // role too low
  env.write_user_store("mallory", admin);
  CHECK(run_account_only(service, "mallory") == PAM_PERM_DENIED);  // alice's token
  CHECK(run_account_only(service, "nobody-here") == PAM_USER_UNKNOWN);
  CHECK(run_account_only(service, "olivia") == PAM_PERM_DENIED);   // no store at all

  // Without a prior auth in this handle and without user_store there is nothing to go on.
  auto prompt_only = env.service("sq-store-prompt", account_only,
                                 base_args(emu, env, "org_id=" + std::string(acme) + " min_role=admin"));
  CHECK(run_account_only(prompt_only, "alice") == PAM_PERM_DENIED);

  struct Refusal {
    const char* name;
    void (*spoil)(const std::string& path, const PamTestEnv& env);
    bool needs_root;
  };
  const Refusal refusals[] = {
      {"group readable", [](const std::string& p, const PamTestEnv&) { ::chmod(p.c_str(), 0640); }, false},
      {"world readable", [](const std::string& p, const PamTestEnv&) { ::chmod(p.c_str(), 0604); }, false},
      {"symlink", [](const std::string& p, const PamTestEnv& e) {
         auto target = e.home("alice") + "/real-credentials";
         std::filesystem::rename(p, target);
         std::filesystem::create_symlink(target, p);
       }, false},
      {"over 64 KiB", [](const std::string& p, const PamTestEnv&) {
         std::ofstream(p, std::ios::app) << std::string(70 * 1024, ' ');
       }, false},
      {"owned by someone else", [](const std::string& p, const PamTestEnv& e) {
         if (::chown(p.c_str(), e.uid_of("bob"), e.uid_of("bob")) != 0) throw std::runtime_error("chown");
       }, true},
  };
  for (const auto& refusal : refusals) {
    INFO(refusal.name);
    if (refusal.needs_root && !PamTestEnv::is_root()) {
      WARN("SKIP: " << refusal.name << " needs root");
      continue;
    }
    env.write_user_store("alice", admin);
    REQUIRE(run_account_only(service, "alice") == PAM_SUCCESS);
    refusal.spoil(store, env);
    CHECK(run_account_only(service, "alice") == PAM_PERM_DENIED);
    std::filesystem::remove(store);
  }
}

TEST_CASE("no token reaches the log", "[log]") {
  Emulator emu;
  PamTestEnv env;
  emu.revoke("tok-admin-short");
  const std::vector<std::string> tokens = {emu.refresh_token("tok-admin"), emu.refresh_token("tok-user"),
                                           emu.refresh_token("tok-admin-short"), "0123456789abcdef0123456789abcdef"};
  auto service = env.service("sq-log", auth_and_account,
                             base_args(emu, env, "org_id=" + std::string(acme) + " min_role=admin cache_ttl=0"));
  std::string log;
  {
    squadcast::test::ModuleLogCapture capture;
    run_pam(service, "alice", {tokens[0]}, true);
    run_pam(service, "bob", {tokens[1]}, true);
    run_pam(service, "alice", {tokens[2]}, true);
    run_pam(service, "alice", {tokens[3]}, true);
    log = capture.text();
  }
  INFO(log);
  // The capture works: the decisions are there, with who and why.
  CHECK(log.find("user=alice email=alice@acme.test role=admin decision=allow") != std::string::npos);
  CHECK(log.find("user=bob email=bob@acme.test role=user decision=deny") != std::string::npos);
  CHECK(log.find("decision=deny") != std::string::npos);
  for (const auto& token : tokens) {
    CHECK(log.find(token) == std::string::npos);
    CHECK(log.find(token.substr(0, 12)) == std::string::npos);
  }
  CHECK(log.find("eyJ") == std::string::npos);  // no JWT (access token) either
}
