#include "pam_stack_analysis.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

namespace squadcast::pam::check {
namespace {

constexpr int max_include_depth = 10;
constexpr std::size_t max_enumerated = 14;  // other modules whose outcomes are enumerated (2^14 runs)

const char* const codes_shown[] = {"success", "auth_err", "authinfo_unavail", "user_unknown", "perm_denied"};

std::string base_name(const std::string& path) { return path.substr(path.rfind('/') + 1); }

// One word of a pam.d line as libpam's _pam_StrTok cuts it: blanks separate words; a word
// that starts with '[' runs to the first ']' (a "\]" inside is a ']'), loses its brackets
// and ends there even without a blank after it; an unclosed '[' runs to the end of the line.
struct Word {
  std::string text;
  bool bracketed = false;
};

std::vector<Word> words_of(const std::string& line) {
  std::vector<Word> words;
  std::size_t i = 0;
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\n'; };
  while (i < line.size()) {
    while (i < line.size() && blank(line[i])) ++i;
    if (i >= line.size()) break;
    Word word;
    if (line[i] == '[') {
      word.bracketed = true;
      for (++i; i < line.size() && line[i] != ']'; ++i) {
        if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == ']') ++i;
        word.text += line[i];
      }
      ++i;  // the ']' (or the end)
    } else {
      while (i < line.size() && !blank(line[i])) word.text += line[i++];
      ++i;  // the blank after it
    }
    words.push_back(std::move(word));
  }
  return words;
}

bool same_word(const std::string& a, const char* b) {
  return std::equal(a.begin(), a.end(), b, b + std::strlen(b),
                    [](char x, char y) { return std::tolower(static_cast<unsigned char>(x)) == y; });
}

// libpam's return-code names in its own order (pam_tokens.h): a control's code is the first
// name the text starts with.
const char* const return_names[] = {
    "success", "open_err", "symbol_err", "service_err", "system_err", "buf_err", "perm_denied", "auth_err",
    "cred_insufficient", "authinfo_unavail", "user_unknown", "maxtries", "new_authtok_reqd", "acct_expired",
    "session_err", "cred_unavail", "cred_expired", "cred_err", "no_module_data", "conv_err", "authtok_err",
    "authtok_recover_err", "authtok_lock_busy", "authtok_disable_aging", "try_again", "ignore", "abort",
    "authtok_expired", "module_unknown", "bad_item", "conv_again", "incomplete", "default"};
const char* const action_names[] = {"ignore", "ok", "done", "bad", "die", "reset"};
constexpr Action action_values[] = {Action::ignore, Action::ok, Action::done, Action::bad, Action::die, Action::reset};

// libpam's _pam_parse_control: "code=action" pairs, blanks optional between them; the first
// "default=" fills what is not set yet; any error makes every code bad.
void parse_control(StackEntry& entry, const std::string& text) {
  std::map<std::string, Action> actions;
  std::map<std::string, int> jumps;
  const auto space = [&](std::size_t& i) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  };
  bool error = false;
  std::size_t i = 0;
  while (!error) {
    space(i);
    if (i >= text.size()) break;
    const char* code = nullptr;
    for (const char* name : return_names) {
      if (text.compare(i, std::strlen(name), name) == 0) {
        code = name;
        break;
      }
    }
    if (code == nullptr || (i += std::strlen(code)) >= text.size()) {
      error = true;
      break;
    }
    space(i);
    if (i >= text.size() || text[i++] != '=') {
      error = true;
      break;
    }
    space(i);
    Action action = Action::jump;
    for (std::size_t a = 0; a < std::size(action_names); ++a) {
      if (text.compare(i, std::strlen(action_names[a]), action_names[a]) == 0) {
        action = action_values[a];
        i += std::strlen(action_names[a]);
        break;
      }
    }
    int jump = 0;
    if (action == Action::jump) {
      if (i >= text.size() || !std::isdigit(static_cast<unsigned char>(text[i]))) {
        error = true;
        break;
      }
      while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) && jump < 100000) {
        jump = jump * 10 + (text[i++] - '0');
      }
      if (jump == 0) {
        error = true;
        break;
      }
    }
    const std::string key = code;
    if (key == "default" && actions.contains("default")) continue;  // only what is still unset: nothing
    actions[key] = action;
    if (action == Action::jump) jumps[key] = jump;
  }
  if (error) {
    entry.actions = {{"default", Action::bad}};
    entry.jumps.clear();
    return;
  }
  if (!actions.contains("default")) actions["default"] = Action::bad;
  entry.actions = std::move(actions);
  entry.jumps = std::move(jumps);
}

