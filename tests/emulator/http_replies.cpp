#include "http_replies.hpp"

namespace squadcast::emulator {

void send_json(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

void send_error(httplib::Response& res, int status, const std::string& message) {
  send_json(res, status, {{"meta", {{"status", status}, {"error_message", message}}}});
}

void send_graphql_error(httplib::Response& res, const std::string& message) {
  send_json(res, 200, {{"errors", {{{"message", message}}}}, {"data", nullptr}});
}

std::optional<nlohmann::json> json_body(const httplib::Request& req,
                                        httplib::Response& res) {
  auto body = nlohmann::json::parse(req.body, nullptr, false);
  if (!body.is_object()) {
    send_error(res, 400, "request body must be a JSON object");
    return std::nullopt;
  }
  return body;
}

}  // namespace squadcast::emulator
