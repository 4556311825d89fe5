// squadcast-credential tokens list/assign/revoke, driven as a process against the emulator.
// Every run is also a hygiene check: no token value on stdout or stderr, except the one
// `assign --print` is asked to write.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "helper_sandbox.hpp"
#include "read_text.hpp"
#include "squadcast/sha256.hpp"

using squadcast::helper::test::Finished;
using squadcast::helper::test::HelperSandbox;
using squadcast::test::Emulator;
using squadcast::test::read_text;

namespace {

const char* const seeded_ids[] = {"tok-owner", "tok-admin", "tok-admin-short", "tok-user", "tok-stakeholder",
                                  "tok-globex-admin"};
const std::string org = "5e8edb1f7e6f7d0001a1c0de";

std::string fingerprint(const std::string& token) { return squadcast::sha256_hex(token).substr(0, 8); }

std::string id_after(const std::string& text, const std::string& marker) {
  auto at = text.find(marker);
  if (at == std::string::npos) return "";
  at += marker.size();
  return text.substr(at, text.find(' ', at) - at);
}

// A sandbox logged in as `token_id` that knows every token value of the emulator.
struct Owner {
  explicit Owner(Emulator& emu, const std::string& token_id = "tok-owner") : emu(emu), box(emu) {
    for (const char* id : seeded_ids) box.secrets.push_back(emu.refresh_token(id));
    box.login(token_id);
  }

  // Runs `squadcast-credential ARGS` and checks no known token value reached its output.
  Finished run(const std::vector<std::string>& args) {
    Finished finished = box.helper(args);
    check_clean(finished.out);
    return finished;
  }
  void check_clean(const std::string& text) const {
    for (const std::string& secret : box.secrets) {
      INFO("a token value was printed");
      CHECK(text.find(secret) == std::string::npos);
    }
  }
  nlohmann::json list_json() {
    Finished listed = run({"tokens", "list", "--json"});
    INFO(listed.err);
    REQUIRE(listed.code == 0);
    return nlohmann::json::parse(listed.out);
  }
  // `tokens assign EMAIL --print`, which must succeed; `id` is the new token's (not yet
  // remembered: the caller checks the output for the other tokens first).
  Finished assign_printed(const std::string& email, std::string& id) {
    Finished printed = box.helper({"tokens", "assign", email, "--print"});
    INFO(printed.err);
    REQUIRE(printed.code == 0);
    id = id_after(printed.err, "created token ");
    REQUIRE_FALSE(id.empty());
    return printed;
  }
  // Learns a token created by the command under test, so later outputs are checked for it.
  void remember(const std::string& token_id) { box.secrets.push_back(emu.refresh_token(token_id)); }

