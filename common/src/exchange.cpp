#include "squadcast/exchange.hpp"

#include "json_input.hpp"

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

// At most max bytes of s, never ending inside a UTF-8 sequence: the text may end up in
// JSON output, where a torn character makes nlohmann::json::dump() throw.
std::string utf8_prefix(std::string s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  s.resize(cut);
  return s;
}

std::string describe_status(long status, std::string_view body) {
  std::string text = "HTTP " + std::to_string(status);
  std::string message = error_envelope_message(body);
  if (!message.empty()) text += " (" + message + ")";
  return text;
}

}  // namespace

std::string error_envelope_message(std::string_view body) {
  auto parsed = parse_untrusted_json(body);
  if (!parsed || !parsed->is_object()) return "";
  // v3 answers {"meta":{"error_message"}}, v4 {"error":{"code","message"}}; either may be absent.
  std::string message;
  if (auto meta = parsed->find("meta"); meta != parsed->end()) {
    message = string_field(*meta, "error_message").value_or("");
  } else if (auto v4 = parsed->find("error"); v4 != parsed->end()) {
    message = string_field(*v4, "message").value_or(string_field(*v4, "code").value_or(""));
  } else {
    return "";
  }
  // Server text goes into our messages: keep it short and printable.
  message = utf8_prefix(message, 200);
  for (char& c : message) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  return message;
}

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
  if (status == 401 || status == 403) {
    return Error{ErrorKind::revoked, "the refresh token was revoked or is invalid (" + describe_status(status, body) + ")"};
  }
  if (status == 429) return Error{ErrorKind::rate_limited, "Squadcast is rate limiting this token (HTTP 429)"};
  if (status >= 500) return Error{ErrorKind::server_error, "Squadcast answered " + describe_status(status, body)};
  if (status != 200) {  // 400, 402, 404, 410, 422...: Squadcast said no, it was not unreachable
    return Error{ErrorKind::refused, "Squadcast refused the token exchange: " + describe_status(status, body)};
  }

  auto parsed = parse_untrusted_json(body);
  if (!parsed) return Error{ErrorKind::bad_response, "the token exchange answer is not valid JSON"};
  auto data = parsed->is_object() ? parsed->find("data") : parsed->end();
  if (!parsed->is_object() || data == parsed->end() || !data->is_object()) {
    return Error{ErrorKind::bad_response, "the token exchange answer has no data object"};
  }
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
