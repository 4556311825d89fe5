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

constexpr std::size_t max_enumerated = 14;  // other modules whose outcomes are enumerated (2^14 runs)

const char* const codes_shown[] = {"success", "auth_err", "authinfo_unavail", "user_unknown", "perm_denied"};

std::string base_name(const std::string& path) { return path.substr(path.rfind('/') + 1); }

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