  Emulator& emu;
  HelperSandbox box;
};

nlohmann::json row_of(const nlohmann::json& listing, const std::string& id) {
  for (const auto& row : listing["tokens"]) {
    if (row["id"] == id) return row;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("tokens list shows every token of the organisation with user, fingerprint and state, never a value") {
  Emulator emu;
  Owner owner(emu);
  Finished table = owner.run({"tokens", "list"});
  INFO(table.err);
  REQUIRE(table.code == 0);
  CHECK(table.out.rfind("ID", 0) == 0);
  CHECK(table.out.find("FINGERPRINT") != std::string::npos);
  for (const char* id : {"tok-owner", "tok-admin", "tok-user", "tok-stakeholder"}) {
    CHECK(table.out.find(id) != std::string::npos);
    CHECK(table.out.find(fingerprint(emu.refresh_token(id))) != std::string::npos);
  }
  CHECK(table.out.find("tok-globex-admin") == std::string::npos);  // another organisation
  CHECK(table.out.find("Bob User") != std::string::npos);
  CHECK(table.out.find("1000/min") != std::string::npos);
  CHECK(table.out.find("just now") != std::string::npos);  // tok-owner exchanged at login

  auto listing = owner.list_json();
  CHECK(listing["organization_id"] == org);
  auto bob = row_of(listing, "tok-user");
  REQUIRE(bob.is_object());
  CHECK(bob["email"] == "bob@acme.test");
  CHECK(bob["name"] == "Bob User");
  CHECK(bob["role"] == "user");
  CHECK(bob["state"] == "active");
  CHECK(bob["rate_limit"] == 1000);
  CHECK(bob["last_refresh"] == 0);
  CHECK(bob["last_refresh_age"] == "never");
  CHECK(bob["fingerprint"] == fingerprint(emu.refresh_token("tok-user")));
  CHECK_FALSE(bob.contains("token"));
  CHECK(row_of(listing, "tok-owner")["last_refresh"].get<long>() > 0);
}

TEST_CASE("status shows the same fingerprint for the stored token as tokens list") {
  Emulator emu;
  Owner owner(emu);
  Finished status = owner.run({"status"});
  const std::string own = fingerprint(emu.refresh_token("tok-owner"));
  CHECK(status.out.find("fingerprint:  " + own) != std::string::npos);
  auto report = nlohmann::json::parse(owner.run({"status", "--json"}).out);
  CHECK(report["token_fingerprint"] == own);
  CHECK(row_of(owner.list_json(), "tok-owner")["fingerprint"] == own);
}

TEST_CASE("tokens list --user narrows to one user; an unknown email names the organisation searched") {
  Emulator emu;
  Owner owner(emu);
  Finished bob = owner.run({"tokens", "list", "--user", "bob@acme.test", "--json"});
  REQUIRE(bob.code == 0);
  auto rows = nlohmann::json::parse(bob.out)["tokens"];
  REQUIRE(rows.size() == 1);
  CHECK(rows[0]["id"] == "tok-user");

  Finished nobody = owner.run({"tokens", "list", "--user", "nobody@acme.test"});
  CHECK(nobody.code == 6);
  CHECK(nobody.out.empty());
  CHECK(nobody.err.find("no user nobody@acme.test in organisation " + org) != std::string::npos);
  CHECK(std::count(nobody.err.begin(), nobody.err.end(), '\n') == 1);
}

TEST_CASE("tokens assign --output writes a new working token into a new 0600 file") {
  Emulator emu;
  Owner owner(emu);
  const std::string path = owner.box.home / "bob.token";
  Finished assigned = owner.run({"tokens", "assign", "bob@acme.test", "--output", path});
  INFO(assigned.err);
  REQUIRE(assigned.code == 0);
  const std::string id = id_after(assigned.out, "Created token ");
  REQUIRE_FALSE(id.empty());
  owner.remember(id);
  owner.check_clean(assigned.out);
  struct stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(S_ISREG(st.st_mode));
  std::string value = read_text(path);
  REQUIRE(value.size() > 1);
  CHECK(value.back() == '\n');
  value.pop_back();
  CHECK(value == emu.refresh_token(id));
  auto row = row_of(owner.list_json(), id);
  CHECK(row["email"] == "bob@acme.test");
  CHECK(row["fingerprint"] == fingerprint(value));
  CHECK(assigned.out.find(fingerprint(value)) != std::string::npos);

  // The new token is Bob's: it logs in as him.
  HelperSandbox bob(emu);
  bob.secrets.push_back(value);
  Finished login = bob.helper({"login", "--stdin"}, value + "\n");
  CHECK(login.code == 0);
  CHECK(login.out.find("bob@acme.test") != std::string::npos);
}

TEST_CASE("tokens assign --output never overwrites a file or follows a symlink, and creates no token then") {
  Emulator emu;
  Owner owner(emu);
  const std::size_t before = owner.list_json()["tokens"].size();
  const std::string existing = owner.box.home / "existing";
  { std::ofstream(existing) << "keep me\n"; }
  Finished over = owner.run({"tokens", "assign", "bob@acme.test", "--output", existing});
  CHECK(over.code == 4);
  CHECK(over.err.find("already exists") != std::string::npos);
  CHECK(read_text(existing) == "keep me\n");

  const std::string target = owner.box.home / "target";
  const std::string link = owner.box.home / "link";
  REQUIRE(::symlink(target.c_str(), link.c_str()) == 0);
  Finished via_link = owner.run({"tokens", "assign", "bob@acme.test", "--output", link});
  CHECK(via_link.code == 4);
  CHECK_FALSE(std::filesystem::exists(target));
  CHECK(owner.list_json()["tokens"].size() == before);
}

TEST_CASE("tokens assign --print writes the token once to stdout and nothing else there") {
  Emulator emu;
  Owner owner(emu);
  std::string id;
  Finished printed = owner.assign_printed("sam@acme.test", id);
  const std::string value = emu.refresh_token(id);
  CHECK(printed.out == value + "\n");
  owner.check_clean(printed.out);  // none of the other tokens
  owner.remember(id);
  CHECK(printed.err.find(fingerprint(value)) != std::string::npos);
  owner.box.check_no_secret_on_stderr(printed);
  CHECK(row_of(owner.list_json(), id)["email"] == "sam@acme.test");
}

TEST_CASE("tokens assign --print for yourself piped into login --stdin rotates your own stored token") {
  Emulator emu;
  Owner owner(emu);
  std::string id;
  Finished printed = owner.assign_printed("olivia@acme.test", id);
  owner.remember(id);
  const std::string value = emu.refresh_token(id);

  Finished stored = owner.box.helper({"login", "--stdin"}, printed.out);
  INFO(stored.err);
  REQUIRE(stored.code == 0);
  owner.check_clean(stored.out);
  CHECK(read_text(owner.box.credentials_file()).find(value) != std::string::npos);
  Finished status = owner.run({"status"});
  CHECK(status.out.find(fingerprint(value)) != std::string::npos);
  CHECK(status.out.find(fingerprint(emu.refresh_token("tok-owner"))) == std::string::npos);
}

TEST_CASE("tokens assign without a delivery mode (or with both) is a usage error and calls nobody") {
  Emulator emu;
  Owner owner(emu);
  const long calls = emu.counter("total");
  Finished neither = owner.run({"tokens", "assign", "bob@acme.test"});
  CHECK(neither.code == 4);
  CHECK(neither.err.find("--output FILE") != std::string::npos);
  CHECK(neither.err.find("--print") != std::string::npos);
  CHECK(neither.out.empty());
  Finished both = owner.run({"tokens", "assign", "bob@acme.test", "--print", "--output", owner.box.home / "x"});
  CHECK(both.code == 4);
  CHECK(both.out.empty());
  CHECK_FALSE(std::filesystem::exists(owner.box.home / "x"));
  CHECK(emu.counter("total") == calls);
}

TEST_CASE("tokens assign to an unknown email names the organisation searched and creates nothing") {
  Emulator emu;
  Owner owner(emu);
  const std::string path = owner.box.home / "ghost.token";
  Finished ghost = owner.run({"tokens", "assign", "ghost@acme.test", "--output", path});
  CHECK(ghost.code == 6);
  CHECK(ghost.err.find("no user ghost@acme.test in organisation " + org) != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(path));  // the reserved file is removed again
  CHECK(emu.counter("refresh_token") == 0);
}

TEST_CASE("tokens revoke by id revokes it (the token stops working); again it is already gone, exit 0") {
  Emulator emu;
  Owner owner(emu);
  Finished revoked = owner.run({"tokens", "revoke", "tok-user", "--yes"});
  INFO(revoked.err);
  REQUIRE(revoked.code == 0);
  CHECK(revoked.out.find("Revoked: tok-user (fingerprint " + fingerprint(emu.refresh_token("tok-user")) +
                         ", bob@acme.test)") != std::string::npos);
  CHECK(row_of(owner.list_json(), "tok-user")["state"] == "deleted");

  HelperSandbox bob(emu);
  const std::string value = emu.refresh_token("tok-user");
  bob.secrets.push_back(value);
  CHECK(bob.helper({"login", "--stdin"}, value + "\n").code == 2);

  Finished again = owner.run({"tokens", "revoke", "tok-user", "--yes"});
  CHECK(again.code == 0);
  CHECK(again.out.find("Already gone: tok-user") != std::string::npos);
  Finished unknown = owner.run({"tokens", "revoke", "5f0000000000000000000000", "--yes"});
  CHECK(unknown.code == 0);
  CHECK(unknown.out.find("Already gone: 5f0000000000000000000000") != std::string::npos);
}

TEST_CASE("status after tokens revoke: exit 2, token's revoked line, the cached access token purged") {
  Emulator emu;
  Owner owner(emu);
  HelperSandbox bob(emu);
  bob.login("tok-user");  // caches an access token that `token` would serve for 48 h
  REQUIRE(bob.cache_entries() == 1);
  REQUIRE(owner.run({"tokens", "revoke", "tok-user", "--yes"}).code == 0);
  CHECK(bob.helper({"token"}).code == 0);  // by design: a cache hit does not ask Squadcast

  Finished status = bob.helper({"status"});
  INFO(status.out << status.err);
  CHECK(status.code == 2);
  CHECK(status.out.find("state:        revoked\n") != std::string::npos);
  CHECK(status.out.find("valid") == std::string::npos);
  CHECK(status.out.find("teams:") == std::string::npos);
  CHECK(status.out.find("cache:        purged\n") != std::string::npos);
  CHECK(bob.cache_entries() == 0);
  Finished token = bob.helper({"token"});
  CHECK(token.code == 2);
  CHECK(token.out.empty());
  CHECK(token.err.find("was revoked or is invalid") != std::string::npos);
  CHECK(status.err == token.err);

  Finished json = bob.helper({"status", "--json"});
  CHECK(json.code == 2);
  auto report = nlohmann::json::parse(json.out);
  CHECK(report["state"] == "revoked");
  CHECK(report["exit_code"] == 2);
  CHECK(report["email"] == "bob@acme.test");
}

TEST_CASE("tokens revoke --user revokes every active token of that user (offboarding)") {
  Emulator emu;
  Owner owner(emu);
  Finished extra = owner.run({"tokens", "assign", "alice@acme.test", "--output", owner.box.home / "a.token"});
  REQUIRE(extra.code == 0);
  const std::string extra_id = id_after(extra.out, "Created token ");
  owner.remember(extra_id);
  Finished offboard = owner.run({"tokens", "revoke", "--user", "alice@acme.test", "--yes"});
  INFO(offboard.err);
  REQUIRE(offboard.code == 0);
  for (const std::string& id : {std::string("tok-admin"), std::string("tok-admin-short"), extra_id}) {
    CHECK(offboard.out.find("Revoked: " + id) != std::string::npos);
  }
  auto listing = owner.list_json();
  for (const auto& row : listing["tokens"]) {
    CHECK(row["state"] == (row["email"] == "alice@acme.test" ? "deleted" : "active"));
  }
  Finished nothing = owner.run({"tokens", "revoke", "--user", "alice@acme.test", "--yes"});
  CHECK(nothing.code == 0);
  CHECK(nothing.out.find("no active tokens") != std::string::npos);
  Finished unknown = owner.run({"tokens", "revoke", "--user", "ghost@acme.test", "--yes"});
  CHECK(unknown.code == 6);
}

TEST_CASE("tokens revoke without --yes and without a terminal revokes nothing") {
  Emulator emu;
  Owner owner(emu);
  // setsid: no controlling terminal, whatever the test runner has.
  const std::string setsid = squadcast::helper::test::find_program("setsid");
  REQUIRE_FALSE(setsid.empty());  // util-linux, essential in Debian
  Finished refused = owner.box.program({setsid, "-w", std::string(SQUADCAST_HELPER_DIR) + "/squadcast-credential",
                                        "tokens", "revoke", "--user", "bob@acme.test"});
  owner.check_clean(refused.out);
  CHECK(refused.code == 4);
  CHECK(refused.err.find("--yes") != std::string::npos);
  CHECK(row_of(owner.list_json(), "tok-user")["state"] == "active");
  Finished usage = owner.run({"tokens", "revoke", "--yes"});
  CHECK(usage.code == 4);
}

TEST_CASE("tokens commands as a plain user or an admin: 403 names the role or ability needed, exit 5") {
  Emulator emu;
  for (const char* who : {"tok-user", "tok-admin"}) {
    Owner user(emu, who);
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"tokens", "list"}, {"tokens", "revoke", "tok-owner", "--yes"},
          {"tokens", "assign", "bob@acme.test", "--print"}}) {
      Finished refused = user.run(args);
      INFO(who << " " << args[1]);
      CHECK(refused.code == 5);
      CHECK(refused.out.empty());
      CHECK(refused.err.find("the account owner role or the manage-api-tokens ability") != std::string::npos);
      CHECK(std::count(refused.err.begin(), refused.err.end(), '\n') == 1);
    }
  }
  CHECK(emu.refresh_token("tok-owner").size() > 0);
}

