#include "squadcast/check_report.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace squadcast {

const char* to_string(CheckStatus status) {
  switch (status) {
    case CheckStatus::ok: return "ok";
    case CheckStatus::warn: return "warn";
    case CheckStatus::fail: return "fail";
  }
  return "fail";
}

void CheckReport::ok(std::string name, std::string detail) {
  add({std::move(name), CheckStatus::ok, std::move(detail), {}});
}
void CheckReport::warn(std::string name, std::string detail, std::string fix) {
  add({std::move(name), CheckStatus::warn, std::move(detail), std::move(fix)});
}
void CheckReport::fail(std::string name, std::string detail, std::string fix) {
  add({std::move(name), CheckStatus::fail, std::move(detail), std::move(fix)});
}
void CheckReport::add(CheckRow row) { rows_.push_back(std::move(row)); }

int CheckReport::count(CheckStatus status) const {
  return static_cast<int>(std::count_if(rows_.begin(), rows_.end(), [status](const CheckRow& row) {
    return row.status == status;
  }));
}

void CheckReport::print_text(std::ostream& out, std::string_view program) const {
  std::size_t width = 0;
  for (const CheckRow& row : rows_) width = std::max(width, row.name.size());
  for (const CheckRow& row : rows_) {
    std::string status = to_string(row.status);
    status.resize(6, ' ');
    std::string name = row.name;
    name.resize(width + 2, ' ');
    out << status << name << row.detail << '\n';
    if (!row.fix.empty()) out << std::string(6 + width + 2, ' ') << "fix: " << row.fix << '\n';
  }
  const int failed = count(CheckStatus::fail), warned = count(CheckStatus::warn);
  out << program << ": ";
  if (failed == 0 && warned == 0) {
    out << "all " << rows_.size() << " checks passed\n";
  } else {
    out << failed << (failed == 1 ? " check failed, " : " checks failed, ") << warned
        << (warned == 1 ? " warning" : " warnings") << " (" << rows_.size() << " checks)\n";
  }
}

void CheckReport::print_json(std::ostream& out, nlohmann::json about) const {
  nlohmann::json checks = nlohmann::json::array();
  for (const CheckRow& row : rows_) {
    checks.push_back({{"name", row.name}, {"status", to_string(row.status)}, {"detail", row.detail}, {"fix", row.fix}});
  }
  about["version"] = 1;
  about["checks"] = std::move(checks);
  about["summary"] = {{"ok", count(CheckStatus::ok)}, {"warn", count(CheckStatus::warn)},
                      {"fail", count(CheckStatus::fail)}};
  about["exit_code"] = exit_code();
  out << about.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

std::string describe_duration(long milliseconds) {
  if (milliseconds < 1000) return std::to_string(milliseconds) + " ms";
  return std::to_string(milliseconds / 1000) + "." + std::to_string((milliseconds % 1000) / 100) + " s";
}

}  // namespace squadcast
