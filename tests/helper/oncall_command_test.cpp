// squadcast-credential oncall [--team TEAM] [--json] and the teams line of status, driven
// as a process against the emulator's teams and schedules (tests/emulator/README.md).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "helper_sandbox.hpp"

using squadcast::helper::test::Finished;
using squadcast::helper::test::HelperSandbox;
using squadcast::test::Emulator;

TEST_CASE("oncall lists the schedules the caller is on call for, per team, following pages") {
  Emulator emu;
  HelperSandbox box(emu);
  box.login("tok-admin");
  Finished mine = box.helper({"oncall"});
  REQUIRE(mine.code == 0);
  CHECK(mine.out == "payments: on call: Payments primary (42), Payments escalation (45)\n");

  emu.call_control("POST", "/_control/oncall/handoff", R"({"schedule_id":42,"from":"alice@acme.test","to":"bob@acme.test"})");
  emu.call_control("POST", "/_control/oncall/pause", R"({"schedule_id":45,"paused":true})");
  Finished after = box.helper({"oncall"});
  REQUIRE(after.code == 0);
  CHECK(after.out == "payments: not on call\n");  // handed off, and the other one paused
}

TEST_CASE("oncall --team --json names one team by slug, name or id") {
  Emulator emu;
  HelperSandbox box(emu);
  box.login("tok-user");  // bob: on call for payments through a squad, member of platform only
  for (const char* team : {"payments", "Payments", "5e8edb1f7e6f7d0001b20001"}) {
    INFO(team);
    Finished run = box.helper({"oncall", "--team", team, "--json"});
    REQUIRE(run.code == 0);
    auto json = nlohmann::json::parse(run.out);
    REQUIRE(json.at("teams").size() == 1);
    CHECK(json["teams"][0]["id"] == "5e8edb1f7e6f7d0001b20001");
    CHECK(json["teams"][0]["on_call"] == true);
    CHECK(json["teams"][0]["schedules"][0]["name"] == "Payments secondary");
    CHECK(json["teams"][0]["schedules"][0]["id"] == 43);
  }
  Finished own = box.helper({"oncall", "--json"});
  REQUIRE(own.code == 0);
  auto json = nlohmann::json::parse(own.out);
  REQUIRE(json.at("teams").size() == 1);
  CHECK(json["teams"][0]["slug"] == "platform");
  CHECK(json["teams"][0]["on_call"] == false);
}

TEST_CASE("oncall: an unknown team is a usage error, a 403 a refusal, an outage exit 3") {
  Emulator emu;
  HelperSandbox box(emu);
  box.login("tok-admin");
  Finished unknown = box.helper({"oncall", "--team", "no-such-team"});
  CHECK(unknown.code == 4);
  CHECK(unknown.err.find("no team 'no-such-team'") != std::string::npos);
  Finished restricted = box.helper({"oncall", "--team", "5e8edb1f7e6f7d0001b20003"});
  CHECK(restricted.code != 0);
  CHECK(restricted.err.find("HTTP 403") != std::string::npos);
  emu.call_control("POST", "/_control/oncall/fault", R"({"count":20,"status":503,"envelope":"v4"})");
  Finished down = box.helper({"oncall"});
  CHECK(down.code == 3);
  CHECK(down.err.find("injected failure") != std::string::npos);
}

TEST_CASE("status lists the user's teams") {
  Emulator emu;
  HelperSandbox box(emu);
  box.login("tok-owner");  // olivia: platform and the restricted security team
  Finished text = box.helper({"status"});
  REQUIRE(text.code == 0);
  CHECK(text.out.find("teams:        platform, security\n") != std::string::npos);
  Finished json = box.helper({"status", "--json"});
  REQUIRE(json.code == 0);
  CHECK(nlohmann::json::parse(json.out).at("teams") == nlohmann::json::array({"platform", "security"}));
}
