// The emulator's directory-mode endpoints, seen by a host credential (tok-host-1: a user
// of role "user" in no team): GraphQL whoIsOncall, users by email, user deletion, the
// GraphQL failure controls, and the per-token rate limit and counters for GraphQL.
#include "emulator_fixture.hpp"

#include <catch2/catch.hpp>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <set>
#include <string>

using nlohmann::json;
using squadcast::test::Emulator;

namespace {

const std::string payments = "5e8edb1f7e6f7d0001b20001";
const std::string platform = "5e8edb1f7e6f7d0001b20002";
const std::string security = "5e8edb1f7e6f7d0001b20003";
const std::string globex_payments = "5f1d2c3b4a5968778695b001";
const std::string alice_id = "5e8edb1f7e6f7d0001a10002";
const std::string bob_id = "5e8edb1f7e6f7d0001a10003";

const std::string who_is_oncall_query =
    "query whoIsOncall($filters: WhoIsOncallFilters) { whoIsOncall(filters: $filters) { "
    "schedule { ID name paused tags { key value } teamID } oncallParticipants { ID type participant { "
    "... on User { ID name firstName lastName email } "
    "... on Squad { ID name members { ID name firstName lastName email } } } } } }";

struct Answer {
  int status = 0;
  json body;
  std::string retry_after;
};

// Plain requests against one emulator, as a client of the real service would make them.
struct Directory {
  explicit Directory(Emulator& emu) : emu(emu) {}

  httplib::Client client() const {
    httplib::Client c(emu.url());
    c.set_ca_cert_path(emu.ca_file());
    c.enable_server_certificate_verification(true);
    c.set_read_timeout(10);
    return c;
  }
  static Answer answer_of(const httplib::Result& res) {
    REQUIRE(res);
    return {res->status, json::parse(res->body, nullptr, false), res->get_header_value("Retry-After")};
  }
  Answer exchange(const std::string& token_id) const {
    return answer_of(client().Get("/oauth/access-token", {{"X-Refresh-Token", emu.refresh_token(token_id)}}));
  }
  std::string access_token(const std::string& token_id) const {
    const Answer a = exchange(token_id);
    REQUIRE(a.status == 200);
    return a.body["data"]["access_token"];
  }
  Answer get(const std::string& bearer, const std::string& path) const {
    return answer_of(client().Get(path, {{"Authorization", "Bearer " + bearer}}));
  }
  // The "data" of a GET that must answer 200 (by value: safe as a range-for expression).
  json data_of(const std::string& bearer, const std::string& path) const {
    const Answer a = get(bearer, path);
    INFO(path);
    REQUIRE(a.status == 200);
    return a.body.at("data");
  }
  Answer post_graphql(const std::string& bearer, const std::string& body) const {
    return answer_of(client().Post("/v3/graphql", {{"Authorization", "Bearer " + bearer}}, body, "application/json"));
  }
  Answer who_is_oncall(const std::string& bearer, const std::string& team) const {
    const json body = {{"query", who_is_oncall_query}, {"variables", {{"filters", {{"teamID", team}}}}}};
    return post_graphql(bearer, body.dump());
  }
  // The whoIsOncall list, which must have come back without errors.
  json on_call_list(const std::string& bearer, const std::string& team) const {
    const Answer a = who_is_oncall(bearer, team);
    INFO(a.body.dump());
    REQUIRE(a.status == 200);
    REQUIRE_FALSE(a.body.contains("errors"));
    return a.body.at("data").at("whoIsOncall");
  }
  // The emails on call on one schedule of that list (users, and squads' members).
  static std::set<std::string> emails_on(const json& list, int schedule_id) {
    std::set<std::string> out;
    for (const auto& entry : list) {
      if (entry["schedule"]["ID"] != schedule_id) continue;
      for (const auto& p : entry["oncallParticipants"]) {
        if (p["type"] == "user") out.insert(p["participant"]["email"].get<std::string>());
        for (const auto& m : p["participant"].value("members", json::array())) out.insert(m["email"].get<std::string>());
      }
    }
    return out;
  }
  // Every schedule id of the team's v4 myOnCall listing for the bearer (all pages).
  std::set<int> my_on_call(const std::string& bearer, const std::string& team) const {
    std::set<int> ids;
    std::string cursor;
    for (;;) {
      const Answer a = get(bearer, "/v4/schedules?myOnCall=true&teamID=" + team + (cursor.empty() ? "" : "&cursor=" + cursor));
      REQUIRE(a.status == 200);
      for (const auto& s : a.body["data"]) ids.insert(s["id"].get<int>());
      if (!a.body["pageInfo"]["hasNext"].get<bool>()) return ids;
      cursor = a.body["pageInfo"]["nextCursor"];
    }
  }
  static void check_graphql_error(const Answer& a, const std::string& message) {
    INFO(a.body.dump());
    CHECK(a.status == 200);
    REQUIRE(a.body.contains("errors"));
    CHECK(a.body["errors"][0]["message"] == message);
    CHECK(a.body["data"].is_null());
  }

