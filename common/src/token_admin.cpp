#include "squadcast/token_admin.hpp"

#include "json_input.hpp"
#include "squadcast/api_answer.hpp"
#include "squadcast/sha256.hpp"

namespace squadcast {

namespace {

// Names and emails reach a terminal: no control characters, bounded length.
std::string printable(const std::optional<std::string>& value) {
  std::string text = value.value_or("");
  if (text.size() > 256) text.resize(256);
  for (char& c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) c = '?';
  }
  return text;
}

// The rules every token-administration call shares: a 403 says what the call needs, and a
// 404 is "no such user" only where the call names a user.
AnswerRules admin_rules(const std::string& action, std::vector<long> success = {200},
                        ErrorKind on_404 = ErrorKind::refused) {
  return {"the request to " + action,
          std::move(success),
          {{403, ErrorKind::forbidden, "Squadcast refused to " + action + ": that needs " + token_admin_requirement},
           {404, on_404}}};
}

// Reads one token object; the value is hashed in place and then wiped from the DOM.
Result<TokenRecord> token_record(nlohmann::json& object, Secret* value_out) {
  if (!object.is_object()) return Error{ErrorKind::bad_response, "a refresh token entry is not an object"};
  TokenRecord record;
  record.id = string_field(object, "id").value_or("");
  if (!is_safe_word(record.id)) return Error{ErrorKind::bad_response, "a refresh token entry has no usable id"};
  record.user_id = string_field(object, "user_id").value_or("");
  if (!record.user_id.empty() && !is_safe_word(record.user_id)) {
    return Error{ErrorKind::bad_response, "a refresh token entry has a malformed user_id"};
  }
  record.organization_id = printable(string_field(object, "organization_id"));
  record.last_refresh = integer_field(object, "last_refresh").value_or(0);
  record.rate_limit = integer_field(object, "rate_limit").value_or(0);
  record.deleted = bool_field(object, "deleted").value_or(false);
  if (auto token = object.find("token"); token != object.end() && token->is_string()) {
    auto& text = token->get_ref<std::string&>();
    if (!text.empty()) {
      Secret value(text);
      record.fingerprint = token_fingerprint(value);
      if (value_out != nullptr) *value_out = std::move(value);
    }
    wipe_string(text);
  }
  return record;
}

}  // namespace

std::string token_fingerprint(const Secret& token) { return sha256_hex(token.reveal()).substr(0, 8); }

Result<std::vector<TokenRecord>> parse_token_list(long status, std::string_view body) {
  auto data = answer_data(status, body, admin_rules("list the refresh tokens"), nlohmann::json::value_t::array);
  if (!data) return data.error();
  std::vector<TokenRecord> records;
  Status failed = success();
  for (auto& entry : data.value()) {
    auto record = token_record(entry, nullptr);
    if (!record) {
      failed = record.error();
      break;
    }
    records.push_back(std::move(record).value());
  }
  wipe_json(data.value());
  if (!failed) return failed.error();  // a partial list could hide a token from an offboarding
  return records;
}

Result<CreatedToken> parse_created_token(long status, std::string_view body) {
  auto data = answer_data(status, body, admin_rules("create a refresh token", {200, 201}, ErrorKind::not_found),
                          nlohmann::json::value_t::object);
  if (!data) return data.error();
  CreatedToken created;
  auto record = token_record(data.value(), &created.token);
  wipe_json(data.value());
  if (!record) return record.error();
  if (created.token.empty()) return Error{ErrorKind::bad_response, "the new refresh token came without its value"};
  created.record = std::move(record).value();
  return created;
}

Result<std::vector<OrgUser>> parse_user_list(long status, std::string_view body) {
  auto data = answer_data(status, body, admin_rules("list the users"), nlohmann::json::value_t::array);
  if (!data) return data.error();
  std::vector<OrgUser> users;
  for (const auto& entry : data.value()) {
    OrgUser user;
    user.id = string_field(entry, "id").value_or("");
    if (!is_safe_word(user.id)) continue;  // unusable either way: nothing can be assigned to it
    user.email = printable(string_field(entry, "email"));
    user.first_name = printable(string_field(entry, "first_name"));
    user.last_name = printable(string_field(entry, "last_name"));
    user.role = printable(string_field(entry, "role"));
    users.push_back(std::move(user));
  }
  return users;
}

Result<RevokeOutcome> parse_revoke_answer(long status, std::string_view body) {
  if (status == 404) return RevokeOutcome::already_gone;
  if (auto error = classify_answer(status, body, admin_rules("revoke refresh tokens", {200, 204}))) return *error;
  return RevokeOutcome::revoked;
}

TokenAdminClient::TokenAdminClient(Endpoints endpoints, Secret access_token, HttpOptions options)
    : endpoints_(std::move(endpoints)), access_token_(std::move(access_token)), options_(std::move(options)) {}

std::vector<HttpHeader> TokenAdminClient::bearer() const {
  std::string value;
  value.reserve(7 + access_token_.size());
  value.append("Bearer ").append(access_token_.reveal());
  std::vector<HttpHeader> headers;
  headers.push_back({"Authorization", Secret(value)});
  wipe_string(value);
  return headers;
}

Result<std::vector<TokenRecord>> TokenAdminClient::list_tokens() {
  auto response = http_get(endpoints_.api_url + "/v3/refresh-token", bearer(), options_, &connection_);
  if (!response) return response.error();
  auto parsed = parse_token_list(response.value().status, response.value().body);
  wipe_string(response.value().body);
  return parsed;
}

Result<std::vector<OrgUser>> TokenAdminClient::list_users() {
  auto response = http_get(endpoints_.api_url + "/v3/users", bearer(), options_, &connection_);
  if (!response) return response.error();
  return parse_user_list(response.value().status, response.value().body);
}

Result<CreatedToken> TokenAdminClient::create_token(std::string_view user_id) {
  const std::string id(user_id);
  if (!is_safe_word(id)) return Error{ErrorKind::invalid_input, "the user id has unexpected characters"};
  const std::string body = nlohmann::json{{"user_id", id}}.dump();
  auto response = http_send("POST", endpoints_.api_url + "/v3/refresh-token", bearer(), body, options_, &connection_);
  if (!response) return response.error();
  auto parsed = parse_created_token(response.value().status, response.value().body);
  wipe_string(response.value().body);
  return parsed;
}

Result<RevokeOutcome> TokenAdminClient::revoke_token(std::string_view token_id) {
  const std::string id(token_id);
  if (!is_safe_word(id)) return Error{ErrorKind::invalid_input, "'" + id.substr(0, 64) + "' is not a token id"};
  auto response =
      http_send("DELETE", endpoints_.api_url + "/v3/refresh-token/" + id, bearer(), {}, options_, &connection_);
  if (!response) return response.error();
  return parse_revoke_answer(response.value().status, response.value().body);
}

}  // namespace squadcast
