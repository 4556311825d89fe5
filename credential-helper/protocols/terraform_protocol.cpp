#include "protocols/terraform_protocol.hpp"

#include <nlohmann/json.hpp>

#include "error_reporting.hpp"
#include "host_names.hpp"
#include "protocols/tool_input.hpp"

namespace squadcast::helper {

namespace {
int terraform_get(Account& account, std::string_view host, std::istream&, std::ostream& out, std::ostream& err) {
  if (!is_squadcast_host(host, account)) {
    out << "{}\n" << std::flush;  // terraform's "no credentials for this host"
    return 0;
  }
  auto grant = account.access_token();
  if (!grant) {
    report_error(err, grant.error());
    if (grant.error().kind != ErrorKind::not_found) return 1;
    out << "{}\n" << std::flush;
    return 0;
  }
  std::string text = nlohmann::json{{"token", std::string(grant.value().access_token.reveal())}}.dump();
  out << text << '\n' << std::flush;
  wipe_string(text);
  return 0;
}

int terraform_store(Account& account, std::string_view host, std::istream& in, std::ostream&, std::ostream& err) {
  if (!is_squadcast_host(host, account)) {
    report_line(err, std::string(host) + " is not the configured Squadcast host; nothing was stored");
    return 1;
  }
  std::string text = read_tool_input(in);
  nlohmann::json request = nlohmann::json::parse(text, nullptr, false);
  wipe_string(text);
  if (!request.is_object() || !request.value("token", nlohmann::json()).is_string()) {
    report_line(err, "expected a JSON object with a \"token\" string on stdin");
    return 1;
  }
  std::string& token_text = request["token"].get_ref<std::string&>();
  Secret token(token_text);
  wipe_string(token_text);
  if (auto kept = account.offer_secret(token, ""); !kept) {
    report_error(err, kept.error());
    return 1;
  }
  return 0;
}

int terraform_forget(Account& account, std::string_view host, std::istream&, std::ostream&, std::ostream&) {
  // Drops the cached access token; `squadcast-credential logout` forgets the refresh token.
  if (is_squadcast_host(host, account)) account.drop_cached_token();
  return 0;
}

using TerraformAction = int (*)(Account&, std::string_view, std::istream&, std::ostream&, std::ostream&);

struct TerraformActionEntry {
  std::string_view name;
  TerraformAction run;
};

constexpr TerraformActionEntry terraform_actions[] = {
    {"get", terraform_get},
    {"store", terraform_store},
    {"forget", terraform_forget},
};
}  // namespace

int run_terraform_action(std::string_view action, const std::vector<std::string>& operands, Account& account,
                         std::istream& in, std::ostream& out, std::ostream& err) {
  for (const TerraformActionEntry& entry : terraform_actions) {
    if (entry.name != action) continue;
    if (operands.size() != 1) {
      report_line(err, "terraform " + std::string(action) + " needs exactly one HOST argument");
      return 1;
    }
    return entry.run(account, operands[0], in, out, err);
  }
  report_line(err, "unknown terraform credentials action '" + std::string(action) + "' (get, store, forget)");
  return 1;
}

}  // namespace squadcast::helper
