// Host names as tools send them ("name" or "name:port", lower case), so that a request can
// be compared with the configured Squadcast URLs.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "squadcast/endpoints.hpp"

namespace squadcast::helper {

struct RequestedHost {
  std::string scheme;  // empty when the tool did not say
  std::string host;    // "name" or "name:port"
};

// The host of a configured URL: "name", or "name:port" when the URL has a port.
std::string host_of_url(const UrlParts& url);

// What a tool sent: a URL ("https://h:1/v2/"), or a bare "h:1" / "h" with maybe a path.
std::optional<RequestedHost> parse_requested_host(std::string_view text);

}  // namespace squadcast::helper
