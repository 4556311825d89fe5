#include "pam_stack_analysis.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <optional>
#include <sstream>

namespace squadcast::pam::check {
namespace {

constexpr int max_include_depth = 10;
constexpr std::size_t max_enumerated = 14;  // other modules whose outcomes are enumerated (2^14 runs)

const char* const codes_shown[] = {"success", "auth_err", "authinfo_unavail", "user_unknown", "perm_denied"};

std::string base_name(const std::string& path) { return path.substr(path.rfind('/') + 1); }

// Whitespace-separated words; "[...]" is one word (with "\]" inside), as libpam reads them.
std::vector<std::string> words_of(const std::string& line) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i >= line.size()) break;
    std::string word;
    if (line[i] == '[') {
      for (++i; i < line.size() && line[i] != ']'; ++i) {
        if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == ']') ++i;
        word += line[i];
      }
      ++i;
      word.insert(0, "[").push_back(']');
    } else {
      while (i < line.size() && line[i] != ' ' && line[i] != '\t') word += line[i++];
    }
    words.push_back(word);
  }
  return words;
}

Action parse_action(const std::string& text, int& jump) {
  if (text == "ignore") return Action::ignore;
  if (text == "ok") return Action::ok;
  if (text == "done") return Action::done;
  if (text == "bad") return Action::bad;
  if (text == "die") return Action::die;
  if (text == "reset") return Action::reset;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), jump);
  if (ec == std::errc() && end == text.data() + text.size() && jump > 0) return Action::jump;
  return Action::bad;  // libpam treats what it cannot read as bad
}

void set_control(StackEntry& entry) {
  auto& a = entry.actions;
  if (entry.control == "required") {
    a = {{"success", Action::ok}, {"new_authtok_reqd", Action::ok}, {"ignore", Action::ignore}, {"default", Action::bad}};
  } else if (entry.control == "requisite") {
    a = {{"success", Action::ok}, {"new_authtok_reqd", Action::ok}, {"ignore", Action::ignore}, {"default", Action::die}};
  } else if (entry.control == "sufficient") {
    a = {{"success", Action::done}, {"new_authtok_reqd", Action::done}, {"default", Action::ignore}};
  } else if (entry.control == "optional") {
    a = {{"success", Action::ok}, {"new_authtok_reqd", Action::ok}, {"default", Action::ignore}};
  } else if (entry.control.size() > 2 && entry.control.front() == '[') {
    std::istringstream pairs(entry.control.substr(1, entry.control.size() - 2));
    for (std::string pair; pairs >> pair;) {
      auto eq = pair.find('=');
      if (eq == std::string::npos) continue;
      int jump = 0;
      const std::string code = pair.substr(0, eq);
      a[code] = parse_action(pair.substr(eq + 1), jump);
      if (a[code] == Action::jump) entry.jumps[code] = jump;
    }
  } else {
    a = {{"default", Action::bad}};
  }
}

Status read_into(const std::string& pam_dir, const std::string& service, const std::string& type, int depth,
                 int level, std::vector<StackEntry>& stack) {
  if (depth > max_include_depth) return Error{ErrorKind::config, "includes nest deeper than 10 at " + service};
  const std::string path = service.starts_with("/") ? service : pam_dir + "/" + service;
  std::ifstream in(path);
  if (!in) return Error{ErrorKind::not_found, "cannot read " + path};
  std::string line, logical;
  int number = 0, first = 0;
  while (std::getline(in, line)) {
    ++number;
    if (logical.empty()) first = number;
    if (!line.empty() && line.back() == '\\') {  // continued on the next line
      logical += line.substr(0, line.size() - 1) + " ";
      continue;
    }
    logical += line;
    std::string text = logical.substr(0, logical.find('#'));
    logical.clear();
    auto words = words_of(text);
    if (words.empty()) continue;
    const std::string origin = path + ":" + std::to_string(first);
    if (words[0] == "@include") {
      if (words.size() < 2) continue;
      if (auto nested = read_into(pam_dir, words[1], type, depth + 1, level, stack); !nested) return nested;
      continue;
    }
    std::string line_type = words[0];
    if (line_type.starts_with("-")) line_type.erase(0, 1);
    if (line_type != type || words.size() < 3) continue;
    if (words[1] == "include") {
      if (auto nested = read_into(pam_dir, words[2], type, depth + 1, level, stack); !nested) return nested;
      continue;
    }
    if (words[1] == "substack") {
      stack.push_back(StackEntry{line_type, words[1], words[2], {}, origin, level, {}, {}});
      if (auto nested = read_into(pam_dir, words[2], type, depth + 1, level + 1, stack); !nested) return nested;
      continue;
    }
    StackEntry entry{line_type, words[1], words[2], {words.begin() + 3, words.end()}, origin, level, {}, {}};
    set_control(entry);
    stack.push_back(std::move(entry));
  }
  return success();
}

