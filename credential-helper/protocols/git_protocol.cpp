#include "protocols/git_protocol.hpp"

#include <algorithm>
#include <cctype>

#include "error_reporting.hpp"
#include "host_names.hpp"
#include "protocols/tool_input.hpp"
#include "squadcast/ascii_text.hpp"

namespace squadcast::helper {

namespace {
// git always sends protocol=; without it nothing says the token would travel over TLS.
bool for_squadcast(const GitCredentialRequest& request, const Account& account) {
  return !request.host.empty() && account.serves(request.protocol, request.host);
}

int git_get(Account& account, const GitCredentialRequest& request, std::ostream& out, std::ostream& err) {
  if (!for_squadcast(request, account)) return 0;  // not ours: let the next helper answer
  auto grant = account.access_token();
  if (!grant) {
    report_error(err, grant.error());
    return 0;  // git carries on to other helpers or a prompt
  }
  const AccessGrant& token = grant.value();
  if (request.has("authtype")) {
    out << "capability[]=authtype\n";
    out << "authtype=Bearer\n";
    out << "credential=" << token.access_token.reveal() << '\n';
  }
  out << "username=" << token.identity.email << '\n';
  out << "password=" << token.access_token.reveal() << '\n';
  out << "password_expiry_utc=" << token.expires_at << '\n';
  out.flush();
  return 0;
}

int git_store(Account& account, const GitCredentialRequest& request, std::ostream&, std::ostream& err) {
  if (!for_squadcast(request, account) || !request.password) return 0;
  if (auto kept = account.offer_secret(*request.password, request.username); !kept) {
    report_error(err, kept.error());
    return 1;
  }
  return 0;
}

int git_erase(Account& account, const GitCredentialRequest& request, std::ostream&, std::ostream&) {
  // git erases after the server refused what we gave it: drop the access token so the
  // next `get` exchanges again; the refresh token stays.
  if (for_squadcast(request, account)) account.drop_cached_token();
  return 0;
}

using GitAction = int (*)(Account&, const GitCredentialRequest&, std::ostream&, std::ostream&);

struct GitActionEntry {
  std::string_view name;
  GitAction run;
};

constexpr GitActionEntry git_actions[] = {
    {"get", git_get},
    {"store", git_store},
    {"erase", git_erase},
};
}  // namespace

bool GitCredentialRequest::has(std::string_view capability) const {
  return std::find(capabilities.begin(), capabilities.end(), capability) != capabilities.end();
}

Result<GitCredentialRequest> read_git_request(std::istream& in) {
  GitCredentialRequest request;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) break;
    if (line.size() > max_tool_input) return Error{ErrorKind::invalid_input, "a credential line is too long"};
    auto equals = line.find('=');
    if (equals == std::string::npos) continue;
    std::string_view key(line.data(), equals);
    std::string_view value(line.data() + equals + 1, line.size() - equals - 1);
    if (key == "protocol") {
      request.protocol = value;
    } else if (key == "host") {
      request.host = to_lower_ascii(value);
    } else if (key == "path") {
      request.path = value;
    } else if (key == "username") {
      request.username = value;
    } else if (key == "password") {
      request.password = Secret(value);
    } else if (key == "credential") {
      request.credential = Secret(value);
    } else if (key == "capability[]") {
      request.capabilities.emplace_back(value);
    } else if (key == "url") {
      if (auto parsed = parse_requested_host(value)) {
        request.protocol = parsed->scheme;
        request.host = parsed->host;
      }
    }
    wipe_string(line);
  }
  wipe_string(line);
  return request;
}

int run_git_action(std::string_view action, Account& account, std::istream& in, std::ostream& out,
                   std::ostream& err) {
  for (const GitActionEntry& entry : git_actions) {
    if (entry.name != action) continue;
    auto request = read_git_request(in);
    if (!request) {
      report_error(err, request.error());
      return 1;
    }
    return entry.run(account, request.value(), out, err);
  }
  return 0;  // git's rule: ignore unknown actions so newer gits keep working
}

}  // namespace squadcast::helper
