#include "teams_api.hpp"

#include "crypto_utils.hpp"
#include "http_replies.hpp"

#include <memory>

namespace squadcast::emulator {
namespace {

using nlohmann::json;
using httplib::Request;
using httplib::Response;

void send_v4_error(Response& res, int status, const std::string& code, const std::string& message) {
  send_json(res, status, {{"error", {{"code", code}, {"message", message}, {"details", json::array()}}}});
}

// The caller behind "Authorization: Bearer <JWT>"; nullopt after answering 401.
std::optional<User> bearer_caller(EmulatorState& state, const Request& req, Response& res, bool v4) {
  const std::string header = req.get_header_value("Authorization");
  if (header.size() > 7 && header.compare(0, 7, "Bearer ") == 0) {
    if (auto user = state.authenticate(header.substr(7))) return user;
  }
  if (v4) send_v4_error(res, 401, "UNAUTHENTICATED", "invalid, expired or revoked access token");
  else send_error(res, 401, "Unauthorized: invalid, expired or revoked access token");
  return std::nullopt;
}

std::optional<std::size_t> cursor_offset(const std::string& cursor) {
  if (cursor.empty()) return 0;
  auto text = base64url_decode(cursor);
  if (!text || !text->starts_with("offset:")) return std::nullopt;
  try {
    return static_cast<std::size_t>(std::stoul(text->substr(7)));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string email_to_id(const EmulatorState& state, const std::string& email) {
  const auto user = state.user_by_email_anywhere(email);
  return user ? user->id : "";
}

void register_control(httplib::Server& server, EmulatorState& state, const std::shared_ptr<TeamsState>& teams) {
  server.Post("/_control/oncall/handoff", [&state, teams](const Request& req, Response& res) {
    const auto body = json_body(req, res);
    if (!body) return;
    const auto from = email_to_id(state, body->value("from", ""));
    const auto to = email_to_id(state, body->value("to", ""));
    if (from.empty() || to.empty()) return send_error(res, 404, "from and to must be seeded users' emails");
    if (!teams->hand_off(body->value("schedule_id", std::int64_t{0}), from, to)) {
      return send_error(res, 404, "no such schedule, or from is not on call on it");
    }
    send_json(res, 200, {{"ok", true}});
  });
  server.Post("/_control/oncall/pause", [teams](const Request& req, Response& res) {
    const auto body = json_body(req, res);
    if (!body) return;
    if (!teams->pause(body->value("schedule_id", std::int64_t{0}), body->value("paused", true))) {
      return send_error(res, 404, "no such schedule");
    }
    send_json(res, 200, {{"ok", true}});
  });
  server.Post("/_control/oncall/member", [&state, teams](const Request& req, Response& res) {
    const auto body = json_body(req, res);
    if (!body) return;
    const auto user = email_to_id(state, body->value("user_email", ""));
    if (user.empty() || !teams->set_member(body->value("team", ""), user, body->value("member", true))) {
      return send_error(res, 404, "no such team or user");
    }
    send_json(res, 200, {{"ok", true}});
  });
  server.Post("/_control/oncall/page_size", [teams](const Request& req, Response& res) {
    const auto body = json_body(req, res);
    if (!body) return;
    teams->set_page_size(body->value("size", 100));
    send_json(res, 200, {{"ok", true}});
  });
  server.Post("/_control/oncall/fault", [teams](const Request& req, Response& res) {
    const auto body = json_body(req, res);
    if (!body) return;
    TeamsFault fault{body->value("count", 1), body->value("status", 500), body->value("envelope", std::string("v4"))};
    if (fault.envelope != "v3" && fault.envelope != "v4" && fault.envelope != "none") {
      return send_error(res, 400, "envelope: v3|v4|none");
    }
    teams->add_fault(std::move(fault));
    send_json(res, 200, {{"ok", true}});
  });
  server.Get("/_control/oncall/counters", [teams](const Request&, Response& res) { send_json(res, 200, teams->counters()); });
  server.Post("/_control/oncall/reset", [&state, teams](const Request&, Response& res) {
    teams->reset();
    state.restore_deleted_users();
    send_json(res, 200, {{"ok", true}});
  });
}

}  // namespace

void register_teams_api(httplib::Server& server, EmulatorState& state, const std::shared_ptr<TeamsState>& teams) {
  server.Get("/v3/teams", [&state, teams](const Request& req, Response& res) {
    if (teams->arrive("teams", res)) return;
    const auto me = bearer_caller(state, req, res, false);
    if (!me) return;
    send_json(res, 200, {{"data", teams->visible_teams(*me)}});
  });

  server.Get(R"(/v3/teams/([^/]+)/members)", [&state, teams](const Request& req, Response& res) {
    if (teams->arrive("members", res)) return;
    const auto me = bearer_caller(state, req, res, false);
    if (!me) return;
    json members;
    switch (teams->members(*me, req.matches[1], members)) {
      case TeamAccess::not_found: return send_error(res, 404, "team not found");
      case TeamAccess::denied: return send_error(res, 403, "you are not allowed to see this team");
      case TeamAccess::ok: return send_json(res, 200, {{"data", members}});
    }
  });

  server.Get("/v4/schedules", [&state, teams](const Request& req, Response& res) {
    if (teams->arrive("schedules", res)) return;
    const auto me = bearer_caller(state, req, res, true);
    if (!me) return;
    const std::string team_id = req.get_param_value("teamID");
    if (team_id.empty()) return send_v4_error(res, 400, "INVALID_ARGUMENT", "teamID is required");
    // Only the "my on call" listing is emulated: the one the clients use.
    if (req.get_param_value("myOnCall") != "true") {
      return send_v4_error(res, 501, "UNIMPLEMENTED", "the emulator serves myOnCall=true only");
    }
    const auto offset = cursor_offset(req.get_param_value("cursor"));
    if (!offset) return send_v4_error(res, 400, "INVALID_ARGUMENT", "bad cursor");
    json page;
    switch (teams->my_on_call(*me, team_id, *offset, page)) {
      case TeamAccess::not_found: return send_v4_error(res, 404, "NOT_FOUND", "team not found");
      case TeamAccess::denied: return send_v4_error(res, 403, "PERMISSION_DENIED", "you are not allowed to see this team");
      case TeamAccess::ok: return send_json(res, 200, page);
    }
  });

  register_control(server, state, teams);
}

}  // namespace squadcast::emulator