  Emulator& emu;
};

}  // namespace

TEST_CASE("graphql whoIsOncall: every schedule of the team, users and squads, paused ones marked") {
  Emulator emu;
  Directory dir(emu);
  const json list = dir.on_call_list(dir.access_token("tok-host-1"), payments);
  REQUIRE(list.size() == 4);
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(list[i]["schedule"]["ID"].is_number_integer());
    CHECK(list[i]["schedule"]["ID"] == 42 + static_cast<int>(i));
    CHECK(list[i]["schedule"]["teamID"] == payments);
    CHECK(list[i]["schedule"]["tags"].is_array());
  }
  const json& primary = list[0];
  CHECK(primary["schedule"]["name"] == "Payments primary");
  CHECK(primary["schedule"]["paused"] == false);
  CHECK(primary["schedule"]["tags"] == json::parse(R"([{"key":"tier","value":"1"}])"));
  CHECK(primary["oncallParticipants"] ==
        json::parse(R"([{"ID":"5e8edb1f7e6f7d0001a10002","type":"user","participant":{"ID":"5e8edb1f7e6f7d0001a10002",
                        "name":"Alice Admin","firstName":"Alice","lastName":"Admin","email":"alice@acme.test"}}])"));
  const json& squad = list[1]["oncallParticipants"].at(0);
  CHECK(squad["type"] == "squad");
  CHECK(squad["ID"] == "5e8edb1f7e6f7d0001c30001");
  CHECK(squad["participant"]["name"] == "Payments backup");
  CHECK(squad["participant"]["members"].size() == 1);
  CHECK(squad["participant"]["members"][0]["email"] == "bob@acme.test");
  CHECK(squad["participant"]["members"][0]["ID"] == bob_id);
  // Paused: listed with its participants; the client must treat it as nobody.
  CHECK(list[2]["schedule"]["paused"] == true);
  CHECK(Directory::emails_on(list, 44) == std::set<std::string>{"olivia@acme.test"});
  CHECK(Directory::emails_on(list, 45) == std::set<std::string>{"alice@acme.test"});
  CHECK(emu.counter("graphql") == 1);
}

TEST_CASE("graphql and v4 myOnCall agree after a handoff, a pause and a membership change") {
  Emulator emu;
  Directory dir(emu);
  const std::string host = dir.access_token("tok-host-1");
  const std::string bob = dir.access_token("tok-user");
  emu.call_control("POST", "/_control/oncall/handoff", R"({"schedule_id":42,"from":"alice@acme.test","to":"bob@acme.test"})");
  json list = dir.on_call_list(host, payments);
  CHECK(Directory::emails_on(list, 42) == std::set<std::string>{"bob@acme.test"});
  CHECK(dir.my_on_call(bob, payments) == std::set<int>{42, 43});
  CHECK(dir.my_on_call(dir.access_token("tok-admin"), payments) == std::set<int>{45});

  emu.call_control("POST", "/_control/oncall/pause", R"({"schedule_id":42,"paused":true})");
  CHECK(dir.on_call_list(host, payments)[0]["schedule"]["paused"] == true);

  // Leaving the team does not take anyone off a rotation (documented in the README).
  emu.call_control("POST", "/_control/oncall/member", R"({"team":"payments","user_email":"alice@acme.test","member":false})");
  CHECK(Directory::emails_on(dir.on_call_list(host, payments), 45) == std::set<std::string>{"alice@acme.test"});
  CHECK(dir.data_of(host, "/v3/teams/" + payments + "/members").empty());

  emu.call_control("POST", "/_control/oncall/reset", "{}");
  list = dir.on_call_list(host, payments);
  CHECK(Directory::emails_on(list, 42) == std::set<std::string>{"alice@acme.test"});
  CHECK(list[0]["schedule"]["paused"] == false);
}

