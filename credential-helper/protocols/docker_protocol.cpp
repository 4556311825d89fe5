#include "protocols/docker_protocol.hpp"

#include <nlohmann/json.hpp>
#include <string>

#include "host_names.hpp"
#include "protocols/tool_input.hpp"

namespace squadcast::helper {

namespace {
int fail(std::ostream& out, std::string_view message) {
  out << message << '\n' << std::flush;
  return 1;
}

int docker_get(Account& account, std::istream& in, std::ostream& out) {
  std::string server_url = read_tool_input(in);
  while (!server_url.empty() && (server_url.back() == '\n' || server_url.back() == '\r')) server_url.pop_back();
  if (!is_squadcast_host(server_url, account)) return fail(out, docker_not_found);
  auto grant = account.access_token();
  if (!grant) {
    if (grant.error().kind == ErrorKind::not_found) return fail(out, docker_not_found);
    return fail(out, grant.error().message);
  }
  std::string secret(grant.value().access_token.reveal());
  nlohmann::json answer = {
      {"ServerURL", server_url}, {"Username", grant.value().identity.email}, {"Secret", secret}};
  std::string text = answer.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  out << text << '\n' << std::flush;
  wipe_string(text);
  wipe_string(secret);
  return 0;
}

int docker_store(Account& account, std::istream& in, std::ostream& out) {
  std::string text = read_tool_input(in);
  nlohmann::json request = nlohmann::json::parse(text, nullptr, false);
  wipe_string(text);
  if (!request.is_object() || !request.value("ServerURL", nlohmann::json()).is_string() ||
      !request.value("Secret", nlohmann::json()).is_string()) {
    return fail(out, "expected a JSON object with ServerURL, Username and Secret");
  }
  std::string server_url = request["ServerURL"].get<std::string>();
  if (!is_squadcast_host(server_url, account)) return fail(out, "squadcast-credential only keeps credentials for " + account.server_name());
  std::string& secret_text = request["Secret"].get_ref<std::string&>();
  Secret secret(secret_text);
  wipe_string(secret_text);
  std::string username = request.value("Username", nlohmann::json()).is_string() ? request["Username"].get<std::string>() : "";
  if (auto kept = account.offer_secret(secret, username); !kept) return fail(out, kept.error().message);
  return 0;
}

int docker_erase(Account& account, std::istream& in, std::ostream& out) {
  // Drops the cached access token; `squadcast-credential logout` forgets the refresh token.
  if (!is_squadcast_host(read_tool_input(in), account)) return fail(out, docker_not_found);
  account.drop_cached_token();
  return 0;
}

int docker_list(Account& account, std::istream&, std::ostream& out) {
  nlohmann::json answer = nlohmann::json::object();
  auto credential = account.stored_credential();
  if (credential) {
    answer[account.server_name()] = credential.value().email;
  } else if (credential.error().kind != ErrorKind::not_found) {
    return fail(out, credential.error().message);
  }
  out << answer.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n' << std::flush;
  return 0;
}

using DockerAction = int (*)(Account&, std::istream&, std::ostream&);

struct DockerActionEntry {
  std::string_view name;
  DockerAction run;
};

constexpr DockerActionEntry docker_actions[] = {
    {"get", docker_get},
    {"store", docker_store},
    {"erase", docker_erase},
    {"list", docker_list},
};
}  // namespace

int run_docker_action(std::string_view action, Account& account, std::istream& in, std::ostream& out,
                      std::ostream&) {
  for (const DockerActionEntry& entry : docker_actions) {
    if (entry.name == action) return entry.run(account, in, out);
  }
  return fail(out, "unknown docker credential action '" + std::string(action) + "' (get, store, erase, list)");
}

}  // namespace squadcast::helper
