#include "squadcast/user_lookup.hpp"

#include "json_input.hpp"
#include "squadcast/api_answer.hpp"
#include "squadcast/ascii_text.hpp"

namespace squadcast {
namespace {

// {"data": {user}} -> the profile, or bad_response.
Result<UserProfile> user_record(long status, std::string_view body, const AnswerRules& rules) {
  auto answer = answer_data(status, body, rules, nlohmann::json::value_t::object);
  if (!answer) return answer.error();
  const nlohmann::json* data = &answer.value();
  UserProfile user;
  auto role = string_field(*data, "role");
  if (!role || role->empty()) return Error{ErrorKind::bad_response, "the user lookup answer has no role"};
  if (!is_safe_word(*role)) return Error{ErrorKind::bad_response, "the user lookup answer has a malformed role"};
  user.role = *role;
  user.id = string_field(*data, "id").value_or("");
  if (!user.id.empty() && !is_safe_word(user.id)) return Error{ErrorKind::bad_response, "the user lookup answer has a malformed id"};
  user.email = string_field(*data, "email").value_or("");
  if (auto abilities = data->find("abilities"); abilities != data->end() && abilities->is_array()) {
    for (const auto& ability : *abilities) {
      auto slug = ability.is_string() ? std::optional<std::string>(ability.get<std::string>())
                                      : string_field(ability, "slug");
      if (slug && is_safe_word(*slug)) user.abilities.push_back(*slug);
    }
  }
  return user;
}

}  // namespace

Result<UserProfile> parse_user_response(long status, std::string_view body) {
  static const AnswerRules rules{"the user lookup",
                                 {200},
                                 {{401, ErrorKind::revoked, "Squadcast refused the access token"},
                                  {403, ErrorKind::revoked, "Squadcast refused the access token"},
                                  {404, ErrorKind::refused, "Squadcast does not know the token's user"}}};
  return user_record(status, body, rules);
}

Result<UserProfile> parse_user_by_email_response(long status, std::string_view body) {
  // A 404 is an answer about the person (deleted, or never in this organisation), and a
  // 401 or 403 one about the asking credential.
  static const AnswerRules rules{"the user lookup by email"};
  return user_record(status, body, rules);
}

Result<UserProfile> fetch_user(const Endpoints& endpoints, const Secret& access_token, std::string_view user_id,
                               const HttpOptions& options, HttpConnection* connection) {
  if (!is_safe_word(user_id)) {
    return Error{ErrorKind::bad_response, "the access token's user id has unexpected characters"};
  }
  auto response = http_get(endpoints.api_url + "/v3/users/" + std::string(user_id),
                           {bearer_authorization(access_token)}, options, connection);
  if (!response) return response.error();
  return parse_user_response(response.value().status, response.value().body);
}

Result<UserProfile> fetch_user_by_email(const Endpoints& endpoints, const Secret& access_token, std::string_view email,
                                        const HttpOptions& options, HttpConnection* connection) {
  if (email.empty() || email.size() > 254) return Error{ErrorKind::invalid_input, "an email is 1 to 254 characters"};
  auto response = http_get(endpoints.api_url + "/v3/users?email=" + percent_encode(email),
                           {bearer_authorization(access_token)}, options, connection);
  if (!response) return response.error();
  auto user = parse_user_by_email_response(response.value().status, response.value().body);
  // The directory answers for this email and nobody else (ASCII case aside).
  if (user && to_lower_ascii(user.value().email) != to_lower_ascii(email)) {
    return Error{ErrorKind::bad_response, "the user lookup by email answered for another email"};
  }
  return user;
}

}  // namespace squadcast
