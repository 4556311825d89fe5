// Who is on call for a team, as a third party sees it: POST {api}/v3/graphql with the
// whoIsOncall query, the request the vendor's own Slack sync tool sends. Directory mode
// asks it with the host's own credential, never the person's.
//
// A squad on call puts every member on call; a paused schedule puts nobody on call, even
// when it lists participants. A GraphQL error (HTTP 200 with "errors"), a malformed answer
// or an unknown team is an error, never "nobody" and never "everybody".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "squadcast/endpoints.hpp"
#include "squadcast/http_client.hpp"
#include "squadcast/result.hpp"
#include "squadcast/secret.hpp"

namespace squadcast {

struct OncallSchedule {
  std::int64_t id = 0;
  std::string name;
  bool paused = true;               // only an explicit false counts as running
  std::vector<std::string> emails;  // on call now, squads expanded; empty when paused
};

// The query text, exactly as the vendor's tool sends it.
extern const char* const whoisoncall_query;

Result<std::vector<OncallSchedule>> parse_team_oncall_response(long status, std::string_view body);

Result<std::vector<OncallSchedule>> fetch_team_oncall(const Endpoints& endpoints, const Secret& access_token,
                                                      std::string_view team_id, const HttpOptions& options,
                                                      HttpConnection* connection = nullptr);

}  // namespace squadcast
