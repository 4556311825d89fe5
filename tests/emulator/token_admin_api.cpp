#include "token_admin_api.hpp"

#include "crypto_utils.hpp"
#include "fault_injection.hpp"
#include "http_replies.hpp"

#include <algorithm>
#include <cctype>

namespace squadcast::emulator {
namespace {

using nlohmann::json;

json token_json(const EmulatorState& state, const RefreshToken& t) {
  return {{"id", t.id},
          {"organization_id", t.organization_id},
          {"user_id", t.user_id},
          {"token", t.token},
          {"last_refresh", t.last_refresh},
          {"rate_limit", state.rate_limits.limit_of(t.id)},
          {"deleted", t.deleted}};
}

// "Bearer <JWT>" -> the JWT, or "".
std::string bearer_of(const httplib::Request& req) {
  const std::string header = req.get_header_value("Authorization");
  constexpr std::string_view scheme = "bearer ";
  if (header.size() <= scheme.size()) return "";
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(header[i])) != scheme[i]) return "";
  }
  return header.substr(scheme.size());
}

// The refresh token a request spends: the exchange's header, or the refresh_token claim
// of the bearer (unverified: only for counting; the handlers verify).
std::string spent_refresh_token(const httplib::Request& req) {
  if (req.has_header("X-Refresh-Token")) return req.get_header_value("X-Refresh-Token");
  const std::string jwt = bearer_of(req);
  const auto first = jwt.find('.');
  const auto second = first == std::string::npos ? first : jwt.find('.', first + 1);
  if (second == std::string::npos) return "";
  const auto payload = base64url_decode(std::string_view(jwt).substr(first + 1, second - first - 1));
  if (!payload) return "";
  const auto claims = json::parse(*payload, nullptr, false);
  if (!claims.is_object()) return "";
  const auto rt = claims.find("refresh_token");
  return rt != claims.end() && rt->is_string() ? rt->get<std::string>() : "";
}

// Account owners, and any role with the manage-api-tokens ability; 403 for the rest.
std::optional<User> token_administrator(EmulatorState& state, const httplib::Request& req,
                                        httplib::Response& res) {
  const auto user = state.authenticate(bearer_of(req));
  if (!user) {
    send_error(res, 401, "Unauthorized: invalid, expired or revoked access token");
    return std::nullopt;
  }
  const bool ability = std::find(user->abilities.begin(), user->abilities.end(), "manage-api-tokens") !=
                       user->abilities.end();
  if (user->role != "account_owner" && !ability) {
    send_error(res, 403, "only the account owner or a role with manage-api-tokens can manage API tokens");
    return std::nullopt;
  }
  return user;
}

}  // namespace

std::optional<std::string> spending_token_id(const EmulatorState& state, const httplib::Request& req) {
  const auto token = state.token_by_value(spent_refresh_token(req));
  if (!token) return std::nullopt;
  return token->id;
}

bool refuse_over_rate_limit(EmulatorState& state, const std::string& token_id, httplib::Response& res) {
  const auto wait = state.rate_limits.admit(token_id);
  if (!wait) return false;
  res.set_header("Retry-After", std::to_string(*wait));
  send_error(res, 429, "rate limit exceeded for this token");
  return true;
}

void register_token_admin_api(httplib::Server& server, EmulatorState& state) {
  server.Get("/v3/refresh-token", [&state](const httplib::Request& req, httplib::Response& res) {
    const auto me = token_administrator(state, req, res);
    if (!me) return;
    json list = json::array();
    for (const auto& t : state.tokens_in(me->organization_id)) list.push_back(token_json(state, t));
    send_json(res, 200, {{"data", list}});
  });

  post_with_faults(server, state, "/v3/refresh-token", [&state](const httplib::Request& req, httplib::Response& res) {
    const auto me = token_administrator(state, req, res);
    if (!me) return;
    const auto body = json_body(req, res);
    if (!body) return;
    const auto user_id = body->find("user_id");
    if (user_id == body->end() || !user_id->is_string()) return send_error(res, 422, "user_id is required");
    const auto token = state.create_token(me->organization_id, user_id->get<std::string>());
    if (!token) return send_error(res, 404, "user not found");
    send_json(res, 201, {{"data", token_json(state, *token)}});
  });

  server.Delete(R"(/v3/refresh-token/([^/]+))", [&state](const httplib::Request& req, httplib::Response& res) {
    const auto me = token_administrator(state, req, res);
    if (!me) return;
    if (!state.delete_token(me->organization_id, req.matches[1])) {
      return send_error(res, 404, "refresh token not found");
    }
    res.status = 204;
  });

  // {"user_email":"alice@acme.test","abilities":["manage-api-tokens"]}: a role other than
  // the owner's that may administer tokens.
  server.Post("/_control/abilities", [&state](const httplib::Request& req, httplib::Response& res) {
    const auto body = json_body(req, res);
    if (!body) return;
    const auto email = body->find("user_email");
    const auto abilities = body->find("abilities");
    if (email == body->end() || !email->is_string() || abilities == body->end() || !abilities->is_array()) {
      return send_error(res, 400, "user_email and abilities (a list of slugs) are required");
    }
    std::vector<std::string> slugs;
    for (const auto& slug : *abilities) {
      if (!slug.is_string()) return send_error(res, 400, "abilities are slugs (strings)");
      slugs.push_back(slug.get<std::string>());
    }
    if (!state.set_abilities(email->get<std::string>(), std::move(slugs))) return send_error(res, 404, "no such user");
    send_json(res, 200, {{"ok", true}});
  });

  // {"token_id":"tok-user","per_minute":30} sets one token's limit; {"per_minute":N}
  // every token's; {"enabled":false} stops enforcing. Answers the 429 count so far.
  server.Post("/_control/rate_limit", [&state](const httplib::Request& req, httplib::Response& res) {
    const auto body = json_body(req, res);
    if (!body) return;
    const auto enabled = body->find("enabled");
    if (enabled != body->end() && enabled->is_boolean()) state.rate_limits.set_enabled(enabled->get<bool>());
    const auto per_minute = body->find("per_minute");
    if (per_minute != body->end()) {
      if (!per_minute->is_number_integer()) return send_error(res, 400, "per_minute must be an integer");
      const auto id = body->find("token_id");
      if (id != body->end() && id->is_string()) {
        if (!state.current_token(id->get<std::string>())) return send_error(res, 404, "no such token id");
        state.rate_limits.set_limit(id->get<std::string>(), per_minute->get<long>());
      } else {
        state.rate_limits.set_default(per_minute->get<long>());
      }
    }
    send_json(res, 200, {{"ok", true}, {"refused", state.rate_limits.refused()}});
  });
}

}  // namespace squadcast::emulator
