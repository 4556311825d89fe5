#include "squadcast/user_lookup.hpp"

#include "json_input.hpp"

namespace squadcast {

namespace {

// Roles and slugs are words; anything else could forge protocol or log lines.
bool is_word(const std::string& value) {
  if (value.empty() || value.size() > 64) return false;
  for (char c : value) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Result<UserProfile> parse_user_response(long status, std::string_view body) {
  if (status == 401 || status == 403) {
    return Error{ErrorKind::revoked, "Squadcast refused the access token (HTTP " + std::to_string(status) + ")"};
  }
  if (status == 404) return Error{ErrorKind::refused, "Squadcast does not know the token's user (HTTP 404)"};
  if (status == 429) return Error{ErrorKind::rate_limited, "Squadcast is rate limiting this token (HTTP 429)"};
  if (status >= 500) {
    return Error{ErrorKind::server_error, "Squadcast answered the user lookup with HTTP " + std::to_string(status)};
  }
  if (status != 200) {  // a definite no, never an outage
    return Error{ErrorKind::refused, "Squadcast refused the user lookup: HTTP " + std::to_string(status)};
  }
  auto parsed = parse_untrusted_json(body);
  if (!parsed) return Error{ErrorKind::bad_response, "the user lookup answer is not valid JSON"};
  auto data = parsed->is_object() ? parsed->find("data") : parsed->end();
  if (!parsed->is_object() || data == parsed->end() || !data->is_object()) {
    return Error{ErrorKind::bad_response, "the user lookup answer has no data object"};
  }
  UserProfile user;
  auto role = string_field(*data, "role");
  if (!role || role->empty()) return Error{ErrorKind::bad_response, "the user lookup answer has no role"};
  if (!is_word(*role)) return Error{ErrorKind::bad_response, "the user lookup answer has a malformed role"};
  user.role = *role;
  user.id = string_field(*data, "id").value_or("");
  if (!user.id.empty() && !is_word(user.id)) return Error{ErrorKind::bad_response, "the user lookup answer has a malformed id"};
  user.email = string_field(*data, "email").value_or("");
  if (auto abilities = data->find("abilities"); abilities != data->end() && abilities->is_array()) {
    for (const auto& ability : *abilities) {
      auto slug = ability.is_string() ? std::optional<std::string>(ability.get<std::string>())
                                      : string_field(ability, "slug");
      if (slug && is_word(*slug)) user.abilities.push_back(*slug);
    }
  }
  return user;
}

Result<UserProfile> fetch_user(const Endpoints& endpoints, const Secret& access_token, std::string_view user_id,
                               const HttpOptions& options, HttpConnection* connection) {
  for (char c : user_id) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
    if (!ok) return Error{ErrorKind::bad_response, "the access token's user id has unexpected characters"};
  }
  auto response = http_get(endpoints.api_url + "/v3/users/" + std::string(user_id),
                           {bearer_authorization(access_token)}, options, connection);
  if (!response) return response.error();
  return parse_user_response(response.value().status, response.value().body);
}

}  // namespace squadcast