std::string failure_code(const std::string& type) { return type == "auth" ? "auth_err" : "perm_denied"; }

struct Outcome {
  bool success = false;
  bool squadcast_ran = false;
};

// The last line of the (sub)stack `index` is in: where libpam goes on after a done or a die.
std::size_t end_of_substack(const std::vector<StackEntry>& stack, std::size_t index) {
  const int level = stack[index].level;
  while (index + 1 < stack.size() && stack[index + 1].level >= level) ++index;
  return index;
}

// Where a jump of `n` from `index` lands: libpam counts the lines of its own (sub)stack, a
// substack line together with its lines as one, and never leaves the (sub)stack. nullopt for a jump past its end
// ("bad jump in stack": the stack fails).
std::optional<std::size_t> jump_target(const std::vector<StackEntry>& stack, std::size_t index, int n) {
  const int level = stack[index].level;
  for (; n > 0 && index + 1 < stack.size() && stack[index + 1].level >= level; --n) {
    do ++index;
    while (index + 1 < stack.size() && stack[index + 1].level > level);
  }
  if (n > 0) return std::nullopt;
  return index + 1;
}

int jump_of(const StackEntry& entry, const std::string& code) {
  auto jump = entry.jumps.find(code);
  return jump != entry.jumps.end() ? jump->second : entry.jumps.begin()->second;
}

// libpam's _pam_dispatch_aux over one assignment of return codes.
Outcome run_stack(const std::vector<StackEntry>& stack, const std::vector<std::string>& codes) {
  enum Impression { undecided, positive, negative };
  struct State {
    Impression impression = undecided;
    std::string status = "must_fail";
  };
  State state;
  std::vector<State> entered(1);  // the state as each substack level was entered: what "reset" restores
  Outcome outcome;
  int previous_level = 0;
  std::size_t i = 0;
  while (i < stack.size()) {
    const int level = stack[i].level;
    if (level > previous_level) {
      entered.resize(std::max(entered.size(), static_cast<std::size_t>(level) + 1));
      for (int entering = previous_level + 1; entering <= level; ++entering) {
        entered[static_cast<std::size_t>(entering)] = state;
      }
    }
    previous_level = level;
    if (stack[i].is_substack()) {  // runs nothing; its lines follow
      ++i;
      continue;
    }
    const std::string& code = codes[i];
    outcome.squadcast_ran = outcome.squadcast_ran || stack[i].is_squadcast();
    const Action action = action_for(stack[i], code);
    std::size_t next = i + 1;
    switch (action) {
      case Action::ignore: break;
      case Action::ok:
      case Action::done:
        if (state.impression == undecided || (state.impression == positive && state.status == "success")) {
          state = {positive, code};
        }
        if (state.impression != negative && action == Action::done) next = end_of_substack(stack, i) + 1;
        break;
      case Action::bad:
      case Action::die:
        if (state.impression != negative) state = {negative, code};
        if (action == Action::die) next = end_of_substack(stack, i) + 1;
        break;
      case Action::reset: state = entered[static_cast<std::size_t>(level)]; break;
      case Action::jump:
        if (auto target = jump_target(stack, i, jump_of(stack[i], code))) {
          next = *target;
        } else {  // libpam skips what it can (to the end of the substack), then fails the stack
          state = {negative, "must_fail"};
          next = end_of_substack(stack, i) + 1;
        }
        break;
    }
    i = next;
  }
  outcome.success = state.impression == positive && state.status == "success";
  return outcome;
}

