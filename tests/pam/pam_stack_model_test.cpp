// squadcast-pam-check's model of libpam (pam_stack_analysis.cpp) against the real libpam:
// the same service files, made of pam_permit and pam_deny only, run through pam_wrapper,
// must succeed or fail as the model says. The rows are the rules that differ between an
// include and a substack: done, die, reset and jumps.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>
#include <vector>

#include "pam_stack_analysis.hpp"
#include "pam_test_env.hpp"

using squadcast::pam::check::read_stack;
using squadcast::pam::check::StackEntry;
using squadcast::pam::check::stack_succeeds;
using squadcast::test::PamTestEnv;
using squadcast::test::run_pam;

namespace {

struct ModelRow {
  const char* name;
  std::vector<std::string> service;  // "@SUB@" is replaced by the path of the row's substack
  std::vector<std::string> substack;
  bool succeeds;  // what the real libpam answers (and so must the model)
};

const ModelRow model_rows[] = {
    {"done in a substack ends only the substack",
     {"auth substack @SUB@", "auth required pam_deny.so"}, {"auth sufficient pam_permit.so"}, false},
    {"done in an include ends the stack",
     {"auth include @SUB@", "auth required pam_deny.so"}, {"auth sufficient pam_permit.so"}, true},
    {"a jump counts a substack as one line",
     {"auth [success=1 default=ignore] pam_permit.so", "auth substack @SUB@", "auth required pam_permit.so"},
     {"auth required pam_permit.so", "auth required pam_deny.so"}, true},
    {"a jump counts an include's lines one by one",
     {"auth [success=1 default=ignore] pam_permit.so", "auth include @SUB@", "auth required pam_permit.so"},
     {"auth required pam_permit.so", "auth required pam_deny.so"}, false},
    {"reset in a substack restores the state it was entered with",
     {"auth required pam_deny.so", "auth substack @SUB@"},
     {"auth [default=reset] pam_deny.so", "auth sufficient pam_permit.so"}, false},
    {"reset in an include forgets everything before it",
     {"auth required pam_deny.so", "auth include @SUB@"},
     {"auth [default=reset] pam_deny.so", "auth sufficient pam_permit.so"}, true},
    {"die in a substack: the parent goes on, but the stack fails",
     {"auth substack @SUB@", "auth sufficient pam_permit.so"}, {"auth requisite pam_deny.so"}, false},
    {"a jump past the end of a substack fails the stack",
     {"auth substack @SUB@", "auth required pam_permit.so"},
     {"auth [success=2 default=ignore] pam_permit.so", "auth required pam_permit.so"}, false},
    {"a jump past the end of the stack fails it",
     {"auth [success=2 default=ignore] pam_permit.so", "auth required pam_permit.so"}, {}, false},
    {"a substack's success carries into the parent",
     {"auth substack @SUB@", "auth required pam_permit.so"},
     {"auth [success=done default=die] pam_permit.so", "auth required pam_deny.so"}, true},
};

std::vector<std::string> codes_of(const std::vector<StackEntry>& stack) {
  std::vector<std::string> codes;
  for (const StackEntry& entry : stack) codes.push_back(entry.module == "pam_permit.so" ? "success" : "auth_err");
  return codes;
}

}  // namespace

TEST_CASE("squadcast-pam-check's libpam model answers as the real libpam does", "[stacked]") {
  PamTestEnv env;
  const std::string service_dir = std::getenv("PAM_WRAPPER_SERVICE_DIR");
  int n = 0;
  for (const ModelRow& row : model_rows) {
    INFO(row.name);
    // By path: pam_wrapper moves only the service files, libpam looks for includes in /etc/pam.d.
    const std::string sub = env.service("model-sub-" + std::to_string(n), row.substack, "");
    std::vector<std::string> lines;
    for (std::string line : row.service) {
      if (auto at = line.find("@SUB@"); at != std::string::npos) line.replace(at, 5, service_dir + "/" + sub);
      lines.push_back(line);
    }
    const std::string service = env.service("model-svc-" + std::to_string(n++), lines, "");

    const bool real = run_pam(service, "alice", {}, false).auth == PAM_SUCCESS;
    CHECK(real == row.succeeds);
    auto stack = read_stack(service_dir, service, "auth");
    REQUIRE(stack.ok());
    CHECK(stack_succeeds(stack.value(), codes_of(stack.value())) == real);
  }
}
