#include "server_clock.hpp"

#include "http_replies.hpp"

#include <ctime>

namespace squadcast::emulator {
namespace {

std::string http_date(std::time_t when) {
  std::tm tm{};
  gmtime_r(&when, &tm);
  char text[64];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return text;
}

}  // namespace

void install_server_clock(httplib::Server& server, ServerClock& clock) {
  server.set_post_routing_handler([&clock](const httplib::Request&, httplib::Response& res) {
    res.set_header("Date", http_date(std::time(nullptr) + clock.skew_seconds.load()));
  });
  server.Post("/_control/clock", [&clock](const httplib::Request& req, httplib::Response& res) {
    const auto body = json_body(req, res);
    if (!body) return;
    const auto skew = body->find("skew_seconds");
    if (skew == body->end() || !skew->is_number_integer()) {
      return send_error(res, 400, "skew_seconds (integer) is required");
    }
    clock.skew_seconds = skew->get<long>();
    nlohmann::json reply = {{"ok", true}, {"skew_seconds", clock.skew_seconds.load()}};
    send_json(res, 200, reply);
  });
}

}  // namespace squadcast::emulator
