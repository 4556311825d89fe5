#include "host_names.hpp"
#include "squadcast/ascii_text.hpp"

#include <algorithm>
#include <cctype>

namespace squadcast::helper {

std::string host_of_url(const UrlParts& url) {
  std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  if (url.port != 0) host += ":" + std::to_string(url.port);
  return to_lower_ascii(host);
}

std::optional<RequestedHost> parse_requested_host(std::string_view text) {
  text = trim_whitespace(text);
  RequestedHost out;
  if (auto scheme_end = text.find("://"); scheme_end != std::string_view::npos) {
    out.scheme = to_lower_ascii(text.substr(0, scheme_end));
    text.remove_prefix(scheme_end + 3);
  }
  if (auto path = text.find_first_of("/?#"); path != std::string_view::npos) text = text.substr(0, path);
  if (auto at = text.rfind('@'); at != std::string_view::npos) text.remove_prefix(at + 1);  // user@host
  if (text.empty()) return std::nullopt;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c)) || std::iscntrl(static_cast<unsigned char>(c))) return std::nullopt;
  }
  out.host = to_lower_ascii(text);
  return out;
}

std::string scheme_or_https(const RequestedHost& requested) {
  return requested.scheme.empty() ? "https" : requested.scheme;
}

bool is_squadcast_host(std::string_view requested, const Account& account) {
  auto parsed = parse_requested_host(requested);
  return parsed && account.serves(scheme_or_https(*parsed), parsed->host);
}

}  // namespace squadcast::helper
