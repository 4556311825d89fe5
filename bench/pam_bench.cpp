// pam_bench: times pam_start/pam_authenticate/pam_end through the real libpam, with no
// system PAM file involved: either `--confdir DIR` (libpam's own pam_start_confdir, 1.4+)
// or, without it, plain pam_start under pam_wrapper (LD_PRELOAD=libpam_wrapper.so
// PAM_WRAPPER=1 PAM_WRAPPER_SERVICE_DIR=DIR). Local users come from nss_wrapper.
// --parallel wants --confdir: pam_wrapper re-initialises in every forked child
// (pthread_atfork), each child copying libpam into its own /tmp/pam.X out of 62 names,
// which races when 50 children start at once.
//
//   pam_bench --service S --user U --token-file F [--confdir DIR] [--account] [--runs N]
//       N authentications (--account: pam_acct_mgmt, for directory mode) one after another; prints runs, ok, median_ms, p95_ms, min_ms, max_ms
//   pam_bench --service S --user U --token-file F --parallel N
//       forks N children that authenticate once each, released together (a pipe is the
//       barrier); prints wall_ms (release to the last child's exit) and ok
//   pam_bench --dlopen-rss MODULE
//       VmRSS/VmHWM before and after dlopen(MODULE, RTLD_NOW); prints kB values and deltas
//
// The token is read once from the file (first line); it never appears in argv.
// Output is one line of key=value pairs, for bench/pam-measure.
#include <security/pam_appl.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <fstream>
#include <string>
#include <string_view>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

struct Args {
  std::string service;
  std::string user;
  std::string token_file;
  std::string dlopen_module;
  std::string confdir;
  int runs = 20;
  int parallel = 0;
  bool account = false;  // --account: pam_acct_mgmt (directory mode) instead of pam_authenticate
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "pam_bench: %s\n"
               "usage: pam_bench --service S --user U --token-file F [--confdir DIR] [--runs N | --parallel N]\n"
               "       pam_bench --dlopen-rss MODULE\n",
               why);
  std::exit(2);
}

int to_int(const char* s, const char* what) {
  char* end = nullptr;
  long v = std::strtol(s, &end, 10);
  if (end == s || *end != '\0' || v < 1 || v > 100000) usage(what);
  return static_cast<int>(v);
}

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string_view k = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) usage("missing value");
      return argv[++i];
    };
    if (k == "--service") a.service = value();
    else if (k == "--user") a.user = value();
    else if (k == "--token-file") a.token_file = value();
    else if (k == "--runs") a.runs = to_int(value(), "bad --runs");
    else if (k == "--parallel") a.parallel = to_int(value(), "bad --parallel");
    else if (k == "--dlopen-rss") a.dlopen_module = value();
    else if (k == "--confdir") a.confdir = value();
    else if (k == "--account") a.account = true;
    else usage("unknown argument");
  }
  if (a.dlopen_module.empty() && (a.service.empty() || a.user.empty() || a.token_file.empty()))
    usage("--service, --user and --token-file are required");
  if (a.parallel > 0 && a.confdir.empty() && std::getenv("PAM_WRAPPER") != nullptr)
    usage("--parallel under pam_wrapper races (see the top of pam_bench.cpp): use --confdir");
  return a;
}

// The conversation answers every echo-off prompt with the token and ignores messages.
int converse(int n, const struct pam_message** msg, struct pam_response** resp, void* data) {
  const auto* token = static_cast<const std::string*>(data);
  auto* out = static_cast<pam_response*>(std::calloc(static_cast<size_t>(n), sizeof(pam_response)));
  if (out == nullptr) return PAM_BUF_ERR;
  for (int i = 0; i < n; ++i) {
    if (msg[i]->msg_style == PAM_PROMPT_ECHO_OFF || msg[i]->msg_style == PAM_PROMPT_ECHO_ON) {
      out[i].resp = ::strdup(token->c_str());
      if (out[i].resp == nullptr) {
        for (int j = 0; j < i; ++j) std::free(out[j].resp);
        std::free(out);
        return PAM_BUF_ERR;
      }
    }
  }
  *resp = out;
  return PAM_SUCCESS;
}

int start(const Args& a, const pam_conv* conv, pam_handle_t** pamh) {
  if (a.confdir.empty()) return pam_start(a.service.c_str(), a.user.c_str(), conv, pamh);
  return pam_start_confdir(a.service.c_str(), a.user.c_str(), conv, a.confdir.c_str(), pamh);
}

