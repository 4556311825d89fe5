// One table for every reading of Squadcast's answers: the classifier itself, then each API
// client, so that no client can drift from the rule again.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "squadcast/api_answer.hpp"
#include "squadcast/exchange.hpp"
#include "squadcast/teams.hpp"
#include "squadcast/token_admin.hpp"
#include "squadcast/user_lookup.hpp"

using namespace squadcast;

namespace {

const char* const v3_body = R"({"meta":{"status":418,"error_message":"server says v3"}})";
const char* const v4_body = R"({"error":{"code":"E42","message":"server says v4","details":[]}})";
const char* const graphql_body = R"({"errors":[{"message":"server says graphql"}],"data":null})";
const char* const html_body = "<html>Bad Gateway</html>";

struct StatusRow {
  long status;
  ErrorKind kind;           // the default reading
  bool graced;              // whether a PAM offline grace may ever cover it
};

const std::vector<StatusRow> status_rows = {
    {100, ErrorKind::refused, false},      {201, ErrorKind::refused, false},
    {204, ErrorKind::refused, false},      {301, ErrorKind::refused, false},
    {400, ErrorKind::refused, false},      {401, ErrorKind::revoked, false},
    {402, ErrorKind::refused, false},      {403, ErrorKind::forbidden, false},
    {404, ErrorKind::not_found, false},    {409, ErrorKind::refused, false},
    {410, ErrorKind::refused, false},      {422, ErrorKind::refused, false},
    {429, ErrorKind::rate_limited, false}, {500, ErrorKind::server_error, true},
    {502, ErrorKind::server_error, true},  {503, ErrorKind::server_error, true},
    {504, ErrorKind::server_error, true},  {599, ErrorKind::server_error, true},
    {600, ErrorKind::refused, false},
};

}  // namespace

TEST_CASE("every status and envelope reads one way, with the server's message") {
  struct Envelope {
    const char* body;
    const char* message;  // what must reach the error text
  };
  const std::vector<Envelope> envelopes = {
      {v3_body, "server says v3"}, {v4_body, "server says v4"}, {graphql_body, "server says graphql"},
      {html_body, ""},             {"", ""},
  };
  for (const auto& row : status_rows) {
    for (const auto& envelope : envelopes) {
      CAPTURE(row.status, envelope.body);
      auto error = classify_answer(row.status, envelope.body, {"the thing"});
      REQUIRE(error);
      CHECK(error->kind == row.kind);
      CHECK(error->message.find("the thing") != std::string::npos);
      CHECK(error->message.find("HTTP " + std::to_string(row.status)) != std::string::npos);
      CHECK(error->message.find(envelope.message) != std::string::npos);
      // The one PAM rule: only transport errors, timeouts and 5xx may be graced; 429 never.
      CHECK(may_be_graced(error->kind) == row.graced);
    }
  }
  CHECK_FALSE(classify_answer(200, v3_body, {"the thing"}));
  CHECK_FALSE(classify_answer(204, "", {"the thing", {200, 204}}));
}

TEST_CASE("only transport failures, timeouts and 5xx may be graced; 429 is unreachable but never graced") {
  for (ErrorKind kind : {ErrorKind::network, ErrorKind::timeout, ErrorKind::tls, ErrorKind::server_error}) {
    CHECK(is_unreachable(kind));
    CHECK(may_be_graced(kind));
  }
  CHECK(is_unreachable(ErrorKind::rate_limited));
  CHECK_FALSE(may_be_graced(ErrorKind::rate_limited));
  for (ErrorKind kind : {ErrorKind::revoked, ErrorKind::refused, ErrorKind::forbidden, ErrorKind::not_found,
                         ErrorKind::bad_response, ErrorKind::too_large, ErrorKind::config, ErrorKind::permission}) {
    CHECK_FALSE(is_unreachable(kind));
    CHECK_FALSE(may_be_graced(kind));
  }
}

