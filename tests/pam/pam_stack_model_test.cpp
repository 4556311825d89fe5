// squadcast-pam-check's model of libpam (pam_stack_analysis.cpp) against the real libpam:
// the same service files, made of pam_permit and pam_deny only, run through pam_wrapper,
// must succeed or fail as the model says. The rows are the rules that differ between an
// include and a substack: done, die, reset and jumps; then random stacks of every control.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "pam_stack_analysis.hpp"
#include "pam_test_env.hpp"
#include "read_text.hpp"

using squadcast::pam::check::read_stack;
using squadcast::pam::check::StackEntry;
using squadcast::pam::check::stack_succeeds;
using squadcast::test::PamTestEnv;
using squadcast::test::read_text;
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
    // How libpam reads a line: comments, continuations, brackets, case, broken lines.
    {"a comment line inside a continued line is skipped",
     {"auth sufficient \\", "# a comment", "  pam_permit.so", "auth required pam_deny.so"}, {}, true},
    {"a '#' ends a line even after a backslash",
     {"auth required pam_permit.so # not continued \\", "auth required pam_deny.so"}, {}, false},
    {"blanks after a backslash still continue the line",
     {"auth sufficient \\  \t", "pam_permit.so", "auth required pam_deny.so"}, {}, true},
    {"a bracketed control needs no blank after it",
     {"auth [success=done default=die]pam_permit.so", "auth required pam_deny.so"}, {}, true},
    {"a bracketed argument with blanks and an escaped ] is one argument",
     {"auth [success=done default=die] pam_permit.so [prompt=a \\] b] next", "auth required pam_deny.so"}, {},
     true},
    {"types and controls are read in any case",
     {"AUTH Sufficient pam_permit.so", "auth required pam_deny.so"}, {}, true},
    {"an unknown code in a control makes every code bad",
     {"auth [success=done nosuch=ignore] pam_permit.so", "auth required pam_permit.so"}, {}, false},
    {"the first default= wins",
     {"auth [default=done default=bad] pam_permit.so", "auth required pam_deny.so"}, {}, true},
    {"a default= jump is the default's own",
     {"auth [success=1 default=2] pam_deny.so", "auth required pam_permit.so", "auth required pam_deny.so",
      "auth required pam_permit.so"}, {}, true},
    {"a line of unknown type always fails, in auth",
     {"autth required pam_permit.so", "auth required pam_permit.so"}, {}, false},
    {"a '-' line whose module is missing answers MODULE_UNKNOWN to its control",
     {"-auth required pam_no_such_module_x.so", "auth required pam_permit.so"}, {}, false},
    {"a '-' line whose module is missing under optional is ignored",
     {"-auth optional pam_no_such_module_x.so", "auth required pam_permit.so"}, {}, true},
};

// Random stacks: each file holds 1 to 5 auth lines of pam_permit or pam_deny under any
// control libpam knows (jumps included, some past the end), and a line may instead be a
// substack or include of a file generated the same way, two levels deep at most.
class StackGenerator {
 public:
  StackGenerator(PamTestEnv& env, std::string service_dir, unsigned seed)
      : env_(env), service_dir_(std::move(service_dir)), random_(seed) {}

  // Writes the service file (and what it includes); returns its name.
  std::string service(int depth = 0) {
    std::vector<std::string> lines;
    for (int count = pick(1, 5); count > 0; --count) {
      if (depth < 2 && pick(0, 5) == 0) {
        const char* how = pick(0, 1) == 0 ? "substack" : "include";
        lines.push_back(std::string("auth ") + how + " " + service_dir_ + "/" + service(depth + 1));
        continue;
      }
      static const char* const controls[] = {
          "required", "requisite", "sufficient", "optional", "[success=done default=die]",
          "[success=ok default=bad]", "[success=1 default=ignore]", "[success=2 default=ignore]",
          "[default=1]", "[success=ok default=reset]", "[default=reset]", "[success=die default=done]",
          "[success=bad default=ok]", "[success=ignore default=ignore]"};
      const std::string control = controls[pick(0, std::size(controls) - 1)];
      lines.push_back("auth " + control + (pick(0, 1) == 0 ? " pam_permit.so" : " pam_deny.so"));
    }
    written_.push_back(env_.service("random-" + std::to_string(files_++), lines, ""));
    return written_.back();
  }

  // Removes the files written so far (pam_wrapper copies the whole service directory at
  // every pam_start).
  void remove_files() {
    for (const std::string& name : written_) std::filesystem::remove(service_dir_ + "/" + name);
    written_.clear();
  }

 private:
  int pick(std::size_t low, std::size_t high) {
    return static_cast<int>(std::uniform_int_distribution<std::size_t>(low, high)(random_));
  }
  PamTestEnv& env_;
  std::string service_dir_;
  std::mt19937 random_;
  int files_ = 0;
  std::vector<std::string> written_;
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

TEST_CASE("squadcast-pam-check's libpam model agrees with the real libpam on 250 random stacks", "[stacked]") {
  PamTestEnv env;
  const std::string service_dir = std::getenv("PAM_WRAPPER_SERVICE_DIR");
  StackGenerator generate(env, service_dir, 20261130);  // fixed: a failure can be replayed
  int successes = 0;
  for (int n = 0; n < 250; ++n) {
    const std::string service = generate.service();
    INFO(service << ":\n" << read_text(service_dir + "/" + service));
    const bool real = run_pam(service, "alice", {}, false).auth == PAM_SUCCESS;
    successes += real ? 1 : 0;
    auto stack = read_stack(service_dir, service, "auth");
    REQUIRE(stack.ok());
    CHECK(stack_succeeds(stack.value(), codes_of(stack.value())) == real);
    generate.remove_files();
  }
  // Both answers are well represented, or the comparison proves little.
  CHECK(successes > 25);
  CHECK(successes < 225);
}
