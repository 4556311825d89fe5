#include "squadcast/exchange.hpp"

#include "json_input.hpp"
#include "squadcast/api_answer.hpp"

namespace squadcast {
namespace {

constexpr std::size_t max_token_size = 4096;
constexpr std::size_t max_access_token_size = 16 * 1024;

// Tokens end up in protocol lines and headers: no byte may break out of them.
bool is_jwt_charset(std::string_view token) {
  for (char c : token) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Status check_refresh_token_shape(const Secret& token) {
  if (token.empty()) return Error{ErrorKind::invalid_input, "the refresh token is empty"};
  if (token.size() > max_token_size) {
    return Error{ErrorKind::invalid_input, "the refresh token is longer than 4 KiB"};
  }
  for (char c : token.reveal()) {
    auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7f) {
      return Error{ErrorKind::invalid_input,
                   "the refresh token contains whitespace, control or non-ASCII characters"};
    }
  }
  return success();
}

Result<ExchangedToken> parse_exchange_response(long status, std::string_view body) {
  static const AnswerRules rules{
      "the token exchange",
      {200},
      {{401, ErrorKind::revoked, "the refresh token was revoked or is invalid"},
       {403, ErrorKind::revoked, "the refresh token was revoked or is invalid"},
       {404, ErrorKind::refused, ""}}};  // not_found would read as "nothing stored"
  auto answer = answer_data(status, body, rules, nlohmann::json::value_t::object);
  if (!answer) return answer.error();
  nlohmann::json* data = &answer.value();
  ExchangedToken token;
  if (auto it = data->find("access_token"); it != data->end() && it->is_string()) {
    token.access_token = Secret(it->get_ref<const std::string&>());
    wipe_string(it->get_ref<std::string&>());
  }
  if (token.access_token.empty() || token.access_token.size() > max_access_token_size ||
      !is_jwt_charset(token.access_token.reveal())) {
    return Error{ErrorKind::bad_response, "the token exchange answer has no usable access_token"};
  }
  auto expires_at = integer_field(*data, "expires_at");
  if (!expires_at) return Error{ErrorKind::bad_response, "the token exchange answer has no expires_at"};
  token.expires_at = *expires_at;
  token.issued_at = integer_field(*data, "issued_at").value_or(0);
  if (auto it = data->find("refresh_token"); it != data->end() && it->is_string()) {
    token.refresh_token = Secret(it->get_ref<const std::string&>());
    wipe_string(it->get_ref<std::string&>());
    if (!token.refresh_token.empty() && !check_refresh_token_shape(token.refresh_token)) {
      return Error{ErrorKind::bad_response, "the token exchange answer has a malformed refresh_token"};
    }
  }
  if (auto type = string_field(*data, "type"); type && *type != "Bearer") {
    return Error{ErrorKind::bad_response, "the token exchange answer has token type '" + utf8_prefix(*type, 32) +
                                              "', expected Bearer"};
  }
  return token;
}

Result<ExchangedToken> exchange_refresh_token(const Endpoints& endpoints, const Secret& refresh_token,
                                              const HttpOptions& options, HttpConnection* connection) {
  if (auto shape = check_refresh_token_shape(refresh_token); !shape) return shape.error();
  auto response = http_get(endpoints.auth_url + "/oauth/access-token",
                           {{"X-Refresh-Token", refresh_token}}, options, connection);
  if (!response) return response.error();
  auto token = parse_exchange_response(response.value().status, response.value().body);
  wipe_string(response.value().body);
  if (token && token.value().refresh_token.empty()) token.value().refresh_token = refresh_token;
  return token;
}

}  // namespace squadcast