TEST_CASE("GraphQL errors on HTTP 200 are an error, never an answer") {
  const AnswerRules graphql{"who is on call", {200}, {}, true};
  auto error = classify_answer(200, graphql_body, graphql);
  REQUIRE(error);
  CHECK(error->kind == ErrorKind::bad_response);
  CHECK(error->message.find("server says graphql") != std::string::npos);
  CHECK_FALSE(may_be_graced(error->kind));
  CHECK(classify_answer(200, R"({"errors":[],"data":null})", graphql));         // an empty list is no answer either
  CHECK(classify_answer(200, R"({"errors":"oops","data":{}})", graphql));       // nor a malformed one
  CHECK(classify_answer(200, R"({"errors":[{"msg":1}]})", graphql));            // a message-less one
  CHECK_FALSE(classify_answer(200, R"({"data":{"whoIsOncall":[]}})", graphql));  // the caller parses data
  CHECK_FALSE(classify_answer(200, R"({"errors":null,"data":{}})", graphql));
  // Outside GraphQL an "errors" key on a 200 is the caller's to judge.
  CHECK_FALSE(classify_answer(200, graphql_body, {"the thing"}));
}

TEST_CASE("server text is shortened and cannot forge log lines") {
  std::string long_message(5000, 'x');
  auto error = classify_answer(500, R"({"meta":{"error_message":")" + long_message + R"("}})", {"the thing"});
  REQUIRE(error);
  CHECK(error->message.size() < 400);
  auto forged = classify_answer(500, R"({"meta":{"error_message":"a\nforged=line"}})", {"the thing"});
  REQUIRE(forged);
  CHECK(forged->message.find('\n') == std::string::npos);
}

TEST_CASE("each API client reads statuses through the classifier, with its own overrides") {
  struct ClientRow {
    const char* name;
    ErrorKind (*kind_for)(long status);
    std::vector<std::pair<long, ErrorKind>> overrides;  // where the call means something else
  };
  auto kind_of = [](auto result) { return result.ok() ? ErrorKind::io : result.error().kind; };
  const std::vector<ClientRow> clients = {
      {"exchange", [](long s) { return parse_exchange_response(s, v3_body).error().kind; },
       {{403, ErrorKind::revoked}, {404, ErrorKind::refused}}},
      {"user", [](long s) { return parse_user_response(s, v3_body).error().kind; },
       {{403, ErrorKind::revoked}, {404, ErrorKind::refused}}},
      {"user by email", [](long s) { return parse_user_by_email_response(s, v3_body).error().kind; }, {}},
      {"teams", [](long s) { return parse_teams_response(s, v4_body).error().kind; }, {}},
      {"members", [](long s) { return parse_members_response(s, v4_body).error().kind; }, {}},
      {"schedules", [](long s) { return parse_schedules_response(s, v4_body).error().kind; }, {}},
      {"token list", [](long s) { return parse_token_list(s, v3_body).error().kind; }, {{404, ErrorKind::refused}}},
      {"user list", [](long s) { return parse_user_list(s, v3_body).error().kind; }, {{404, ErrorKind::refused}}},
      {"create token", [](long s) { return parse_created_token(s, v3_body).error().kind; },
       {{201, ErrorKind::bad_response}}},  // 201 is its success: then the body is judged
  };
  for (const auto& client : clients) {
    for (const auto& row : status_rows) {
      CAPTURE(client.name, row.status);
      ErrorKind expected = row.kind;
      for (const auto& [status, kind] : client.overrides) {
        if (status == row.status) expected = kind;
      }
      CHECK(client.kind_for(row.status) == expected);
    }
  }
  // A revoke's 404 is "already gone", its 204 success; the rest is the common reading.
  CHECK(parse_revoke_answer(404, "").value() == RevokeOutcome::already_gone);
  CHECK(parse_revoke_answer(204, "").value() == RevokeOutcome::revoked);
  CHECK(kind_of(parse_revoke_answer(403, "")) == ErrorKind::forbidden);
  CHECK(kind_of(parse_revoke_answer(429, "")) == ErrorKind::rate_limited);
  CHECK(kind_of(parse_revoke_answer(502, "")) == ErrorKind::server_error);
  CHECK(kind_of(parse_revoke_answer(400, "")) == ErrorKind::refused);
  // A 403 on token administration says what it needs.
  CHECK(parse_token_list(403, "").error().message.find(token_admin_requirement) != std::string::npos);
}
