// Response helpers shared by the API, control and fault code.
#pragma once

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <string>

namespace squadcast::emulator {

void send_json(httplib::Response& res, int status, const nlohmann::json& body);
// Squadcast's error envelope: {"meta":{"status":N,"error_message":"..."}}.
void send_error(httplib::Response& res, int status, const std::string& message);
// A GraphQL-level failure: HTTP 200 {"errors":[{"message":...}],"data":null}.
void send_graphql_error(httplib::Response& res, const std::string& message);
// A JSON request body as an object, or nullopt (after answering 400) when it is not one.
std::optional<nlohmann::json> json_body(const httplib::Request& req, httplib::Response& res);

}  // namespace squadcast::emulator
