// The verdict table of the diagnostic commands (`squadcast-credential doctor`,
// `squadcast-pam-check`): one row per check, ok / warn / fail, with what was seen and the
// exact command or edit that fixes it. The front-ends choose the stream; nothing here
// ever receives a token.
#pragma once

#include <nlohmann/json_fwd.hpp>  // the full header costs every includer seconds to compile
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace squadcast {

enum class CheckStatus { ok, warn, fail };

const char* to_string(CheckStatus status);

struct CheckRow {
  std::string name;
  CheckStatus status = CheckStatus::ok;
  std::string detail;
  std::string fix;  // empty for ok rows
};

class CheckReport {
 public:
  void ok(std::string name, std::string detail);
  void warn(std::string name, std::string detail, std::string fix);
  void fail(std::string name, std::string detail, std::string fix);
  void add(CheckRow row);

  const std::vector<CheckRow>& rows() const { return rows_; }
  int count(CheckStatus status) const;
  int exit_code() const { return count(CheckStatus::fail) > 0 ? 1 : 0; }

  // "ok    name  detail" lines, "      fix: ..." under warn/fail rows, then the verdict.
  void print_text(std::ostream& out, std::string_view program) const;
  // {"version":1, <about...>, "checks":[{name,status,detail,fix}], "summary":{ok,warn,fail},
  //  "exit_code":N}
  void print_json(std::ostream& out, nlohmann::json about) const;

 private:
  std::vector<CheckRow> rows_;
};

// "1.5 s", "42 ms": durations people read.
std::string describe_duration(long milliseconds);

}  // namespace squadcast