TEST_CASE("an admin with the manage-api-tokens ability may administer tokens") {
  Emulator emu;
  emu.set_abilities("alice@acme.test", {"manage-users", "manage-api-tokens"});
  Owner admin(emu, "tok-admin");
  Finished listed = admin.run({"tokens", "list", "--user", "bob@acme.test"});
  INFO(listed.err);
  CHECK(listed.code == 0);
  CHECK(listed.out.find("tok-user") != std::string::npos);
  Finished revoked = admin.run({"tokens", "revoke", "tok-user", "--yes"});
  CHECK(revoked.code == 0);
  CHECK(revoked.out.find("Revoked: tok-user") != std::string::npos);
}

TEST_CASE("tokens commands when Squadcast is unreachable, rate limiting or refuses the token") {
  Emulator emu;
  Owner owner(emu);
  SECTION("rate limited: 429 with a Retry-After past the deadline, exit 3") {
    emu.set_rate_limit("tok-owner", 1);
    Finished limited = owner.run({"tokens", "list"});
    CHECK(limited.code == 3);
    CHECK(limited.err.find("rate limiting") != std::string::npos);
    CHECK(emu.set_rate_limiting(true) >= 1);
  }
  SECTION("owner's token revoked meanwhile: log in again, exit 2") {
    emu.revoke("tok-owner");
    Finished refused = owner.run({"tokens", "list"});
    CHECK(refused.code == 2);
    CHECK(refused.err.find("login") != std::string::npos);
  }
  SECTION("unreachable: exit 3") {
    emu.stop();
    Finished down = owner.run({"tokens", "revoke", "--user", "bob@acme.test", "--yes"});
    CHECK(down.code == 3);
    CHECK(down.out.empty());
    CHECK(down.err.find("cannot reach") != std::string::npos);
  }
}