// Whether some outcome of the other modules lets a login through while every
// pam_squadcast line returns `squadcast_code`; `skipped` is set when one does so without
// pam_squadcast running at all.
bool some_way_in(const std::vector<StackEntry>& stack, const std::string& type, const std::string& squadcast_code,
                 bool* skipped) {
  std::vector<std::size_t> free_entries;
  std::vector<std::string> codes(stack.size());
  for (std::size_t i = 0; i < stack.size(); ++i) {
    const std::string name = base_name(stack[i].module);
    if (stack[i].is_substack()) continue;  // not a module: no code
    if (stack[i].is_squadcast()) codes[i] = squadcast_code;
    else if (name == "pam_deny.so") codes[i] = failure_code(type);
    else if (name == "pam_permit.so" || free_entries.size() >= max_enumerated) codes[i] = "success";
    else free_entries.push_back(i);
  }
  bool any = false;
  for (unsigned long mask = 0; mask < (1UL << free_entries.size()); ++mask) {
    for (std::size_t bit = 0; bit < free_entries.size(); ++bit) {
      codes[free_entries[bit]] = (mask >> bit) & 1UL ? "success" : failure_code(type);
    }
    Outcome outcome = run_stack(stack, codes);
    if (!outcome.success) continue;
    any = true;
    if (skipped != nullptr && !outcome.squadcast_ran) *skipped = true;
  }
  return any;
}

std::string module_at(const std::vector<StackEntry>& stack, std::size_t index) {
  return index < stack.size() ? base_name(stack[index].module) : "the end of the stack";
}

std::string what_happens(const std::vector<StackEntry>& stack, std::size_t index, const std::string& code) {
  const std::string next = module_at(stack, index + 1);
  const bool in_substack = stack[index].level > 0;
  switch (action_for(stack[index], code)) {
    case Action::ignore: return "ignored -> falls through to " + next;
    case Action::ok:
      return code == "success" ? "ok -> continues to " + next : "ok (counted as the result!) -> continues to " + next;
    case Action::done:
      if (in_substack) {
        return "done -> its substack ends here; continues to " + module_at(stack, end_of_substack(stack, index) + 1);
      }
      return "done -> the stack ends here (success unless an earlier required module failed)";
    case Action::bad: return "bad -> the stack will fail; continues to " + next;
    case Action::die:
      if (in_substack) {
        return "die -> its substack ends here and the stack will fail; continues to " +
               module_at(stack, end_of_substack(stack, index) + 1);
      }
      return "die -> the stack fails here";
    case Action::reset:
      return std::string(in_substack ? "reset -> results since its substack began forgotten"
                                     : "reset -> earlier results forgotten") +
             "; continues to " + next;
    case Action::jump: {
      const int n = jump_of(stack[index], code);
      auto target = jump_target(stack, index, n);
      if (!target) return "jump " + std::to_string(n) + " -> past the end of its stack: libpam fails the stack";
      return "jump " + std::to_string(n) + " -> continues at " + module_at(stack, *target);
    }
  }
  return "";
}

}  // namespace

bool StackEntry::is_squadcast() const { return !is_substack() && base_name(module).starts_with("pam_squadcast"); }

const char* to_string(Action action) {
  switch (action) {
    case Action::ignore: return "ignore";
    case Action::ok: return "ok";
    case Action::done: return "done";
    case Action::bad: return "bad";
    case Action::die: return "die";
    case Action::reset: return "reset";
    case Action::jump: return "jump";
  }
  return "bad";
}

Action action_for(const StackEntry& entry, const std::string& code) {
  if (auto it = entry.actions.find(code); it != entry.actions.end()) return it->second;
  if (auto it = entry.actions.find("default"); it != entry.actions.end()) return it->second;
  return Action::bad;
}

bool stack_succeeds(const std::vector<StackEntry>& stack, const std::vector<std::string>& codes) {
  return run_stack(stack, codes).success;
}

Result<std::vector<StackEntry>> read_stack(const std::string& pam_dir, const std::string& service,
                                           const std::string& type) {
  std::vector<StackEntry> stack;
  if (auto read = read_into(pam_dir, service, type, 0, 0, stack); !read) return read.error();
  return stack;
}