void set_control(StackEntry& entry, const Word& control) {
  auto& a = entry.actions;
  if (same_word(control.text, "required")) {
    a = {{"success", Action::ok}, {"new_authtok_reqd", Action::ok}, {"ignore", Action::ignore}, {"default", Action::bad}};
  } else if (same_word(control.text, "requisite")) {
    a = {{"success", Action::ok}, {"new_authtok_reqd", Action::ok}, {"ignore", Action::ignore}, {"default", Action::die}};
  } else if (same_word(control.text, "sufficient")) {
    a = {{"success", Action::done}, {"new_authtok_reqd", Action::done}, {"default", Action::ignore}};
  } else if (same_word(control.text, "optional")) {
    a = {{"success", Action::ok}, {"new_authtok_reqd", Action::ok}, {"default", Action::ignore}};
  } else {
    parse_control(entry, control.text);
  }
}

// Where libpam (Debian's multiarch build) looks for a module named without a path.
bool module_exists(const std::string& module) {
  if (module.starts_with("/")) return ::access(module.c_str(), F_OK) == 0;
  for (const char* dir : {"/lib/x86_64-linux-gnu/security/", "/usr/lib/x86_64-linux-gnu/security/",
                          "/lib/security/", "/usr/lib/security/"}) {
    if (::access((dir + module).c_str(), F_OK) == 0) return true;
  }
  return false;
}

// libpam 1.5's _pam_assemble_line: a '#' ends the line (the rest is a comment, and a line
// with one is never continued); a '\' at the end (blanks after it allowed) continues it on
// the next line, the '\' read as a blank; blank and comment-only lines are skipped, also
// between the parts of a continued line. Returns false at the end of the file.
bool next_line(std::istream& in, std::string& logical, int& number, int& first) {
  logical.clear();
  first = 0;
  for (std::string raw; std::getline(in, raw);) {
    ++number;
    std::size_t start = raw.find_first_not_of(" \t\r\n");
    if (start == std::string::npos || raw[start] == '#') continue;
    if (first == 0) first = number;
    std::string part = raw.substr(start);
    if (auto hash = part.find('#'); hash != std::string::npos) {
      logical += part.substr(0, hash);
      return true;
    }
    std::size_t last = part.find_last_not_of(" \t\r\n");
    if (part[last] == '\\') {
      logical += part.substr(0, last) + " ";
      continue;
    }
    logical += part;
    return true;
  }
  return first != 0;
}

