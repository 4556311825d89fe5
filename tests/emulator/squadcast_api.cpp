#include "squadcast_api.hpp"

#include "crypto_utils.hpp"
#include "http_replies.hpp"

#include <cctype>

namespace squadcast::emulator {
namespace {

using nlohmann::json;

const char* const kRoles[] = {"account_owner", "admin", "user", "stakeholder"};

// "manage-api-tokens" -> "Manage API Tokens": what the web app shows.
std::string display_name(const std::string& slug) {
  std::string out;
  bool word_start = true;
  for (char c : slug) {
    if (c == '-' || c == '_') {
      out.push_back(' ');
      word_start = true;
    } else {
      out.push_back(word_start ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c);
      word_start = false;
    }
  }
  for (const char* word : {"Api ", "Sso "}) {
    if (auto at = out.find(word); at != std::string::npos) {
      out[at + 1] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[at + 1])));
      out[at + 2] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[at + 2])));
    }
  }
  return out;
}

json user_json(const User& u) {
  json abilities = json::array();
  for (const auto& slug : u.abilities) {
    abilities.push_back({{"id", stable_object_id("ability:" + slug)},
                         {"name", display_name(slug)},
                         {"slug", slug},
                         {"default", true}});
  }
  return {{"id", u.id},
          {"first_name", u.first_name},
          {"last_name", u.last_name},
          {"username_for_display", u.first_name + " " + u.last_name},
          {"email", u.email},
          {"contact", {{"dial_code", "+1"}, {"phone_number", ""}}},
          {"secondary_emails", json::array()},
          {"email_verified", true},
          {"time_zone", "UTC"},
          {"title", ""},
          {"bio", ""},
          {"notification_rules", json::object()},
          {"user_image", ""},
          {"role_id", stable_object_id("role:" + u.role)},
          {"role", u.role},
          {"abilities", abilities}};
}

}  // namespace

std::optional<User> v3_caller(EmulatorState& state, const httplib::Request& req, httplib::Response& res) {
  const std::string header = req.get_header_value("Authorization");
  constexpr std::string_view kScheme = "bearer ";
  bool scheme_ok = header.size() > kScheme.size();
  for (std::size_t i = 0; scheme_ok && i < kScheme.size(); ++i) {
    scheme_ok = std::tolower(static_cast<unsigned char>(header[i])) == kScheme[i];
  }
  if (scheme_ok) {
    if (auto user = state.authenticate(header.substr(kScheme.size()))) return user;
  }
  send_error(res, 401, "Unauthorized: invalid, expired or revoked access token");
  return std::nullopt;
}

void register_squadcast_api(httplib::Server& server, EmulatorState& state) {
  server.Get("/oauth/access-token", [&state](const httplib::Request& req, httplib::Response& res) {
    const auto ex = state.exchange(req.get_header_value("X-Refresh-Token"));
    if (!ex) return send_error(res, 401, "Invalid refresh token");
    send_json(res, 200, {{"data", {{"access_token", ex->access_token},
                                   {"expires_at", ex->expires_at},
                                   {"issued_at", ex->issued_at},
                                   {"refresh_token", ex->refresh_token},
                                   {"type", "Bearer"}}}});
  });

  // Registered before /v3/users/{id}: routes match in registration order.
  server.Get("/v3/users/roles", [&state](const httplib::Request& req, httplib::Response& res) {
    if (!v3_caller(state, req, res)) return;
    json roles = json::array();
    for (const char* r : kRoles) {
      roles.push_back({{"id", stable_object_id(std::string("role:") + r)},
                       {"name", display_name(r)},
                       {"slug", r},
                       {"default", true}});
    }
    send_json(res, 200, {{"data", roles}});
  });

  server.Get(R"(/v3/users/([^/]+))", [&state](const httplib::Request& req, httplib::Response& res) {
    const auto me = v3_caller(state, req, res);
    if (!me) return;
    // Another organisation's user looks exactly like a missing one.
    const auto user = state.user_by_id(me->organization_id, req.matches[1]);
    if (!user) return send_error(res, 404, "user not found");
    send_json(res, 200, {{"data", user_json(*user)}});
  });

  server.Get("/v3/users", [&state](const httplib::Request& req, httplib::Response& res) {
    const auto me = v3_caller(state, req, res);
    if (!me) return;
    if (req.has_param("email")) {
      const auto user = state.user_by_email(me->organization_id, req.get_param_value("email"));
      if (!user) return send_error(res, 404, "user not found");
      return send_json(res, 200, {{"data", user_json(*user)}});
    }
    json list = json::array();
    for (const auto& u : state.users_in(me->organization_id)) list.push_back(user_json(u));
    send_json(res, 200, {{"data", list}});
  });
}

}  // namespace squadcast::emulator
