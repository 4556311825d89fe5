// Host names as tools send them ("name" or "name:port", lower case), so that a request can
// be compared with the configured Squadcast URLs.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "account.hpp"
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

// docker and terraform name an https server by its bare host ("registry.example": docker
// talks https to it, and docker-credential-helpers' registryurl.Parse keeps such names);
// any scheme they do give is kept, so "http://" or "ftp://" never matches an https URL.
std::string scheme_or_https(const RequestedHost& requested);

// The one host rule of docker's ServerURL and terraform's HOST: whether `requested` (a URL
// or a bare host, which means https) names the account's Squadcast host over the scheme it
// allows. Text that names no host is never Squadcast's. (git says its protocol outright.)
bool is_squadcast_host(std::string_view requested, const Account& account);

}  // namespace squadcast::helper