TEST_CASE("graphql failures answer 200 with errors and null data; a bad bearer 401 with meta") {
  Emulator emu;
  Directory dir(emu);
  const std::string host = dir.access_token("tok-host-1");
  Directory::check_graphql_error(dir.post_graphql(host, "not json"), "request body must be a JSON object with a query");
  Directory::check_graphql_error(dir.post_graphql(host, R"({"query":"{ users { ID } }"})"),
                                 "unsupported query: the emulator answers whoIsOncall only");
  Directory::check_graphql_error(dir.post_graphql(host, json{{"query", who_is_oncall_query}}.dump()),
                                 "whoIsOncall: filters.teamID is required");
  Directory::check_graphql_error(dir.who_is_oncall(host, globex_payments), "team not found");
  Directory::check_graphql_error(dir.who_is_oncall(host, "5e8edb1f7e6f7d0001b2ffff"), "team not found");
  Directory::check_graphql_error(dir.who_is_oncall(host, security), "access denied");
  CHECK(Directory::emails_on(dir.on_call_list(dir.access_token("tok-owner"), security), 47) ==
        std::set<std::string>{"olivia@acme.test"});

  const Answer forged = dir.who_is_oncall(host + "x", payments);
  CHECK(forged.status == 401);
  CHECK(forged.body["meta"]["status"] == 401);
  emu.revoke("tok-host-1");
  CHECK(dir.who_is_oncall(host, payments).status == 401);
  CHECK(dir.who_is_oncall(dir.access_token("tok-host-2"), platform).status == 200);
}

TEST_CASE("graphql_error control, and the fault groups that reach graphql") {
  Emulator emu;
  Directory dir(emu);
  const std::string host = dir.access_token("tok-host-1");
  emu.graphql_error(2, "boom");
  Directory::check_graphql_error(dir.who_is_oncall(host, payments), "boom");
  Directory::check_graphql_error(dir.who_is_oncall(host, payments), "boom");
  CHECK(dir.on_call_list(host, payments).size() == 4);

  emu.graphql_error(1, "", "malformed");
  Answer a = dir.who_is_oncall(host, payments);
  CHECK(a.status == 200);
  CHECK(a.body == json::parse(R"({"data":{"whoIsOncall":"oops"}})"));
  emu.graphql_error(1, "half", "partial");
  a = dir.who_is_oncall(host, payments);
  CHECK(a.body == json::parse(R"({"errors":[{"message":"half"}],"data":{"whoIsOncall":[]}})"));
  emu.graphql_error(3);
  emu.graphql_error(0);
  CHECK(dir.on_call_list(host, payments).size() == 4);

  emu.fault("graphql", 1, "status", 503);
  CHECK(dir.who_is_oncall(host, payments).status == 503);
  emu.fault("any", 1, "status", 502);
  CHECK(dir.who_is_oncall(host, payments).status == 502);
  emu.call_control("POST", "/_control/oncall/fault", R"({"count":1,"status":500,"envelope":"v3"})");
  a = dir.who_is_oncall(host, payments);
  CHECK(a.status == 500);
  CHECK(a.body["meta"]["status"] == 500);
  CHECK(emu.counter("graphql") == 9);  // faulted ones included
  emu.graphql_error(1);
  emu.reset();  // drops queued faults
  CHECK(dir.on_call_list(dir.access_token("tok-host-1"), payments).size() == 4);
}