StackAnalysis analyse_stack(const std::vector<StackEntry>& stack, const std::string& type) {
  StackAnalysis analysis;
  std::size_t first = stack.size();
  for (std::size_t i = 0; i < stack.size(); ++i) {
    std::string args;
    for (const std::string& arg : stack[i].args) args += " " + arg;
    if (args.size() > 60) args.replace(57, std::string::npos, "...");
    const bool ours = stack[i].is_squadcast();
    if (ours && first == stack.size()) first = i;
    std::string line = "  " + std::to_string(i + 1) + ". " + std::string(2 * stack[i].level, ' ');  // substacks indented
    line.append(type).append(" ").append(stack[i].control).append(" ").append(stack[i].module).append(args);
    line.append("   (").append(stack[i].origin).append(")").append(ours ? "  <- pam_squadcast" : "");
    analysis.lines.push_back(line);
  }
  if (first == stack.size()) return analysis;
  analysis.has_squadcast = true;
  analysis.lines.push_back("  when pam_squadcast (line " + std::to_string(first + 1) + ") returns:");
  for (const char* code : codes_shown) {
    std::string upper = code;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    upper.resize(17, ' ');
    const bool way_in = some_way_in(stack, type, code, nullptr);
    analysis.lines.push_back("    " + upper + "-> " + what_happens(stack, first, code) +
                             (way_in ? "  [a login can still succeed]" : "  [nobody gets in]"));
  }
  analysis.outage_locks_out = !some_way_in(stack, type, "authinfo_unavail", nullptr);
  bool skipped = false;
  const bool refused_yet_in = some_way_in(stack, type, failure_code(type), &skipped);
  some_way_in(stack, type, "authinfo_unavail", &skipped);
  if (skipped) {
    analysis.can_be_bypassed = true;
    for (std::size_t i = 0; i < first; ++i) {
      if (stack[i].is_substack() || stack[i].level > stack[first].level) continue;  // ends or jumps within a substack only
      if (action_for(stack[i], "success") == Action::done || action_for(stack[i], "success") == Action::jump) {
        analysis.bypass_reason = base_name(stack[i].module) + " (" + stack[i].control + ", line " +
                                 std::to_string(i + 1) + ") can end or jump past the stack before pam_squadcast runs";
        break;
      }
    }
    if (analysis.bypass_reason.empty()) analysis.bypass_reason = "a login can succeed without pam_squadcast running";
  } else if (refused_yet_in) {
    analysis.can_be_bypassed = true;
    analysis.bypass_reason = "a refusal by pam_squadcast (control " + stack[first].control +
                             ") does not stop the login: other modules decide";
  }
  return analysis;
}

void check_service_stack(CheckReport& report, const std::string& pam_dir, const std::string& service,
                         int offline_grace_seconds, std::vector<std::string>& lines, bool directory_mode) {
  for (const char* phase : {"auth", "account"}) {
    const std::string type = phase;
    const std::string row = "stack " + type;
    std::string file = pam_dir;
    file.append("/").append(service);
    auto stack = read_stack(pam_dir, service, type);
    if (!stack) {
      report.fail(row, stack.error().message, "check the service name and --pam-dir");
      return;
    }
    StackAnalysis analysis = analyse_stack(stack.value(), type);
    lines.push_back(service + " " + phase + " stack:");
    lines.insert(lines.end(), analysis.lines.begin(), analysis.lines.end());
    if (!analysis.has_squadcast && directory_mode && type == "auth") {
      report.ok(row, "no pam_squadcast in auth: directory mode (token_source=host) gates account only, and "
                     "another module (sshd's keys, pam_unix) authenticates");
      continue;
    }
    if (!analysis.has_squadcast) {
      std::string detail = "pam_squadcast is not in the ";
      detail.append(type).append(" stack of ").append(service);
      report.warn(row, detail,
                  "add to " + file + ": " + phase + " required pam_squadcast.so OPTIONS");
      continue;
    }
    if (analysis.outage_locks_out) {
      std::string detail = "when Squadcast cannot be reached (AUTHINFO_UNAVAIL) nobody gets in through " + service;
      if (offline_grace_seconds > 0) {
        detail += " except people verified in the last " + std::to_string(offline_grace_seconds) + " s (offline_grace)";
      }
      std::string fix = "keep another way in: e.g. '";
      fix.append(type).append(" [success=done authinfo_unavail=ignore default=die] pam_squadcast.so ...' followed by '");
      fix.append(type).append(" required pam_unix.so', and/or offline_grace=SECONDS");
      report.fail(row, detail, fix);
    } else if (analysis.can_be_bypassed) {
      report.warn(row, "pam_squadcast can be bypassed: " + analysis.bypass_reason,
                  "make pam_squadcast required (or requisite) and put it before any 'sufficient' module");
    } else {
      report.ok(row, "pam_squadcast decides every login, and an outage leaves another way in");
    }
  }
}

}  // namespace squadcast::pam::check
