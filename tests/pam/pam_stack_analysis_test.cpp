// squadcast-pam-check --service: libpam's stack rules played over pam.d files, one row per
// stack: what an outage of Squadcast does, and whether the module can be bypassed.
#include <catch2/catch.hpp>
#include <fstream>

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
  CHECK(stack.value()[1].args == std::vector<std::string>{"[prompt=Squadcast token: ]"});
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
  CHECK(told(analysis, "AUTHINFO_UNAVAIL -> jump 2 -> past the end of its stack: libpam fails the stack  [nobody gets in]"));
  CHECK(told(analysis, "  1. auth substack sub"));
  CHECK(told(analysis, "  2.   auth [success=done"));  // a substack's lines are indented
}

TEST_CASE("stack analysis: a missing service file or an include loop is an error, not a crash") {
  squadcast::test::TempDir dir;
  CHECK_FALSE(read_stack(dir.path(), "nowhere", "auth").ok());
  std::ofstream(dir / "loop") << "auth include loop\n";
  CHECK_FALSE(read_stack(dir.path(), "loop", "auth").ok());
}
