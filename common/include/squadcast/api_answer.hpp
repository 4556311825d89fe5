// The one reading of Squadcast's answers, for every API client: the HTTP status and the
// error envelopes (v3 {"meta"}, v4 {"error"}, GraphQL {"errors"} on HTTP 200) to "go on
// and parse the body" or a typed Error carrying the server's own message.
//
//   an expected success status  -> nullopt: the caller parses the body
//   401                         -> revoked       the credential is revoked or invalid
//   403                         -> forbidden     a verdict about this caller and resource
//   404                         -> not_found
//   429                         -> rate_limited  unreachable, but never graced
//   5xx                         -> server_error  unreachable: the only answer a grace covers
//   anything else               -> refused       a definite no (1xx, 3xx, other 4xx, other 2xx)
//   GraphQL "errors" on a 200   -> bad_response  never "nobody" and never "everybody"
//
// A call whose status means something else says so in `overrides` (the exchange reads a
// 403 as a revoked token; a revoke reads a 404 as "already gone" by listing it as success).
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "squadcast/result.hpp"

namespace squadcast {

struct StatusMeaning {
  long status;
  ErrorKind kind;
  std::string wording = "";  // replaces "<default wording> <what>"; empty keeps it
};

struct AnswerRules {
  std::string what;  // what was asked, for messages: "the team's members"
  std::vector<long> success = {200};
  std::vector<StatusMeaning> overrides = {};
  bool graphql = false;  // a 200 may still carry {"errors": [...]}
};

// nullopt when the status is one of `rules.success` (and, for GraphQL, no errors came).
std::optional<Error> classify_answer(long status, std::string_view body, const AnswerRules& rules);

// The message of a v3 {"meta"}, v4 {"error"} or GraphQL {"errors"} envelope, shortened and
// with control characters blanked (it goes into log lines); "" when there is none.
std::string error_envelope_message(std::string_view body);

}  // namespace squadcast
