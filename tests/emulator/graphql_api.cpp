#include "graphql_api.hpp"

#include "fault_injection.hpp"
#include "http_replies.hpp"
#include "squadcast_api.hpp"

#include <set>

namespace squadcast::emulator {
namespace {

using nlohmann::json;

// The teamID of {"query": "...whoIsOncall...", "variables": {"filters": {"teamID": "..."}}},
// or "" after answering the GraphQL error (HTTP 200) that the real server would.
std::string who_is_on_call_team(const httplib::Request& req, httplib::Response& res) {
  const auto body = json::parse(req.body, nullptr, false);
  if (!body.is_object()) {
    send_graphql_error(res, "request body must be a JSON object with a query");
    return "";
  }
  const auto query = body.find("query");
  if (query == body.end() || !query->is_string() || query->get_ref<const std::string&>().find("whoIsOncall") == std::string::npos) {
    send_graphql_error(res, "unsupported query: the emulator answers whoIsOncall only");
    return "";
  }
  const json variables = body.value("variables", json::object());
  const json filters = variables.is_object() ? variables.value("filters", json::object()) : json();
  const auto team = filters.is_object() ? filters.find("teamID") : filters.end();
  if (!filters.is_object() || team == filters.end() || !team->is_string() || team->get_ref<const std::string&>().empty()) {
    send_graphql_error(res, "whoIsOncall: filters.teamID is required");
    return "";
  }
  return team->get<std::string>();
}

}  // namespace

void register_graphql_api(httplib::Server& server, EmulatorState& state, const std::shared_ptr<TeamsState>& teams) {
  post_with_faults(server, state, "/v3/graphql", [&state, teams](const httplib::Request& req, httplib::Response& res) {
    if (teams->arrive("graphql", res)) return;  // /_control/oncall/fault reaches it too
    const auto me = v3_caller(state, req, res);
    if (!me) return;
    const std::string team_id = who_is_on_call_team(req, res);
    if (team_id.empty()) return;
    json list;
    switch (teams->who_is_on_call(*me, team_id, list)) {
      case TeamAccess::not_found: return send_graphql_error(res, "team not found");
      case TeamAccess::denied: return send_graphql_error(res, "access denied");
      case TeamAccess::ok: return send_json(res, 200, {{"data", {{"whoIsOncall", list}}}});
    }
  });

  // {"count":N,"message":"...","mode":"errors"|"malformed"|"partial"}: the next N GraphQL
  // requests answer 200 with that failure; count 0 cancels the queued graphql faults.
  server.Post("/_control/graphql_error", [&state](const httplib::Request& req, httplib::Response& res) {
    static const std::set<std::string> kGraphqlModes = {"errors", "malformed", "partial"};
    const auto body = json_body(req, res);
    if (!body) return;
    const std::string mode = body->value("mode", std::string("errors"));
    if (!kGraphqlModes.count(mode)) return send_error(res, 400, "mode: errors|malformed|partial");
    Fault fault;
    fault.endpoint = "graphql";
    fault.remaining = body->value("count", 1);
    fault.mode = "graphql_" + mode;
    fault.body = body->value("message", std::string("injected GraphQL error"));
    if (fault.remaining <= 0) state.clear_faults("graphql");
    else state.add_fault(std::move(fault));
    send_json(res, 200, {{"ok", true}});
  });
}

}  // namespace squadcast::emulator
