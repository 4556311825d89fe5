// squadcast-pam-check --user: the real module, loaded by the real libpam from a scratch
// service file (pam_start_confdir), with a scratch cache_dir so the real cache is never
// read or written. The token comes from stdin and only ever reaches the module through
// the conversation (or PAM_AUTHTOK), never argv, a file or the output.
#include <security/pam_appl.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "pam_check.hpp"
#include "pam_check_syslog_capture.hpp"
#include "squadcast/ascii_text.hpp"
#include "squadcast/private_file.hpp"

namespace squadcast::pam::check {
namespace {

constexpr const char* scratch_service = "squadcast-pam-check";

class ScratchDir {
 public:
  ScratchDir() {
    char pattern[] = "/tmp/squadcast-pam-check-XXXXXX";
    if (::mkdtemp(pattern) != nullptr) path_ = pattern;  // mode 0700
  }
  ~ScratchDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

bool is_cache_dir_line(std::string_view line) {
  auto key = trim_whitespace(line.substr(0, line.find('=')));
  return key == "cache_dir";
}

// The module arguments with every cache_dir (on the line or in a config= file) pointing
// at the scratch cache; a config= file with one is copied (root's, 0600) with that line
// replaced, so the module still reads everything else from the administrator's files.
Result<std::vector<std::string>> scratch_arguments(const std::vector<std::string>& args, const std::string& dir) {
  const std::string cache = "cache_dir=" + dir + "/cache";
  std::vector<std::string> out;
  bool replaced = false;
  int copies = 0;
  for (const std::string& arg : args) {
    if (arg.starts_with("cache_dir=")) {
      out.push_back(cache);
      replaced = true;
      continue;
    }
    auto text = arg.starts_with("config=") ? read_admin_file(arg.substr(7)) : Result<std::string>(std::string());
    if (!arg.starts_with("config=") || !text) {  // an unreadable file: the module says why
      out.push_back(arg);
      continue;
    }
    std::string copy;
    std::string_view rest = text.value();
    while (!rest.empty()) {
      auto newline = rest.find('\n');
      std::string_view line = rest.substr(0, newline);
      rest = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
      if (is_cache_dir_line(line)) {
        copy += cache + "\n";
        replaced = true;
      } else {
        copy.append(line).push_back('\n');
      }
    }
    const std::string path = dir + "/config-" + std::to_string(++copies);
    if (auto written = write_private_file(path, copy); !written) return written.error();
    out.push_back("config=" + path);
  }
  if (!replaced) out.push_back(cache);
  return out;
}

// pam.d syntax: an argument with spaces goes in brackets, with ']' escaped.
std::string service_argument(const std::string& arg) {
  if (arg.find_first_of(" \t[]") == std::string::npos) return arg;
  std::string quoted = "[";
  for (char c : arg) {
    if (c == ']') quoted += '\\';
    quoted += c;
  }
  return quoted + "]";
}

struct Conversation {
  const Secret* token;
  std::vector<std::string>* shown;  // what the module showed the person
};

int converse(int count, const pam_message** messages, pam_response** responses, void* data) {
  auto* conversation = static_cast<Conversation*>(data);
  auto* replies = static_cast<pam_response*>(std::calloc(static_cast<std::size_t>(count), sizeof(pam_response)));
  if (replies == nullptr) return PAM_BUF_ERR;
  for (int i = 0; i < count; ++i) {
    const pam_message* message = messages[i];
    if (message->msg_style == PAM_PROMPT_ECHO_OFF) {
      std::string token(conversation->token->reveal());
      replies[i].resp = ::strdup(token.c_str());  // libpam's caller frees (and the module wipes) it
      wipe_string(token);
    } else if (message->msg_style == PAM_PROMPT_ECHO_ON) {
      replies[i].resp = ::strdup("");
    } else if (message->msg != nullptr) {
      conversation->shown->push_back(std::string("shown to the person: ") + message->msg);
    }
  }
  *responses = replies;
  return PAM_SUCCESS;
}

}  // namespace

Result<DecisionRun> run_decision(const std::vector<std::string>& args, const std::string& module_path,
                                 const std::string& user, const Secret& token, bool run_auth) {
  // libpam reads a relative module path against its own directory: make it absolute.
  char resolved[PATH_MAX];
  if (::realpath(module_path.c_str(), resolved) == nullptr) {
    return Error{ErrorKind::not_found, "no module at " + module_path + ": " + std::strerror(errno)};
  }
  const std::string module = resolved;
  ScratchDir scratch;
  if (scratch.path().empty()) return Error{ErrorKind::io, "cannot create a scratch directory in /tmp"};
  auto arguments = scratch_arguments(args, scratch.path());
  if (!arguments) return arguments.error();
  std::vector<std::string_view> views(arguments.value().begin(), arguments.value().end());
  auto options = parse_pam_options(views);  // also proves the rewrite changed nothing else
  DecisionRun run;
  run.directory = options && options.value().token_source == TokenSource::host;
  // Directory mode names the rosters it used in its debug lines only.
  if (run.directory && !options.value().debug) arguments.value().emplace_back("debug");

  std::string line = module;
  for (const std::string& arg : arguments.value()) line += " " + service_argument(arg);
  const std::string confdir = scratch.path() + "/pam.d";
  if (auto made = ensure_private_dir(confdir); !made) return made.error();
  // token_source=host is for account only: in auth the module refuses it as a configuration error.
  run.auth_ran = run_auth && !run.directory;
  const std::string stack = (run.auth_ran ? "auth required " + line + "\n" : "") + "account required " + line + "\n";
  if (auto written = write_private_file(confdir + "/" + scratch_service, stack); !written) {
    return written.error();
  }

  Conversation conversation{&token, &run.auth.log};
  const pam_conv conv{converse, &conversation};
  pam_handle_t* pamh = nullptr;
  int started = ::pam_start_confdir(scratch_service, user.c_str(), &conv, confdir.c_str(), &pamh);
  if (started != PAM_SUCCESS) {
    return Error{ErrorKind::io, std::string("pam_start_confdir failed: ") + ::pam_strerror(pamh, started)};
  }
  if (options && options.value().token_source == TokenSource::authtok) {
    std::string copy(token.reveal());
    ::pam_set_item(pamh, PAM_AUTHTOK, copy.c_str());
    wipe_string(copy);
  }
  if (run.auth_ran) {
    SyslogCapture capture(run.auth.log);
    run.auth.code = ::pam_authenticate(pamh, 0);
  }
  // After a refused auth, sshd and sudo never ask account: its reason would not be the one.
  run.account_ran = !run.auth_ran || run.auth.code == PAM_SUCCESS;
  conversation.shown = &run.account.log;
  if (run.account_ran) {
    SyslogCapture capture(run.account.log);
    run.account.code = ::pam_acct_mgmt(pamh, 0);
  }
  ::pam_end(pamh, run.account_ran ? run.account.code : run.auth.code);
  if (run.directory) {
    // The module's own words: "debug: account: roster used: person alice@...: squadcast, 0 s old".
    constexpr std::string_view marker = "roster used: ";
    std::vector<std::string> kept;
    for (const std::string& logged : run.account.log) {
      auto at = logged.find(marker);
      if (at != std::string::npos) {
        run.rosters.push_back(logged.substr(at + marker.size()));
      } else if (logged.find("debug: ") == std::string::npos) {
        kept.push_back(logged);  // debug was turned on for the rosters: the rest of it is noise here
      }
    }
    run.account.log = std::move(kept);
  }
  return run;
}

void report_decision(CheckReport& report, const DecisionRun& run) {
  struct Phase {
    const char* name;
    const PhaseDecision* decision;
  };
  for (const Phase& phase : {Phase{"auth decision", &run.auth}, Phase{"account decision", &run.account}}) {
    if (!run.auth_ran && phase.decision == &run.auth) continue;  // account only
    if (!run.account_ran && phase.decision == &run.account) continue;  // auth refused: account never asked
    const int code = phase.decision->code;
    std::string line;
    for (const std::string& logged : phase.decision->log) {
      if (logged.find("decision=") != std::string::npos || line.empty()) line = logged;
    }
    std::string name = pam_code_name(code);
    if (name == "PAM error") name += " " + std::to_string(code);
    std::string detail = name + "; log: " + (line.empty() ? "(nothing logged)" : line);
    if (phase.decision == &run.auth && !run.account_ran) detail += "; account not run (a refused auth ends the login)";
    if (code == PAM_SUCCESS) {
      report.ok(phase.name, detail);
    } else if (code == PAM_AUTH_ERR || code == PAM_PERM_DENIED || code == PAM_USER_UNKNOWN) {
      report.warn(phase.name, detail, "this person is refused; the reason above says which check decided");
    } else if (code == PAM_AUTHINFO_UNAVAIL) {
      report.fail(phase.name, detail, "Squadcast could not be reached: see the connectivity rows");
    } else {
      report.fail(phase.name, detail, "fix the configuration error named in the log line");
    }
  }
  if (run.directory) {
    std::string used;
    for (const std::string& roster : run.rosters) used += (used.empty() ? "" : "; ") + roster;
    // Fetched into the scratch cache_dir: what Squadcast says now, the real rosters untouched.
    report.ok("rosters", used.empty() ? "none: the decision came before any roster (see the log line)" : used);
  }
}

const char* pam_code_name(int code) {
  switch (code) {
    case PAM_SUCCESS: return "PAM_SUCCESS";
    case PAM_AUTH_ERR: return "PAM_AUTH_ERR";
    case PAM_PERM_DENIED: return "PAM_PERM_DENIED";
    case PAM_USER_UNKNOWN: return "PAM_USER_UNKNOWN";
    case PAM_AUTHINFO_UNAVAIL: return "PAM_AUTHINFO_UNAVAIL";
    case PAM_SERVICE_ERR: return "PAM_SERVICE_ERR";
    case PAM_SYSTEM_ERR: return "PAM_SYSTEM_ERR";
    case PAM_IGNORE: return "PAM_IGNORE";
    case PAM_ABORT: return "PAM_ABORT";
    case PAM_CONV_ERR: return "PAM_CONV_ERR";
    default: return "PAM error";
  }
}

}  // namespace squadcast::pam::check
