// squadcast-credential login/logout/token/status, driven as a process against the emulator.
#include <sys/stat.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "helper_sandbox.hpp"
#include "read_text.hpp"

using squadcast::helper::test::Finished;
using squadcast::helper::test::HelperSandbox;
using squadcast::test::Emulator;
using squadcast::test::read_text;

namespace {
const std::string revoked_line =
    "squadcast-credential: the refresh token for profile 'default' was revoked or is invalid; "
    "run 'squadcast-credential login' to store a new one\n";

}  // namespace

TEST_CASE("login --stdin validates, prints identity and expiry, and stores the token 0600") {
  Emulator emu;
  HelperSandbox box(emu);
  Finished login = box.login("tok-admin");
  CHECK(login.out.find("alice@acme.test") != std::string::npos);
  CHECK(login.out.find("admin") != std::string::npos);
  CHECK(login.out.find("valid until") != std::string::npos);
  struct stat st {};
  REQUIRE(::stat(box.credentials_file().c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(read_text(box.credentials_file()).find(emu.refresh_token("tok-admin")) != std::string::npos);
}

TEST_CASE("login refuses a revoked token and stores nothing") {
  Emulator emu;
  HelperSandbox box(emu);
  std::string token = emu.refresh_token("tok-user");
  box.secrets.push_back(token);
  emu.revoke("tok-user");
  Finished login = box.helper({"login", "--stdin"}, token + "\n");
  CHECK(login.code == 2);
  CHECK(login.err.rfind("squadcast-credential: ", 0) == 0);
  CHECK_FALSE(std::filesystem::exists(box.credentials_file()));
}

TEST_CASE("login without a terminal and without --stdin fails with a hint, never reading argv") {
  Emulator emu;
  HelperSandbox box(emu);
  Finished login = box.helper({"login"});
  CHECK(login.code == 4);
  CHECK(login.err.find("--stdin") != std::string::npos);
}

TEST_CASE("token prints an access token and a newline, then serves it from the cache") {
  Emulator emu;
  HelperSandbox box(emu);
  box.login("tok-admin");
  long exchanges = emu.counter("exchange");
  Finished first = box.helper({"token"});
  Finished second = box.helper({"token"});
  REQUIRE(first.code == 0);
  CHECK(first.out.size() > 20);
  CHECK(first.out.back() == '\n');
  CHECK(first.out == second.out);
  CHECK(emu.counter("exchange") == exchanges);  // login cached it
}

TEST_CASE("a cache hit needs neither the emulator, the store, D-Bus, libcurl nor glib") {
  Emulator emu;
  HelperSandbox box(emu);
  box.login("tok-admin");
  Finished online = box.helper({"token"});
  REQUIRE(online.code == 0);
  emu.stop();
  box.env["SQUADCAST_CREDENTIAL_BACKEND"] = "auto";
  box.env["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=" + box.home / "no-bus-here";
  box.env["LD_DEBUG"] = "libs";
  Finished offline = box.helper({"token"});
  CHECK(offline.code == 0);
  CHECK(offline.out == online.out);
  CHECK(offline.err.find("libcurl") == std::string::npos);
  CHECK(offline.err.find("libglib") == std::string::npos);
  CHECK(offline.err.find("libsecret") == std::string::npos);
  CHECK(offline.err.find("libdbus") == std::string::npos);
  box.env.erase("LD_DEBUG");
  Finished git = box.helper({"get"}, "protocol=https\nhost=" + box.host() + "\n\n", "git-credential-squadcast");
  CHECK(git.out.find("password=" + online.out) != std::string::npos);
}

TEST_CASE("status reports identity, role, organisation, store and cache, exit 0") {
  Emulator emu;
  HelperSandbox box(emu);
  box.login("tok-admin");
  Finished status = box.helper({"status"});
  CHECK(status.code == 0);
  CHECK(status.out.find("alice@acme.test") != std::string::npos);
  CHECK(status.out.find("admin") != std::string::npos);
  CHECK(status.out.find("5e8edb1f7e6f7d0001a1c0de") != std::string::npos);
  CHECK(status.out.find("store:        file") != std::string::npos);
  CHECK(status.out.find("cache:        hit") != std::string::npos);
  Finished json = box.helper({"status", "--json"});
  CHECK(json.code == 0);
  auto report = nlohmann::json::parse(json.out);
  CHECK(report["state"] == "valid");
  CHECK(report["email"] == "alice@acme.test");
  CHECK(report["role"] == "admin");
  CHECK(report["organization_id"] == "5e8edb1f7e6f7d0001a1c0de");
  CHECK(report["store"].get<std::string>().rfind("file", 0) == 0);
  CHECK(report["expires_at"].get<long>() > 0);
}

TEST_CASE("status exits 1 when not logged in") {
  Emulator emu;
  HelperSandbox box(emu);
  Finished status = box.helper({"status", "--json"});
  CHECK(status.code == 1);
  CHECK(nlohmann::json::parse(status.out)["state"] == "not_logged_in");
  CHECK(box.helper({"token"}).code == 1);
}

TEST_CASE("a revoked refresh token: exit 2, one clear line, and the cached token purged") {
  Emulator emu;
  HelperSandbox box(emu);
  emu.set_lifetime(200);  // below the 300 s minimum validity: every call exchanges
  box.login("tok-admin");
  emu.revoke("tok-admin");
  Finished token = box.helper({"token"});
  CHECK(token.code == 2);
  CHECK(token.out.empty());
  CHECK(token.err == revoked_line);
  CHECK(box.cache_entries() == 0);
  Finished status = box.helper({"status", "--json"});
  CHECK(status.code == 2);
  CHECK(nlohmann::json::parse(status.out)["state"] == "revoked");
  Finished git = box.helper({"get"}, "protocol=https\nhost=" + box.host() + "\n\n", "git-credential-squadcast");
  CHECK(git.out.empty());
  CHECK(git.err == revoked_line);
}

TEST_CASE("unreachable Squadcast: exit 3 and a different clear line") {
  Emulator emu;
  HelperSandbox box(emu);
  box.login("tok-admin");
  std::string url = emu.url();
  emu.stop();
  box.helper({"git", "erase"}, "protocol=https\nhost=" + box.host() + "\n\n");
  Finished token = box.helper({"token"});
  CHECK(token.code == 3);
  CHECK(token.err.rfind("squadcast-credential: cannot reach Squadcast at " + url + ": ", 0) == 0);
  CHECK(token.err.find("; your stored token is kept\n") != std::string::npos);
  CHECK(std::count(token.err.begin(), token.err.end(), '\n') == 1);
  CHECK(box.helper({"status"}).code == 3);
}

TEST_CASE("a refresh token rotated by the server is written back to the store") {
  Emulator emu;
  HelperSandbox box(emu);
  box.login("tok-admin");
  std::string original = emu.refresh_token("tok-admin");
  emu.set_rotation(true);
  box.helper({"git", "erase"}, "protocol=https\nhost=" + box.host() + "\n\n");
  Finished token = box.helper({"token"});
  REQUIRE(token.code == 0);
  std::string rotated = emu.refresh_token("tok-admin");
  box.secrets.push_back(rotated);
  CHECK(rotated != original);
  std::string stored = read_text(box.credentials_file());
  CHECK(stored.find(rotated) != std::string::npos);
  CHECK(stored.find(original) == std::string::npos);
  emu.set_rotation(false);
  box.helper({"git", "erase"}, "protocol=https\nhost=" + box.host() + "\n\n");
  CHECK(box.helper({"token"}).code == 0);
}

TEST_CASE("logout forgets the refresh token and the cached access token") {
  Emulator emu;
  HelperSandbox box(emu);
  box.login("tok-user");
  REQUIRE(box.cache_entries() == 1);
  Finished logout = box.helper({"logout"});
  CHECK(logout.code == 0);
  CHECK(box.cache_entries() == 0);
  CHECK(read_text(box.credentials_file()).find(emu.refresh_token("tok-user")) == std::string::npos);
  CHECK(box.helper({"token"}).code == 1);
}

TEST_CASE("SQUADCAST_REFRESH_TOKEN serves CI read-only") {
  Emulator emu;
  HelperSandbox box(emu);
  std::string token = emu.refresh_token("tok-user");
  box.secrets.push_back(token);
  box.env["SQUADCAST_CREDENTIAL_BACKEND"] = "auto";
  box.env["SQUADCAST_REFRESH_TOKEN"] = token;
  Finished status = box.helper({"status", "--json"});
  CHECK(status.code == 0);
  auto report = nlohmann::json::parse(status.out);
  CHECK(report["email"] == "bob@acme.test");
  CHECK(report["store"].get<std::string>().rfind("env", 0) == 0);
  CHECK(box.helper({"token"}).code == 0);
  CHECK(box.helper({"logout"}).code == 4);
  CHECK_FALSE(std::filesystem::exists(box.credentials_file()));
}

TEST_CASE("the file store refuses a group-readable credentials file and says why") {
  Emulator emu;
  HelperSandbox box(emu);
  box.login("tok-admin");
  box.helper({"git", "erase"}, "protocol=https\nhost=" + box.host() + "\n\n");
  ::chmod(box.credentials_file().c_str(), 0640);
  Finished token = box.helper({"token"});
  CHECK(token.code == 4);
  CHECK(token.out.empty());
  CHECK(token.err.rfind("squadcast-credential: ", 0) == 0);
  CHECK(token.err.find(box.credentials_file()) != std::string::npos);
}

TEST_CASE("the file store refuses a symlinked credentials file") {
  Emulator emu;
  HelperSandbox box(emu);
  box.login("tok-admin");
  box.helper({"git", "erase"}, "protocol=https\nhost=" + box.host() + "\n\n");
  std::string real = box.home / "elsewhere";
  std::filesystem::rename(box.credentials_file(), real);
  std::filesystem::create_symlink(real, box.credentials_file());
  Finished token = box.helper({"token"});
  CHECK(token.code == 4);
  CHECK(token.out.empty());
  CHECK(token.err.find("symlink") != std::string::npos);
}

TEST_CASE("--help and --version answer without configuration") {
  Emulator emu;
  HelperSandbox box(emu);
  Finished help = box.helper({"--help"});
  CHECK(help.code == 0);
  CHECK(help.out.find("login") != std::string::npos);
  Finished version = box.helper({"--version"});
  CHECK(version.code == 0);
  CHECK(version.out.rfind("squadcast-credential ", 0) == 0);
}

TEST_CASE("login prompts on the terminal without echoing the token") {
  std::string expect = squadcast::helper::test::find_program("expect");
  if (expect.empty()) {
    WARN("SKIP: expect is not installed");
    return;
  }
  Emulator emu;
  HelperSandbox box(emu);
  std::string token = emu.refresh_token("tok-user");
  box.secrets.push_back(token);
  box.env["SQUADCAST_TEST_TOKEN"] = token;  // expect reads it from its environment, not argv
  Finished session = box.program(
      {expect, "-c",
       "set timeout 20; spawn squadcast-credential login; expect \"refresh token: \"; "
       "send -- \"$env(SQUADCAST_TEST_TOKEN)\\r\"; expect eof; catch wait result; exit [lindex $result 3]"});
  INFO(session.out);
  CHECK(session.code == 0);
  CHECK(session.out.find("bob@acme.test") != std::string::npos);
  CHECK(session.out.find(token) == std::string::npos);
}