int authenticate_once(const Args& a, std::string* token) {
  pam_conv conv{converse, token};
  pam_handle_t* pamh = nullptr;
  int rc = start(a, &conv, &pamh);
  if (rc != PAM_SUCCESS) return rc;
  rc = a.account ? pam_acct_mgmt(pamh, PAM_SILENT) : pam_authenticate(pamh, PAM_SILENT);
  pam_end(pamh, rc);
  return rc;
}

double now_ms() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  if (v.empty()) return 0;
  // nearest-rank; for the median of an even count, the mean of the two middle values
  if (p == 50 && v.size() % 2 == 0) return (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
  size_t rank = static_cast<size_t>(p / 100.0 * static_cast<double>(v.size()) + 0.999999);
  return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
}

int sequential(const Args& a, std::string& token) {
  std::vector<double> times;
  int ok = 0;
  int last_error = PAM_SUCCESS;
  for (int i = 0; i < a.runs; ++i) {
    double t0 = now_ms();
    int rc = authenticate_once(a, &token);
    times.push_back(now_ms() - t0);
    if (rc == PAM_SUCCESS) ++ok;
    else last_error = rc;
  }
  std::printf("runs=%d ok=%d median_ms=%.2f p95_ms=%.2f min_ms=%.2f max_ms=%.2f", a.runs, ok,
              percentile(times, 50), percentile(times, 95), *std::min_element(times.begin(), times.end()),
              *std::max_element(times.begin(), times.end()));
  if (ok != a.runs) std::printf(" last_error=\"%s\"", pam_strerror(nullptr, last_error));
  std::printf("\n");
  return ok == a.runs ? 0 : 1;
}

int parallel(const Args& a, std::string& token) {
  int barrier[2];
  if (::pipe(barrier) != 0) return 3;
  std::fflush(stdout);
  std::vector<pid_t> children;
  for (int i = 0; i < a.parallel; ++i) {
    pid_t pid = ::fork();
    if (pid < 0) break;
    if (pid == 0) {
      ::close(barrier[1]);
      char c;
      while (::read(barrier[0], &c, 1) < 0) {
      }  // EOF when the parent closes its end: everyone goes at once
      int rc = authenticate_once(a, &token);
      ::_exit(rc == PAM_SUCCESS ? 0 : 1);
    }
    children.push_back(pid);
  }
  ::close(barrier[0]);
  double t0 = now_ms();
  ::close(barrier[1]);
  int ok = 0;
  for (pid_t pid : children) {
    int status = 0;
    if (::waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0) ++ok;
  }
  double wall = now_ms() - t0;
  std::printf("parallel=%d ok=%d wall_ms=%.1f\n", a.parallel, ok, wall);
  return ok == a.parallel ? 0 : 1;
}

long status_kb(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  size_t n = std::strlen(key);
  while (std::getline(in, line))
    if (line.compare(0, n, key) == 0 && line.size() > n && line[n] == ':') return std::atol(line.c_str() + n + 1);
  return -1;
}

int dlopen_rss(const Args& a) {
  long rss0 = status_kb("VmRSS"), hwm0 = status_kb("VmHWM");
  void* h = ::dlopen(a.dlopen_module.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (h == nullptr) {
    std::fprintf(stderr, "pam_bench: dlopen: %s\n", ::dlerror());
    return 1;
  }
  long rss1 = status_kb("VmRSS"), hwm1 = status_kb("VmHWM");
  std::printf("rss_before_kb=%ld rss_after_kb=%ld rss_delta_kb=%ld hwm_before_kb=%ld hwm_after_kb=%ld hwm_delta_kb=%ld\n",
              rss0, rss1, rss1 - rss0, hwm0, hwm1, hwm1 - hwm0);
  ::dlclose(h);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Args a = parse(argc, argv);
  if (!a.dlopen_module.empty()) return dlopen_rss(a);

  std::string token;
  {
    std::ifstream in(a.token_file);
    if (!in || !std::getline(in, token) || token.empty()) usage("cannot read a token from --token-file");
  }
  int rc = a.parallel > 0 ? parallel(a, token) : sequential(a, token);
  ::explicit_bzero(token.data(), token.size());
  return rc;
}
