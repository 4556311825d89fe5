// squadcast-pam-check --service: libpam's stack rules played over pam.d files, one row per
// stack: what an outage of Squadcast does, and whether the module can be bypassed.
#include <catch2/catch.hpp>
#include <fstream>
#include <map>

#include "pam_stack_analysis.hpp"
#include "temp_dir.hpp"

using namespace squadcast::pam::check;

namespace {

struct StackCase {
  const char* name;
  const char* file;  // the auth lines of service "svc"
  bool locks_out;
  bool bypassed;
  const char* substack = "";  // the auth lines of "sub", for rows that include or stack it
};

const StackCase cases[] = {
    {"required alone: an outage locks everyone out", "auth required pam_squadcast.so org_id=x\n", true, false},
    {"requisite then pam_unix: still locked out", "auth requisite pam_squadcast.so\nauth required pam_unix.so\n", true, false},
    {"authinfo_unavail=ignore then pam_unix: a way in, no bypass",
     "auth [success=done authinfo_unavail=ignore default=die] pam_squadcast.so\nauth required pam_unix.so\n", false,
     false},
    {"sufficient pam_unix before: bypassed", "auth sufficient pam_unix.so\nauth required pam_squadcast.so\n", false, true},
    {"optional: a refusal does not stop the login", "auth required pam_unix.so\nauth optional pam_squadcast.so\n",
     false, true},
    {"a jump over pam_squadcast: bypassed",
     "auth [success=1 default=ignore] pam_unix.so\nauth required pam_squadcast.so\nauth required pam_permit.so\n", false,
     true},
    {"pam_deny as the fallback is no way in",
     "auth [success=done authinfo_unavail=ignore default=die] pam_squadcast.so\nauth required pam_deny.so\n", true,
     false},
    // Where libpam's substack rules differ from reading the substack as an include.
    {"a done in a substack ends only the substack: pam_squadcast after it still decides",
     "auth substack sub\nauth required pam_squadcast.so\n", true, false, "auth sufficient pam_unix.so\n"},
    {"a jump skips a whole substack as one line: over pam_squadcast inside it",
     "auth [success=1 default=ignore] pam_unix.so\nauth substack sub\nauth required pam_permit.so\n", false, true,
     "auth required pam_env.so\nauth required pam_squadcast.so\n"},
    {"a reset in a substack goes back to the state it was entered with, not to undecided",
     "auth required pam_squadcast.so\nauth substack sub\n", true, false,
     "auth [success=ok default=reset] pam_env.so\nauth sufficient pam_permit.so\n"},
};

// Whether some line of the analysis's listing contains `text`.
bool told(const StackAnalysis& analysis, const std::string& text) {
  for (const std::string& line : analysis.lines) {
    if (line.find(text) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("stack analysis: outage lock-out and bypass, one row per stack, substacks as libpam runs them") {
  for (const StackCase& c : cases) {
    INFO(c.name);
    squadcast::test::TempDir dir;
    std::ofstream(dir / "svc") << c.file;
    std::ofstream(dir / "sub") << c.substack;
    auto stack = read_stack(dir.path(), "svc", "auth");
    REQUIRE(stack.ok());
    StackAnalysis analysis = analyse_stack(stack.value(), "auth");
    CHECK(analysis.has_squadcast);
    CHECK(analysis.outage_locks_out == c.locks_out);
    CHECK(analysis.can_be_bypassed == c.bypassed);
  }
}

TEST_CASE("stack analysis: include, substack and @include are followed; other types are left out") {
  squadcast::test::TempDir dir;
  std::ofstream(dir / "common-auth") << "auth required pam_unix.so nullok\n";
  std::ofstream(dir / "squadcast") << "auth [success=done authinfo_unavail=ignore default=die] \\\n"
                                      "  pam_squadcast.so [prompt=Squadcast token: ]\n";
  std::ofstream(dir / "svc") << "# comment\n-auth substack squadcast\n@include common-auth\n"
                                "account required pam_unix.so\nsession include common-auth\n";
  auto stack = read_stack(dir.path(), "svc", "auth");
  REQUIRE(stack.ok());
  REQUIRE(stack.value().size() == 3);
  CHECK(stack.value()[0].is_substack());
  CHECK(stack.value()[1].is_squadcast());
  CHECK(stack.value()[1].args == std::vector<std::string>{"prompt=Squadcast token: "});  // libpam drops the brackets
  CHECK(stack.value()[2].module == "pam_unix.so");
  CHECK(action_for(stack.value()[1], "authinfo_unavail") == Action::ignore);
  CHECK(action_for(stack.value()[1], "perm_denied") == Action::die);

  StackAnalysis analysis = analyse_stack(stack.value(), "auth");
  CHECK(told(analysis, "AUTHINFO_UNAVAIL -> ignored -> falls through to pam_unix.so"));
}

TEST_CASE("stack analysis: what a done, a die or a jump does is told per (sub)stack") {
  squadcast::test::TempDir dir;
  std::ofstream(dir / "svc") << "auth substack sub\nauth required pam_unix.so\n";
  std::ofstream(dir / "sub") << "auth [success=done authinfo_unavail=2 default=die] pam_squadcast.so\n"
                                "auth required pam_env.so\n";
  auto stack = read_stack(dir.path(), "svc", "auth");
  REQUIRE(stack.ok());
  REQUIRE(stack.value().size() == 4);
  CHECK(stack.value()[0].is_substack());
  CHECK(stack.value()[0].level == 0);
  CHECK(stack.value()[1].level == 1);
  CHECK(stack.value()[3].level == 0);
  StackAnalysis analysis = analyse_stack(stack.value(), "auth");
  CHECK(told(analysis, "SUCCESS          -> done -> its substack ends here; continues to pam_unix.so"));
  CHECK(told(analysis, "AUTH_ERR         -> die -> its substack ends here and the stack will fail; continues to pam_unix.so"));
  CHECK(told(analysis, "AUTHINFO_UNAVAIL -> jump 2 -> past the end of its stack: libpam fails the stack  [the login is refused]"));
  CHECK(told(analysis, "  1. auth substack sub"));
  CHECK(told(analysis, "  2.   auth [success=done"));  // a substack's lines are indented
}

TEST_CASE("stack analysis: a missing service file or an include loop is an error, not a crash") {
  squadcast::test::TempDir dir;
  CHECK_FALSE(read_stack(dir.path(), "nowhere", "auth").ok());
  std::ofstream(dir / "loop") << "auth include loop\n";
  CHECK_FALSE(read_stack(dir.path(), "loop", "auth").ok());
}

namespace {

// One line of "svc" as libpam reads it: the auth entries' controls, modules and arguments.
struct ParseRow {
  const char* name;
  const char* file;
  std::vector<std::string> expected;  // per auth entry: "CONTROL|MODULE|ARG|ARG..."
  std::map<std::string, Action> actions = {};  // of the first entry, by code
};

const ParseRow parse_rows[] = {
    {"a bracketed argument with blanks is one argument, without its brackets",
     "auth [success=done default=die] pam_squadcast.so config=/etc/squadcast/pam.conf [prompt=Squadcast admin token: ]\n",
     {"[success=done default=die]|pam_squadcast.so|config=/etc/squadcast/pam.conf|prompt=Squadcast admin token: "}},
    {"\\] inside brackets is a ]", "auth required pam_x.so [a=b\\]c] d\n", {"required|pam_x.so|a=b]c|d"}},
    {"a bracketed word ends at its ], blank or not", "auth required pam_x.so [a b]c\n", {"required|pam_x.so|a b|c"}},
    {"an unclosed [ runs to the end of the line", "auth required pam_x.so [a b\n", {"required|pam_x.so|a b"}},
    {"a '#' line is never continued", "auth required pam_x.so a # b \\\nauth required pam_y.so\n",
     {"required|pam_x.so|a", "required|pam_y.so"}},
    {"blanks after the backslash still continue", "auth required \\  \t\n  pam_x.so a\n", {"required|pam_x.so|a"}},
    {"a comment line inside a continued line is skipped", "auth required \\\n# note\n\n  pam_x.so a\n",
     {"required|pam_x.so|a"}},
    {"types and controls in any case", "Auth REQUIRED pam_x.so\n", {"REQUIRED|pam_x.so"},
     {{"success", Action::ok}, {"ignore", Action::ignore}, {"auth_err", Action::bad}}},
    {"an unknown code makes every code bad", "auth [success=done nosuch=ignore] pam_x.so\n",
     {"[success=done nosuch=ignore]|pam_x.so"}, {{"success", Action::bad}, {"auth_err", Action::bad}}},
    {"the first default= wins", "auth [default=die success=ok default=ignore] pam_x.so\n",
     {"[default=die success=ok default=ignore]|pam_x.so"}, {{"success", Action::ok}, {"auth_err", Action::die}}},
    {"a line of unknown type is an auth line that fails", "autth required pam_x.so\n", {"required|pam_x.so"},
     {{"success", Action::ok}}},
};

}  // namespace

TEST_CASE("stack analysis: lines are read as libpam reads them (brackets, \\], comments, continuations, case)") {
  for (const ParseRow& row : parse_rows) {
    INFO(row.name);
    squadcast::test::TempDir dir;
    std::ofstream(dir / "svc") << row.file;
    auto stack = read_stack(dir.path(), "svc", "auth");
    REQUIRE(stack.ok());
    std::vector<std::string> got;
    for (const StackEntry& entry : stack.value()) {
      std::string text = entry.control + "|" + entry.module;
      for (const std::string& arg : entry.args) text += "|" + arg;
      got.push_back(text);
    }
    CHECK(got == row.expected);
    for (const auto& [code, action] : row.actions) {
      INFO(code);
      CHECK(action_for(stack.value().at(0), code) == action);
    }
  }
  squadcast::test::TempDir dir;
  std::ofstream(dir / "svc") << "autth required pam_permit.so\n-auth optional pam_no_such_module_x.so\n";
  auto stack = read_stack(dir.path(), "svc", "auth");
  REQUIRE(stack.ok());
  REQUIRE(stack.value().size() == 2);
  CHECK(stack.value()[0].must_fail);
  CHECK(stack.value()[1].missing);
}

namespace {

// The documented stacks (README, docs/teams-and-oncall.md, directory-mode.md, the
// pam-auth-update profile): their rows must read as the docs mean them.
struct DocStack {
  const char* name;
  std::map<std::string, std::string> files;  // the service is "svc"
  std::map<std::string, CheckStatus> rows;   // "stack auth" / "stack account"
  const char* must_say = "";                 // in a row's detail
};

const char* const debian_common_auth =
    "auth\t[success=1 default=ignore]\tpam_unix.so nullok\nauth\trequisite\t\t\tpam_deny.so\n"
    "auth\trequired\t\t\tpam_permit.so\n";
const char* const debian_common_account =
    "account\t[success=1 new_authtok_reqd=done default=ignore]\tpam_unix.so\naccount\trequisite\t\t\tpam_deny.so\n"
    "account\trequired\t\t\tpam_permit.so\n";

const DocStack doc_stacks[] = {
    {"break glass (teams-and-oncall.md): account-only gate, pam_unix only for breakglass",
     {{"svc",
       "auth     [default=1 success=ignore] pam_succeed_if.so quiet user = breakglass\n"
       "auth     [success=done default=die] pam_unix.so\nauth     required pam_deny.so\n"
       "account  [default=1 success=ignore] pam_succeed_if.so quiet user = breakglass\n"
       "account  [success=done default=die] pam_unix.so\n"
       "account  required pam_squadcast.so config=/etc/squadcast/pam.conf token_source=user_store require_oncall=payments\n"
       "session  required pam_permit.so\n"}},
     {{"stack auth", CheckStatus::ok}, {"stack account", CheckStatus::ok}},
     "break-glass account's (pam_succeed_if user = breakglass (line 1)"},
    {"break glass, directory mode",
     {{"svc",
       "auth     [default=1 success=ignore] pam_succeed_if.so quiet user = breakglass\n"
       "auth     [success=done default=die] pam_unix.so\nauth     required pam_deny.so\n"
       "account  [default=1 success=ignore] pam_succeed_if.so quiet user = breakglass\n"
       "account  [success=done default=die] pam_unix.so\n"
       "account  required pam_squadcast.so config=/etc/squadcast/pam.conf token_source=host require_oncall=payments\n"}},
     {{"stack auth", CheckStatus::ok}, {"stack account", CheckStatus::ok}},
     "gates the account phase only"},
    {"pam-auth-update --enable squadcast: one way in among others, the profile's design",
     {{"svc", "@include common-auth\n@include common-account\n"},
      {"common-auth", "auth\t[success=2 default=ignore]\tpam_unix.so nullok\n"
                      "auth\t[success=1 default=ignore]\tpam_squadcast.so config=/etc/squadcast/pam.conf\n"
                      "auth\trequisite\t\t\tpam_deny.so\nauth\trequired\t\t\tpam_permit.so\n"},
      {"common-account", debian_common_account}},
     {{"stack auth", CheckStatus::ok}, {"stack account", CheckStatus::ok}},
     "one way in, not a gate"},
    {"README's sshd recipe: an outage locks out, a documented trade-off (warn, not fail)",
     {{"svc",
       "auth     [success=done default=die]  pam_squadcast.so config=/etc/squadcast/pam.conf min_role=admin\n"
       "account  required                    pam_squadcast.so config=/etc/squadcast/pam.conf min_role=admin\n"
       "@include common-auth\n@include common-account\n"},
      {"common-auth", debian_common_auth},
      {"common-account", debian_common_account}},
     {{"stack auth", CheckStatus::warn}, {"stack account", CheckStatus::warn}},
     "fail closed, as the recipes intend"},
};

}  // namespace

TEST_CASE("stack analysis: the documented stacks read as the docs mean them, with no failure") {
  for (const DocStack& doc : doc_stacks) {
    INFO(doc.name);
    squadcast::test::TempDir dir;
    for (const auto& [name, text] : doc.files) std::ofstream(dir / name) << text;
    squadcast::CheckReport report;
    std::vector<std::string> lines;
    check_service_stack(report, dir.path(), "svc", 0, lines, false);
    bool said = false;
    for (const squadcast::CheckRow& row : report.rows()) {
      INFO(row.name << ": " << row.detail << " / " << row.fix);
      REQUIRE(doc.rows.contains(row.name));
      CHECK(row.status == doc.rows.at(row.name));
      CHECK(row.fix.find("add to") == std::string::npos);  // never "add auth required pam_squadcast.so"
      said = said || row.detail.find(doc.must_say) != std::string::npos;
    }
    CHECK(report.rows().size() == 2);
    CHECK(said);
    for (const std::string& line : lines) {  // a refusal that "will fail" never also "can still succeed"
      INFO(line);
      CHECK_FALSE((line.find("will fail") != std::string::npos && line.find("can still succeed") != std::string::npos));
    }
  }
}
