#include "squadcast/token_admin.hpp"

#include "json_input.hpp"
#include "squadcast/sha256.hpp"

namespace squadcast {

namespace {

// Ids go into URL paths: words only, so a hostile answer cannot steer a request.
bool is_id(const std::string& value) {
  if (value.empty() || value.size() > 64) return false;
  for (char c : value) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

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

// The statuses every token-administration call shares.
std::optional<Error> common_refusal(long status, const char* what) {
  const std::string http = " (HTTP " + std::to_string(status) + ")";
  if (status == 401) return Error{ErrorKind::revoked, std::string("Squadcast refused the access token to ") + what + http};
  if (status == 403) {
    return Error{ErrorKind::forbidden,
                 std::string("Squadcast refused to ") + what + ": that needs " + token_admin_requirement + http};
  }
  if (status == 429) return Error{ErrorKind::rate_limited, std::string("Squadcast is rate limiting this token") + http};
  return std::nullopt;
}

Error unexpected(long status, const char* what) {
  return Error{ErrorKind::server_error, std::string("unexpected answer when trying to ") + what + ": HTTP " +
                                            std::to_string(status)};
}

// Reads one token object; the value is hashed in place and then wiped from the DOM.
Result<TokenRecord> token_record(nlohmann::json& object, Secret* value_out) {
  if (!object.is_object()) return Error{ErrorKind::bad_response, "a refresh token entry is not an object"};
  TokenRecord record;
  record.id = string_field(object, "id").value_or("");
  if (!is_id(record.id)) return Error{ErrorKind::bad_response, "a refresh token entry has no usable id"};
  record.user_id = string_field(object, "user_id").value_or("");
  if (!record.user_id.empty() && !is_id(record.user_id)) {
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

// Every string in the DOM wiped: the answers carry token values.
void wipe_json(nlohmann::json& value) {
  if (value.is_string()) {
    wipe_string(value.get_ref<std::string&>());
  } else if (value.is_structured()) {
    for (auto& child : value) wipe_json(child);
  }
}

Result<nlohmann::json> data_of(std::string_view body, const char* what) {
  auto parsed = parse_untrusted_json(body);
  if (!parsed || !parsed->is_object() || !parsed->contains("data")) {
    return Error{ErrorKind::bad_response, std::string("the answer to ") + what + " has no data"};
  }
  nlohmann::json data = std::move((*parsed)["data"]);
  wipe_json(*parsed);
  return data;
}

}  // namespace

std::string token_fingerprint(const Secret& token) { return sha256_hex(token.reveal()).substr(0, 8); }

Result<std::vector<TokenRecord>> parse_token_list(long status, std::string_view body) {
  if (auto refused = common_refusal(status, "list the refresh tokens")) return *refused;
  if (status != 200) return unexpected(status, "list the refresh tokens");
  auto data = data_of(body, "the token list");
  if (!data) return data.error();
  if (!data.value().is_array()) return Error{ErrorKind::bad_response, "the token list is not an array"};
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
  if (auto refused = common_refusal(status, "create a refresh token")) return *refused;
  if (status == 404) return Error{ErrorKind::not_found, "Squadcast does not know that user (HTTP 404)"};
  if (status != 201 && status != 200) return unexpected(status, "create a refresh token");
  auto data = data_of(body, "the token creation");
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
  if (auto refused = common_refusal(status, "list the users")) return *refused;
  if (status != 200) return unexpected(status, "list the users");
  auto data = data_of(body, "the user list");
  if (!data) return data.error();
  if (!data.value().is_array()) return Error{ErrorKind::bad_response, "the user list is not an array"};
  std::vector<OrgUser> users;
  for (const auto& entry : data.value()) {
    OrgUser user;
    user.id = string_field(entry, "id").value_or("");
    if (!is_id(user.id)) continue;  // unusable either way: nothing can be assigned to it
    user.email = printable(string_field(entry, "email"));
    user.first_name = printable(string_field(entry, "first_name"));
    user.last_name = printable(string_field(entry, "last_name"));
    user.role = printable(string_field(entry, "role"));
    users.push_back(std::move(user));
  }
  return users;
}

Result<RevokeOutcome> parse_revoke_answer(long status, std::string_view) {
  if (auto refused = common_refusal(status, "revoke refresh tokens")) return *refused;
  if (status == 404) return RevokeOutcome::already_gone;
  if (status == 204 || status == 200) return RevokeOutcome::revoked;
  return unexpected(status, "revoke a refresh token");
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
  if (!is_id(id)) return Error{ErrorKind::invalid_input, "the user id has unexpected characters"};
  const std::string body = nlohmann::json{{"user_id", id}}.dump();
  auto response = http_send("POST", endpoints_.api_url + "/v3/refresh-token", bearer(), body, options_, &connection_);
  if (!response) return response.error();
  auto parsed = parse_created_token(response.value().status, response.value().body);
  wipe_string(response.value().body);
  return parsed;
}

Result<RevokeOutcome> TokenAdminClient::revoke_token(std::string_view token_id) {
  const std::string id(token_id);
  if (!is_id(id)) return Error{ErrorKind::invalid_input, "'" + id.substr(0, 64) + "' is not a token id"};
  auto response =
      http_send("DELETE", endpoints_.api_url + "/v3/refresh-token/" + id, bearer(), {}, options_, &connection_);
  if (!response) return response.error();
  return parse_revoke_answer(response.value().status, response.value().body);
}

}  // namespace squadcast
