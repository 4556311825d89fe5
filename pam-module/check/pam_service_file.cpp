// Reading a service's stack from pam.d files exactly as libpam 1.5 does (pam_handlers.c,
// pam_misc.c): line assembly, words, controls, @include, include and substack, '-' lines.
// What libpam then does with the stack is pam_stack_analysis.cpp.
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include "pam_stack_analysis.hpp"

namespace squadcast::pam::check {
namespace {

constexpr int max_include_depth = 10;

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

}  // namespace

Result<std::vector<StackEntry>> read_stack(const std::string& pam_dir, const std::string& service,
                                           const std::string& type) {
  std::vector<StackEntry> stack;
  if (auto read = read_into(pam_dir, service, type, 0, 0, stack); !read) return read.error();
  return stack;
}

}  // namespace squadcast::pam::check
