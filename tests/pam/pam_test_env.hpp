// What every PAM integration test needs: a private directory with pam_wrapper service
// files, nss_wrapper passwd/group files for local users, their homes, and a runner that
// calls the real libpam through libpamtest.
#pragma once

#include <security/pam_appl.h>
#include <sys/types.h>

extern "C" {
#include <libpamtest.h>  // a C header without extern "C" of its own
}

#include <string>
#include <vector>

namespace squadcast::test {

struct LocalUser {
  std::string name;
  uid_t uid;
};

class PamTestEnv {
 public:
  PamTestEnv();  // needs PAM_WRAPPER_SERVICE_DIR, NSS_WRAPPER_PASSWD, NSS_WRAPPER_GROUP set
  ~PamTestEnv();
  PamTestEnv(const PamTestEnv&) = delete;
  PamTestEnv& operator=(const PamTestEnv&) = delete;

  const std::string& root() const { return root_; }
  std::string home(const std::string& user) const { return root_ + "/home/" + user; }
  std::string cache_dir() const { return root_ + "/cache"; }
  uid_t uid_of(const std::string& user) const;
  static bool is_root();

  // Writes a service file; each line is "type control module args" with @MODULE@ and
  // @ARGS@ replaced. Returns the service name.
  std::string service(const std::string& name, const std::vector<std::string>& lines, const std::string& args);

  // The user's credentials file with one "default" profile, owned by the user (when root).
  void write_user_store(const std::string& user, const std::string& refresh_token);

 private:
  std::string root_;
  std::vector<LocalUser> users_;
};

struct PamRun {
  int auth = PAM_SUCCESS;     // what pam_authenticate returned
  int account = PAM_SUCCESS;  // what pam_acct_mgmt returned (when asked for)
  char told[1024] = {};       // what the module told the person (PAM_ERROR_MSG), one per line
};

// Runs authenticate (answering the echo-off prompt with `answers`) and, optionally,
// acct_mgmt in the same handle.
PamRun run_pam(const std::string& service, const std::string& user, const std::vector<std::string>& answers,
               bool with_account);
int run_account_only(const std::string& service, const std::string& user);
// The same, with what the module told the person.
PamRun run_account_told(const std::string& service, const std::string& user);

// The module's log while alive: sets PAM_WRAPPER_DEBUGLEVEL=2, at which pam_wrapper
// writes pam_syslog lines to stderr, and captures stderr; both are undone at the end.
class ModuleLogCapture {
 public:
  ModuleLogCapture();
  ~ModuleLogCapture();
  std::string text();

 private:
  int saved_ = -1;
  std::string path_;
};

std::string module_path();

}  // namespace squadcast::test