TEST_CASE("a deleted user is gone from lookups, teams, squads and on-call, and their tokens fail") {
  Emulator emu;
  Directory dir(emu);
  const std::string host = dir.access_token("tok-host-1");
  const std::string bob = dir.access_token("tok-user");
  emu.delete_user("Bob@Acme.Test");
  CHECK(dir.get(host, "/v3/users/" + bob_id).status == 404);
  CHECK(dir.get(host, "/v3/users?email=bob@acme.test").status == 404);
  for (const auto& u : dir.data_of(host, "/v3/users")) CHECK(u["id"] != bob_id);
  for (const auto& m : dir.data_of(host, "/v3/teams/" + platform + "/members")) CHECK(m["user_id"] != bob_id);
  CHECK(dir.data_of(host, "/v3/teams/" + platform + "/members").size() == 2);
  const json list = dir.on_call_list(host, payments);
  CHECK(list[1]["oncallParticipants"][0]["participant"]["members"].empty());  // the squad stays, empty
  CHECK(dir.exchange("tok-user").status == 401);
  CHECK(dir.get(bob, "/v3/users/" + bob_id).status == 401);
  CHECK(dir.who_is_oncall(bob, payments).status == 401);
  CHECK_THROWS(emu.delete_user("bob@acme.test"));  // already gone: 404

  emu.delete_user("alice@acme.test");
  CHECK(dir.on_call_list(host, payments)[0]["oncallParticipants"].empty());
  emu.call_control("POST", "/_control/oncall/reset", "{}");
  CHECK(Directory::emails_on(dir.on_call_list(host, payments), 43) == std::set<std::string>{"bob@acme.test"});
  CHECK(dir.exchange("tok-user").status == 200);
  const json users = dir.data_of(host, "/v3/users");
  REQUIRE(users.size() >= 3);
  CHECK(users[1]["id"] == alice_id);  // back in the seed's order
  CHECK(users[2]["id"] == bob_id);

  emu.delete_user("bob@acme.test");
  emu.reset();
  CHECK(dir.get(host, "/v3/users?email=bob@acme.test").status == 200);
}

TEST_CASE("users by email: the caller's organisation only, emails compared ASCII-case-insensitively") {
  Emulator emu;
  Directory dir(emu);
  const std::string host = dir.access_token("tok-host-1");
  Answer alice = dir.get(host, "/v3/users?email=ALICE@Acme.Test");
  REQUIRE(alice.status == 200);
  CHECK(alice.body["data"]["id"] == alice_id);
  CHECK(dir.get(host, "/v3/users?email=eve@globex.test").status == 404);
  CHECK(dir.get(host, "/v3/users/5f1d2c3b4a5968778695e001").status == 404);
  std::set<std::string> emails;
  for (const auto& u : dir.data_of(host, "/v3/users")) emails.insert(u["email"].get<std::string>());
  CHECK(emails == std::set<std::string>{"olivia@acme.test", "alice@acme.test", "bob@acme.test", "sam@acme.test",
                                        "fleet-host@acme.test", "fleet-admin-host@acme.test"});

  const Answer me = dir.get(host, "/v3/users?email=fleet-host@acme.test");
  CHECK(me.body["data"]["role"] == "user");
  CHECK(me.body["data"]["abilities"].empty());
  CHECK(dir.data_of(host, "/v3/users?email=fleet-admin-host@acme.test")["role"] == "admin");
  for (const auto& team : dir.data_of(host, "/v3/teams")) {
    for (const auto& m : team["members"]) CHECK(m["user_id"] != "5e8edb1f7e6f7d0001a10009");  // in no team
  }
  CHECK(dir.get(dir.access_token("tok-host-admin"), "/v3/users?email=fleet-host@acme.test").status == 200);

  const std::string globex = dir.access_token("tok-globex-host");
  CHECK(dir.get(globex, "/v3/users?email=alice@acme.test").status == 404);
  CHECK(dir.get(globex, "/v3/users?email=Eve@Globex.Test").status == 200);
  CHECK(dir.data_of(globex, "/v3/users").size() == 2);
  Directory::check_graphql_error(dir.who_is_oncall(globex, payments), "team not found");
  CHECK(dir.on_call_list(globex, globex_payments).empty());
}

TEST_CASE("graphql counts against the token's rate limit and in the per-token counters") {
  Emulator emu;
  Directory dir(emu);
  emu.set_rate_limit("tok-host-2", 4);
  const std::string limited = dir.access_token("tok-host-2");  // 1
  for (int i = 0; i < 3; ++i) CHECK(dir.who_is_oncall(limited, payments).status == 200);  // 2..4
  const Answer refused = dir.who_is_oncall(limited, payments);
  CHECK(refused.status == 429);
  CHECK_FALSE(refused.retry_after.empty());
  const std::string other = dir.access_token("tok-host-1");
  CHECK(dir.who_is_oncall(other, payments).status == 200);  // its own budget
  CHECK(emu.set_rate_limiting(true) == 1);

  const auto counts = emu.token_counters();
  CHECK(counts.at("tok-host-2") == 5);  // the refused call counted too
  CHECK(counts.at("tok-host-1") == 2);
  CHECK(counts.at("tok-owner") == 0);
  CHECK(counts.count("tok-globex-host") == 1);
}
