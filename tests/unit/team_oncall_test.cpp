// The host's view of on-call: squads expanded, paused schedules empty, errors never a roster.
#include <catch2/catch.hpp>

#include <string>

#include "squadcast/team_oncall.hpp"

using namespace squadcast;

namespace {

const char* const payments_answer = R"({"data":{"whoIsOncall":[
  {"schedule":{"ID":42,"name":"Payments primary","paused":false,"tags":[{"key":"tier","value":"1"}],"teamID":"t"},
   "oncallParticipants":[{"ID":"u1","type":"user","participant":{"ID":"u1","name":"Alice A","email":"alice@acme.test"}}]},
  {"schedule":{"ID":43,"name":"Payments secondary","paused":false,"tags":null,"teamID":"t"},
   "oncallParticipants":[{"ID":"s1","type":"squad","participant":{"ID":"s1","name":"DB squad",
     "members":[{"ID":"u3","email":"bob@acme.test"},{"ID":"u4","email":"carol@acme.test"}]}}]},
  {"schedule":{"ID":44,"name":"Payments weekend","paused":true,"teamID":"t"},
   "oncallParticipants":[{"ID":"u9","type":"user","participant":{"ID":"u9","email":"olivia@acme.test"}}]},
  {"schedule":{"ID":45,"name":"Nobody now","paused":false,"teamID":"t"},"oncallParticipants":[]}]}})";

}  // namespace

TEST_CASE("whoIsOncall: users, squads expanded, paused schedules put nobody on call") {
  auto schedules = parse_team_oncall_response(200, payments_answer);
  REQUIRE(schedules.ok());
  REQUIRE(schedules.value().size() == 4);
  const auto& s = schedules.value();
  CHECK(s[0].id == 42);
  CHECK(s[0].name == "Payments primary");
  CHECK_FALSE(s[0].paused);
  CHECK(s[0].emails == std::vector<std::string>{"alice@acme.test"});
  CHECK(s[1].emails == std::vector<std::string>{"bob@acme.test", "carol@acme.test"});
  CHECK(s[2].paused);
  CHECK(s[2].emails.empty());
  CHECK(s[3].emails.empty());
}

TEST_CASE("whoIsOncall: errors and malformed answers are errors, never a roster") {
  struct Row {
    long status;
    const char* body;
    ErrorKind kind;
  };
  const Row rows[] = {
      {200, R"({"errors":[{"message":"team not found"}],"data":null})", ErrorKind::bad_response},
      {200, R"({"errors":[{"message":"boom"}],"data":{"whoIsOncall":[]}})", ErrorKind::bad_response},
      {200, R"({"data":null})", ErrorKind::bad_response},
      {200, R"({"data":{"whoIsOncall":"oops"}})", ErrorKind::bad_response},
      {200, R"({"data":{}})", ErrorKind::bad_response},
      {200, "not json", ErrorKind::bad_response},
      // One bad entry spoils the whole answer: a partial roster could wrongly refuse or allow.
      {200, R"({"data":{"whoIsOncall":[{"schedule":{"ID":1,"name":"x","paused":false},
          "oncallParticipants":[{"type":"user","participant":{"email":"no-at-sign"}}]}]}})", ErrorKind::bad_response},
      {200, R"({"data":{"whoIsOncall":[{"schedule":{"ID":1,"name":"x","paused":false},
          "oncallParticipants":[{"type":"robot","participant":{"email":"r@acme.test"}}]}]}})", ErrorKind::bad_response},
      {200, R"({"data":{"whoIsOncall":[{"schedule":{"ID":1,"name":"x","paused":false},
          "oncallParticipants":[{"type":"squad","participant":{"ID":"s"}}]}]}})", ErrorKind::bad_response},
      {200, R"({"data":{"whoIsOncall":[{"schedule":{"name":"no id"}}]}})", ErrorKind::bad_response},
      {200, R"({"data":{"whoIsOncall":[{"schedule":{"ID":1,"name":"x","paused":false},
          "oncallParticipants":[{"type":"user","participant":{"email":"a\nb@acme.test"}}]}]}})", ErrorKind::bad_response},
      {401, R"({"meta":{"status":401,"error_message":"invalid token"}})", ErrorKind::revoked},
      {429, "", ErrorKind::rate_limited},
      {503, "", ErrorKind::server_error},
  };
  for (const auto& row : rows) {
    CAPTURE(row.status, row.body);
    auto parsed = parse_team_oncall_response(row.status, row.body);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.error().kind == row.kind);
  }
  auto graphql = parse_team_oncall_response(200, R"({"errors":[{"message":"team not found"}],"data":null})");
  CHECK(graphql.error().message.find("team not found") != std::string::npos);
}

TEST_CASE("whoIsOncall: a schedule without a paused flag counts as paused") {
  auto parsed = parse_team_oncall_response(200, R"({"data":{"whoIsOncall":[{"schedule":{"ID":7,"name":"x"},
      "oncallParticipants":[{"type":"user","participant":{"email":"a@acme.test"}}]}]}})");
  REQUIRE(parsed.ok());
  CHECK(parsed.value()[0].paused);
  CHECK(parsed.value()[0].emails.empty());
}
