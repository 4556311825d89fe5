#include "squadcast/team_oncall.hpp"

#include "json_input.hpp"
#include "squadcast/api_answer.hpp"
#include "squadcast/ascii_text.hpp"
#include "squadcast/teams.hpp"

namespace squadcast {
namespace {

constexpr std::size_t max_email = 254;
constexpr std::size_t max_schedule_name = 256;

// Emails are compared and logged: bounded, printable ASCII with one '@'.
bool is_plain_email(const std::string& email) {
  if (email.empty() || email.size() > max_email) return false;
  std::size_t at_signs = 0;
  for (char c : email) {
    auto byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte >= 0x7f) return false;
    if (c == '@') ++at_signs;
  }
  return at_signs == 1 && email.front() != '@' && email.back() != '@';
}

Status add_email(const nlohmann::json& person, std::vector<std::string>& emails) {
  auto email = string_field(person, "email");
  if (!email || !is_plain_email(*email)) {
    return Error{ErrorKind::bad_response, "the on-call answer has a participant without a usable email"};
  }
  emails.push_back(*email);
  return success();
}

// One participant: a user, or a squad whose members are all on call.
Status add_participant(const nlohmann::json& entry, std::vector<std::string>& emails) {
  const auto type = to_lower_ascii(string_field(entry, "type").value_or(""));
  auto participant = entry.is_object() ? entry.find("participant") : entry.end();
  if (participant == entry.end() || !participant->is_object()) {
    return Error{ErrorKind::bad_response, "the on-call answer has a participant without details"};
  }
  if (type == "user") return add_email(*participant, emails);
  if (type == "squad") {
    auto members = participant->find("members");
    if (members == participant->end() || !members->is_array()) {
      return Error{ErrorKind::bad_response, "the on-call answer has a squad without a members list"};
    }
    for (const auto& member : *members) {
      if (auto added = add_email(member, emails); !added) return added;
    }
    return success();
  }
  // A kind we do not know could be anyone: an error, not a guess either way.
  return Error{ErrorKind::bad_response, "the on-call answer has a participant of unknown type"};
}

Result<OncallSchedule> schedule_entry(const nlohmann::json& item) {
  auto schedule = item.is_object() ? item.find("schedule") : item.end();
  if (schedule == item.end() || !schedule->is_object()) {
    return Error{ErrorKind::bad_response, "the on-call answer has an entry without a schedule"};
  }
  OncallSchedule out;
  auto id = integer_field(*schedule, "ID");
  auto name = string_field(*schedule, "name");
  if (!id || !name || name->size() > max_schedule_name) {
    return Error{ErrorKind::bad_response, "the on-call answer has a schedule without a usable ID and name"};
  }
  out.id = *id;
  out.name = *name;
  out.paused = bool_field(*schedule, "paused").value_or(true);
  auto participants = item.find("oncallParticipants");
  if (participants == item.end() || participants->is_null()) return out;  // nobody on call now
  if (!participants->is_array()) {
    return Error{ErrorKind::bad_response, "the on-call answer has a malformed participants list"};
  }
  std::vector<std::string> emails;
  for (const auto& entry : *participants) {
    if (auto added = add_participant(entry, emails); !added) return added.error();
  }
  if (!out.paused) out.emails = std::move(emails);  // a paused schedule puts nobody on call
  return out;
}

}  // namespace

const char* const whoisoncall_query =
    "query whoIsOncall($filters: WhoIsOncallFilters) {\n"
    "  whoIsOncall(filters: $filters) {\n"
    "    schedule { ID name paused tags { key value } teamID }\n"
    "    oncallParticipants {\n"
    "      ID type\n"
    "      participant {\n"
    "        ... on User { ID name firstName lastName email }\n"
    "        ... on Squad { ID name members { ID name firstName lastName email } }\n"
    "      }\n"
    "    }\n"
    "  }\n"
    "}\n";

Result<std::vector<OncallSchedule>> parse_team_oncall_response(long status, std::string_view body) {
  const AnswerRules rules{"the team's on-call (whoIsOncall)", {200}, {}, true};
  auto data = answer_data(status, body, rules, nlohmann::json::value_t::object);
  if (!data) return data.error();
  auto list = data.value().find("whoIsOncall");
  if (list == data.value().end() || !list->is_array()) {
    return Error{ErrorKind::bad_response, "the on-call answer has no whoIsOncall list"};
  }
  std::vector<OncallSchedule> schedules;
  for (const auto& item : *list) {
    auto schedule = schedule_entry(item);
    if (!schedule) return schedule.error();  // a partial roster could wrongly refuse or allow
    schedules.push_back(std::move(schedule).value());
  }
  return schedules;
}

Result<std::vector<OncallSchedule>> fetch_team_oncall(const Endpoints& endpoints, const Secret& access_token,
                                                      std::string_view team_id, const HttpOptions& options,
                                                      HttpConnection* connection) {
  if (!is_team_id(team_id)) return Error{ErrorKind::invalid_input, "a team id is 24 hex characters"};
  const nlohmann::json request = {{"query", whoisoncall_query},
                                  {"variables", {{"filters", {{"teamID", std::string(team_id)}}}}}};
  // As a POST it is retried only where the server cannot have acted: no connection, 429.
  auto response = http_send("POST", endpoints.api_url + "/v3/graphql", {bearer_authorization(access_token)},
                            request.dump(), options, connection);
  if (!response) return response.error();
  return parse_team_oncall_response(response.value().status, response.value().body);
}

}  // namespace squadcast
