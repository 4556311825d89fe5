#include "squadcast/api_answer.hpp"

#include <algorithm>

#include "json_input.hpp"

namespace squadcast {
namespace {

// The wording a status gets when the call gives none of its own.
StatusMeaning default_meaning(long status) {
  switch (status) {
    case 401: return {status, ErrorKind::revoked, "Squadcast refused the access token for"};
    case 403: return {status, ErrorKind::forbidden, "Squadcast refuses this user"};
    case 404: return {status, ErrorKind::not_found, "Squadcast does not know"};
    case 429: return {status, ErrorKind::rate_limited, "Squadcast is rate limiting"};
    default: break;
  }
  if (status >= 500 && status <= 599) return {status, ErrorKind::server_error, "Squadcast failed to answer"};
  return {status, ErrorKind::refused, "Squadcast refused"};
}

std::string with_detail(long status, std::string_view body) {
  std::string detail = "HTTP " + std::to_string(status);
  if (auto message = error_envelope_message(body); !message.empty()) detail += ": " + message;
  return detail;
}

// Server text goes into our messages: short, whole UTF-8 characters, no control bytes.
std::string clean_message(std::string message) {
  message = utf8_prefix(std::move(message), 200);
  for (char& c : message) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return message;
}

std::optional<std::string> graphql_error(const nlohmann::json& answer) {
  auto errors = answer.find("errors");
  if (errors == answer.end() || errors->is_null()) return std::nullopt;
  if (!errors->is_array() || errors->empty()) return std::string("a malformed errors list");
  return clean_message(string_field(errors->front(), "message").value_or("an error without a message"));
}

}  // namespace

std::string error_envelope_message(std::string_view body) {
  auto parsed = parse_untrusted_json(body);
  if (!parsed || !parsed->is_object()) return "";
  // v3 answers {"meta":{"error_message"}}, v4 {"error":{"code","message"}}, GraphQL
  // {"errors":[{"message"}]}; any may be absent.
  if (auto meta = parsed->find("meta"); meta != parsed->end()) {
    return clean_message(string_field(*meta, "error_message").value_or(""));
  }
  if (auto v4 = parsed->find("error"); v4 != parsed->end()) {
    return clean_message(string_field(*v4, "message").value_or(string_field(*v4, "code").value_or("")));
  }
  return graphql_error(*parsed).value_or("");
}

std::optional<Error> classify_answer(long status, std::string_view body, const AnswerRules& rules) {
  if (std::find(rules.success.begin(), rules.success.end(), status) != rules.success.end()) {
    if (!rules.graphql) return std::nullopt;
    auto parsed = parse_untrusted_json(body);
    if (!parsed || !parsed->is_object()) return std::nullopt;  // the caller reports the bad body
    if (auto message = graphql_error(*parsed)) {
      return Error{ErrorKind::bad_response,
                   "Squadcast answered " + rules.what + " with a GraphQL error: " + *message};
    }
    return std::nullopt;
  }
  const StatusMeaning meaning = default_meaning(status);
  Error error{meaning.kind, meaning.wording + " " + rules.what};
  for (const auto& override : rules.overrides) {
    if (override.status != status) continue;
    error.kind = override.kind;
    if (!override.wording.empty()) error.message = override.wording;
  }
  error.message += " (" + with_detail(status, body) + ")";
  return error;
}

}  // namespace squadcast
