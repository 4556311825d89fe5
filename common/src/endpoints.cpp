#include "squadcast/endpoints.hpp"
#include "squadcast/ascii_text.hpp"

#include <algorithm>
#include <cctype>

namespace squadcast {
namespace {

std::string without_trailing_slash(std::string_view url) {
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  return std::string(url);
}

Error bad_url(std::string_view url, const std::string& why) {
  return {ErrorKind::config, "invalid URL '" + std::string(url) + "': " + why};
}

}  // namespace

Result<UrlParts> parse_url(std::string_view url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos || scheme_end == 0) return bad_url(url, "no scheme");
  UrlParts parts;
  parts.scheme = to_lower_ascii(url.substr(0, scheme_end));
  std::string_view rest = url.substr(scheme_end + 3);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.find('@') != std::string_view::npos) return bad_url(url, "credentials in URLs are not allowed");
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return bad_url(url, "whitespace or control character");
  }

  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return bad_url(url, "unclosed IPv6 bracket");
    parts.host = to_lower_ascii(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad_url(url, "junk after IPv6 address");
      port_text = after.substr(1);
    }
  } else {
    auto colon = authority.rfind(':');
    parts.host = to_lower_ascii(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (parts.host.empty()) return bad_url(url, "no host");
  if (!port_text.empty()) {
    if (port_text.size() > 5 || !std::all_of(port_text.begin(), port_text.end(), ::isdigit)) {
      return bad_url(url, "bad port");
    }
    parts.port = std::stoi(std::string(port_text));
    if (parts.port < 1 || parts.port > 65535) return bad_url(url, "port out of range");
  }
  return parts;
}

bool is_loopback_host(std::string_view host) {
  if (host == "localhost" || host == "::1") return true;
  if (host.substr(0, 4) != "127.") return false;
  return std::all_of(host.begin(), host.end(), [](char c) { return c == '.' || std::isdigit(static_cast<unsigned char>(c)); });
}

Status check_url_allowed(std::string_view url, bool allow_http_loopback) {
  auto parts = parse_url(url);
  if (!parts) return parts.error();
  if (parts.value().scheme == "https") return success();
  if (parts.value().scheme == "http") {
    if (!is_loopback_host(parts.value().host)) {
      return Error{ErrorKind::config, "refusing plain http to '" + parts.value().host + "': only https is allowed"};
    }
    if (!allow_http_loopback) {
      return Error{ErrorKind::config,
                   "refusing plain http to loopback: set allow_http_loopback (tests only) to permit it"};
    }
    return success();
  }
  return Error{ErrorKind::config, "unsupported URL scheme '" + parts.value().scheme + "': only https is allowed"};
}

Result<Endpoints> resolve_endpoints(std::string_view region, std::string_view auth_url,
                                    std::string_view api_url, bool allow_http_loopback) {
  Endpoints endpoints;
  if (region == "us" || region.empty()) {
    endpoints = {"https://auth.squadcast.com", "https://api.squadcast.com"};
  } else if (region == "eu") {
    endpoints = {"https://auth.eu.squadcast.com", "https://api.eu.squadcast.com"};
  } else {
    return Error{ErrorKind::config, "unknown region '" + std::string(region) + "' (expected us or eu)"};
  }
  if (!auth_url.empty()) endpoints.auth_url = without_trailing_slash(auth_url);
  if (!api_url.empty()) endpoints.api_url = without_trailing_slash(api_url);
  for (const auto& url : {endpoints.auth_url, endpoints.api_url}) {
    if (auto allowed = check_url_allowed(url, allow_http_loopback); !allowed) return allowed.error();
  }
  return endpoints;
}

}  // namespace squadcast
