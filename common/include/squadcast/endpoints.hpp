// Where the auth and API hosts are, and which URLs we are willing to talk to.
#pragma once

#include <string>
#include <string_view>

#include "squadcast/result.hpp"

namespace squadcast {

struct Endpoints {
  std::string auth_url;  // no trailing slash
  std::string api_url;   // no trailing slash
};

struct UrlParts {
  std::string scheme;  // lower case
  std::string host;    // lower case, no brackets for IPv6
  int port = 0;        // 0 when not given
};

Result<UrlParts> parse_url(std::string_view url);
bool is_loopback_host(std::string_view host);

// https only; http only to a loopback host and only when allow_http_loopback.
Status check_url_allowed(std::string_view url, bool allow_http_loopback);

// region is "us" or "eu"; explicit URLs override the region's.
Result<Endpoints> resolve_endpoints(std::string_view region, std::string_view auth_url,
                                    std::string_view api_url, bool allow_http_loopback);

}  // namespace squadcast
