#include "control_api.hpp"

#include "http_replies.hpp"

#include <set>

namespace squadcast::emulator {
namespace {

using nlohmann::json;
using httplib::Request;
using httplib::Response;

// A string field of the body, or "" when absent or not a string.
std::string text(const json& body, const char* key) {
  const auto it = body.find(key);
  return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

void ok(Response& res, json extra = json::object()) {
  extra["ok"] = true;
  send_json(res, 200, extra);
}

void add_fault(EmulatorState& state, const json& body, Response& res) {
  static const std::set<std::string> kEndpoints = {"exchange", "user", "graphql", "any"};
  static const std::set<std::string> kModes = {"none",      "status", "malformed",
                                               "truncated", "huge",   "drop", "hang", "body"};
  Fault f;
  f.endpoint = text(body, "endpoint");
  f.mode = body.contains("mode") ? text(body, "mode") : "status";
  f.remaining = body.value("count", 1);
  f.status = body.value("status", 0);
  f.retry_after = text(body, "retry_after");
  f.delay_ms = body.value("delay_ms", 0);
  f.body = text(body, "body");
  if (f.mode.empty()) f.mode = "none";
  if (!kEndpoints.count(f.endpoint)) return send_error(res, 400, "endpoint: exchange|user|graphql|any");
  if (!kModes.count(f.mode)) return send_error(res, 400, "unknown fault mode");
  if (f.remaining <= 0) {  // count 0 cancels what is queued for that endpoint
    state.clear_faults(f.endpoint);
    return ok(res);
  }
  if (f.status == 0) f.status = 503;
  state.add_fault(std::move(f));
  ok(res);
}

}  // namespace

void register_control_api(httplib::Server& server, EmulatorState& state) {
  server.Post("/_control/revoke", [&state](const Request& req, Response& res) {
    const auto body = json_body(req, res);
    if (!body) return;
    int revoked = 0;
    if (const auto id = text(*body, "token_id"); !id.empty()) {
      revoked = state.revoke_token_id(id);
    } else if (const auto email = text(*body, "user_email"); !email.empty()) {
      revoked = state.revoke_user_tokens(email);
    } else {
      return send_error(res, 400, "token_id or user_email is required");
    }
    if (revoked == 0) return send_error(res, 404, "no live token matched");
    ok(res, {{"revoked", revoked}});
  });

  server.Post("/_control/role", [&state](const Request& req, Response& res) {
    const auto body = json_body(req, res);
    if (!body) return;
    // Any role string is accepted on purpose: tests need unknown roles too.
    const auto role = text(*body, "role");
    if (role.empty()) return send_error(res, 400, "role is required");
    if (!state.set_role(text(*body, "user_email"), role)) {
      return send_error(res, 404, "no such user");
    }
    ok(res);
  });

  server.Post("/_control/lifetime", [&state](const Request& req, Response& res) {
    const auto body = json_body(req, res);
    if (!body) return;
    const auto seconds = body->find("seconds");
    if (seconds == body->end() || !seconds->is_number_integer()) {
      return send_error(res, 400, "seconds (integer) is required");
    }
    state.set_lifetime(seconds->get<long>());
    ok(res);
  });

  server.Post("/_control/rotation", [&state](const Request& req, Response& res) {
    const auto body = json_body(req, res);
    if (!body) return;
    state.set_rotation(body->value("enabled", false));
    ok(res);
  });

  server.Get("/_control/token", [&state](const Request& req, Response& res) {
    const auto token = state.current_token(req.get_param_value("token_id"));
    if (!token) return send_error(res, 404, "no such token id");
    ok(res, {{"token", *token}});
  });

  server.Post("/_control/fault", [&state](const Request& req, Response& res) {
    const auto body = json_body(req, res);
    if (!body) return;
    add_fault(state, *body, res);
  });

  server.Get("/_control/counters", [&state](const Request&, Response& res) {
    send_json(res, 200, state.counters());
  });

  server.Get("/_control/token_counters", [&state](const Request&, Response& res) {
    send_json(res, 200, state.token_counters());
  });

  // {"user_email":"bob@acme.test"}: the user is deleted (gone from lookups, lists, teams,
  // squads and on-call; every token of theirs revoked) until a reset.
  server.Post("/_control/user/delete", [&state](const Request& req, Response& res) {
    const auto body = json_body(req, res);
    if (!body) return;
    if (!state.delete_user(text(*body, "user_email"))) return send_error(res, 404, "no such user");
    ok(res);
  });

  server.Post("/_control/reset", [&state](const Request&, Response& res) {
    state.reset();
    ok(res);
  });
}

}  // namespace squadcast::emulator