Status read_into(const std::string& pam_dir, const std::string& service, const std::string& type, int depth,
                 int level, std::vector<StackEntry>& stack) {
  if (depth > max_include_depth) return Error{ErrorKind::config, "includes nest deeper than 10 at " + service};
  const std::string path = service.starts_with("/") ? service : pam_dir + "/" + service;
  std::ifstream in(path);
  if (!in) return Error{ErrorKind::not_found, "cannot read " + path};
  std::string logical;
  int number = 0, first = 0;
  while (next_line(in, logical, number, first)) {
    auto words = words_of(logical);
    if (words.empty()) continue;
    const std::string origin = path + ":" + std::to_string(first);
    if (same_word(words[0].text, "@include")) {  // Debian's: every line of the file, of every type
      if (words.size() < 2) continue;
      if (auto nested = read_into(pam_dir, words[1].text, type, depth + 1, level, stack); !nested) return nested;
      continue;
    }
    std::string line_type = words[0].text;
    const bool silent = line_type.starts_with("-");  // no log line when the module cannot be loaded
    if (silent) line_type.erase(0, 1);
    bool must_fail = false;
    if (!same_word(line_type, "auth") && !same_word(line_type, "account") && !same_word(line_type, "password") &&
        !same_word(line_type, "session")) {
      // libpam keeps a line of unknown type as one that always fails: in the type being read
      // when included, in auth (the most sensitive) in the service's own file.
      must_fail = true;
      line_type = depth > 0 ? type : "auth";
    }
    for (char& c : line_type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (line_type != type) continue;
    StackEntry entry;
    entry.type = line_type;
    entry.origin = origin;
    entry.level = level;
    if (words.size() < 2) {  // no control: a line that fails
      entry.control = "(none)";
      entry.module = "(none)";
      entry.actions = {{"default", Action::bad}};
      entry.must_fail = true;
      stack.push_back(std::move(entry));
      continue;
    }
    const Word& control = words[1];
    entry.control = control.bracketed ? "[" + control.text + "]" : control.text;
    if (same_word(control.text, "include") || same_word(control.text, "substack")) {
      if (words.size() < 3) return Error{ErrorKind::config, origin + ": " + control.text + " names no file"};
      const bool substack = same_word(control.text, "substack");
      if (substack) {
        entry.control = "substack";
        entry.module = words[2].text;
        stack.push_back(entry);
      }
      if (auto nested = read_into(pam_dir, words[2].text, type, depth + 1, level + (substack ? 1 : 0), stack);
          !nested) {
        return nested;
      }
      continue;
    }
    set_control(entry, control);
    if (words.size() < 3) {  // no module: a line that fails
      entry.module = "(none)";
      must_fail = true;
    } else {
      entry.module = words[2].text;
      for (std::size_t w = 3; w < words.size(); ++w) entry.args.push_back(words[w].text);
    }
    entry.must_fail = must_fail;
    entry.missing = !must_fail && silent && !entry.is_squadcast() && !module_exists(entry.module);
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
  if (jump == entry.jumps.end()) jump = entry.jumps.find("default");
  return jump != entry.jumps.end() ? jump->second : 1;
}

// What libpam hands the controls of a line that cannot run: a broken line fails with
// PAM_PERM_DENIED, a module that cannot be loaded answers PAM_MODULE_UNKNOWN.
const char* fixed_code(const StackEntry& entry) {
  if (entry.must_fail) return "perm_denied";
  if (entry.missing) return "module_unknown";
  return nullptr;
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
    const std::string code = fixed_code(stack[i]) != nullptr ? std::string(fixed_code(stack[i])) : codes[i];
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

// pam_succeed_if lines whose success means the user is one of a few named accounts
// ("user = breakglass", "user in a:b", "user ingroup wheel"): the break-glass guards.
std::vector<std::size_t> user_guards(const std::vector<StackEntry>& stack, std::string& who) {
  std::vector<std::size_t> guards;
  for (std::size_t i = 0; i < stack.size(); ++i) {
    if (stack[i].is_substack() || base_name(stack[i].module) != "pam_succeed_if.so") continue;
    const auto& args = stack[i].args;
    for (std::size_t a = 0; a + 2 < args.size(); ++a) {
      if (args[a] != "user" || (args[a + 1] != "=" && args[a + 1] != "in" && args[a + 1] != "ingroup")) continue;
      guards.push_back(i);
      if (!who.empty()) who += ", ";
      who += "user " + args[a + 1] + " " + args[a + 2] + " (line " + std::to_string(i + 1) + ")";
      break;
    }
  }
  return guards;
}

struct WayIn {
  bool any = false;           // some run succeeds
  bool with_squadcast = false;  // some run in which pam_squadcast ran succeeds
  bool skipping = false;      // some run succeeds without pam_squadcast running at all
};

// Every outcome of the other modules while every pam_squadcast line returns
// `squadcast_code`, and the lines in `refusing` (the break-glass guards, for everyone else)
// refuse.
WayIn ways_in(const std::vector<StackEntry>& stack, const std::string& type, const std::string& squadcast_code,
              const std::vector<std::size_t>& refusing = {}) {
  std::vector<std::size_t> free_entries;
  std::vector<std::string> codes(stack.size());
  for (std::size_t i = 0; i < stack.size(); ++i) {
    const std::string name = base_name(stack[i].module);
    if (stack[i].is_substack() || fixed_code(stack[i]) != nullptr) continue;  // no code of its own
    if (stack[i].is_squadcast()) codes[i] = squadcast_code;
    else if (name == "pam_deny.so") codes[i] = failure_code(type);
    else if (std::find(refusing.begin(), refusing.end(), i) != refusing.end()) codes[i] = failure_code(type);
    else if (name == "pam_permit.so" || free_entries.size() >= max_enumerated) codes[i] = "success";
    else free_entries.push_back(i);
  }
  WayIn way;
  for (unsigned long mask = 0; mask < (1UL << free_entries.size()); ++mask) {
    for (std::size_t bit = 0; bit < free_entries.size(); ++bit) {
      codes[free_entries[bit]] = (mask >> bit) & 1UL ? "success" : failure_code(type);
    }
    Outcome outcome = run_stack(stack, codes);
    if (!outcome.success) continue;
    way.any = true;
    (outcome.squadcast_ran ? way.with_squadcast : way.skipping) = true;
  }
  return way;
}

std::string module_at(const std::vector<StackEntry>& stack, std::size_t index) {
  return index < stack.size() ? base_name(stack[index].module) : "the end of the stack";
}

std::string what_happens(const std::vector<StackEntry>& stack, std::size_t index, const std::string& code,
                         bool way_in) {
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
    case Action::bad:
      // A later reset can forget a failure: then say only what libpam counts.
      return (way_in ? "bad -> counted as a failure; continues to " : "bad -> the stack will fail; continues to ") + next;
    case Action::die:
      if (in_substack) {
        return std::string(way_in ? "die -> its substack ends here, counted as a failure; continues to "
                                  : "die -> its substack ends here and the stack will fail; continues to ") +
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
  analysis.lines.push_back("  when pam_squadcast (line " + std::to_string(first + 1) + ") returns, for a login that reaches it:");
  for (const char* code : codes_shown) {
    std::string upper = code;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    upper.resize(17, ' ');
    const bool way_in = ways_in(stack, type, code).with_squadcast;
    analysis.lines.push_back("    " + upper + "-> " + what_happens(stack, first, code, way_in) +
                             (way_in ? "  [a login can still succeed]" : "  [the login is refused]"));
  }
  const std::string refused = failure_code(type);
  const WayIn outage = ways_in(stack, type, "authinfo_unavail");
  const WayIn refusal = ways_in(stack, type, refused);
  analysis.outage_locks_out = !outage.any;
  if (!outage.skipping && !refusal.skipping && !refusal.with_squadcast) return analysis;

  std::string who;
  const std::vector<std::size_t> guards = user_guards(stack, who);
  if (!guards.empty()) {  // the way round pam_squadcast is only for the accounts the guards name
    const WayIn others_outage = ways_in(stack, type, "authinfo_unavail", guards);
    const WayIn others_refused = ways_in(stack, type, refused, guards);
    if (!others_outage.skipping && !others_refused.skipping && !others_refused.with_squadcast) {
      analysis.break_glass = who;
      analysis.outage_locks_out_others = !others_outage.any;
      return analysis;
    }
  }
  const Action own_refusal = action_for(stack[first], refused);
  const Action own_success = action_for(stack[first], "success");
  if (own_refusal == Action::ignore && (own_success == Action::done || own_success == Action::jump)) {
    // pam-auth-update's Primary block: each method's success ends or jumps to the end, a
    // failure falls through to the next method, and pam_deny closes the block.
    analysis.alternative = true;
    return analysis;
  }
  analysis.can_be_bypassed = true;
  if (outage.skipping || refusal.skipping) {
    for (std::size_t i = 0; i < first; ++i) {
      if (stack[i].is_substack() || stack[i].level > stack[first].level) continue;  // ends or jumps within a substack only
      if (action_for(stack[i], "success") == Action::done || action_for(stack[i], "success") == Action::jump) {
        analysis.bypass_reason = base_name(stack[i].module) + " (" + stack[i].control + ", line " +
                                 std::to_string(i + 1) + ") can end or jump past the stack before pam_squadcast runs";
        break;
      }
    }
    if (analysis.bypass_reason.empty()) analysis.bypass_reason = "a login can succeed without pam_squadcast running";
  } else {
    analysis.bypass_reason = "a refusal by pam_squadcast (control " + stack[first].control +
                             ") does not stop the login: other modules decide";
  }
  return analysis;
}

void check_service_stack(CheckReport& report, const std::string& pam_dir, const std::string& service,
                         int offline_grace_seconds, std::vector<std::string>& lines, bool directory_mode) {
  const std::string file = pam_dir + "/" + service;
  std::map<std::string, StackAnalysis> analyses;
  for (const char* phase : {"auth", "account"}) {
    auto stack = read_stack(pam_dir, service, phase);
    if (!stack) {
      report.fail(std::string("stack ") + phase, stack.error().message, "check the service name and --pam-dir");
      return;
    }
    analyses[phase] = analyse_stack(stack.value(), phase);
    lines.push_back(service + " " + phase + " stack:");
    lines.insert(lines.end(), analyses[phase].lines.begin(), analyses[phase].lines.end());
  }
  for (const char* phase : {"auth", "account"}) {
    const std::string type = phase;
    const std::string row = "stack " + type;
    const StackAnalysis& analysis = analyses[type];
    const bool other_has = analyses[type == "auth" ? "account" : "auth"].has_squadcast;
    if (!analysis.has_squadcast && type == "auth" && (other_has || directory_mode)) {
      report.ok(row, std::string("no pam_squadcast in auth: it gates the account phase only") +
                         (directory_mode ? " (directory mode, token_source=host)" : "") +
                         ", and another module authenticates (sshd's keys, pam_unix, or none for sudoers NOPASSWD)");
      continue;
    }
    if (!analysis.has_squadcast && other_has) {
      report.ok(row, "no pam_squadcast in account: its auth line decides; a login that skips auth (sshd public "
                     "keys) is not gated by Squadcast");
      continue;
    }
    if (!analysis.has_squadcast) {
      report.warn(row, "pam_squadcast is in neither the auth nor the account stack of " + service,
                  "add the lines of a recipe in docs/pam-module.md to " + file);
      continue;
    }
    std::string outage = "when Squadcast cannot be reached (AUTHINFO_UNAVAIL) nobody gets in through " + service;
    if (offline_grace_seconds > 0) {
      outage += " except people verified in the last " + std::to_string(offline_grace_seconds) + " s (offline_grace)";
    }
    if (!analysis.break_glass.empty()) {
      report.ok(row, "pam_squadcast decides every login but the break-glass account's (pam_succeed_if " +
                         analysis.break_glass + ": it gets in without Squadcast" +
                         (analysis.outage_locks_out_others ? ", also when Squadcast cannot be reached)" : ")"));
    } else if (analysis.alternative) {
      report.ok(row, "pam_squadcast is one way in, not a gate: a good token logs in, and a refusal falls through "
                     "to the other methods (pam-auth-update's Primary block, the profile's design); to require "
                     "Squadcast for " + service + " use the recipe in docs/pam-module.md");
    } else if (analysis.can_be_bypassed) {
      report.warn(row, "pam_squadcast can be bypassed: " + analysis.bypass_reason,
                  "make pam_squadcast required (or requisite) and put it before any 'sufficient' module");
    } else if (analysis.outage_locks_out) {
      // Failing closed is the documented design, not a mistake: say what it costs and the way out.
      std::string fix = "keep a tested way in: a root console, the break-glass account of docs/teams-and-oncall.md, "
                        "and/or offline_grace=SECONDS; or let an outage fall through to a password: '";
      fix.append(type).append(" [success=done authinfo_unavail=ignore default=die] pam_squadcast.so ...' then '");
      fix.append(type).append(" required pam_unix.so'");
      report.warn(row, outage + ": fail closed, as the recipes intend", fix);
    } else {
      report.ok(row, "pam_squadcast decides every login, and an outage leaves another way in");
    }
  }
}

}  // namespace squadcast::pam::check
