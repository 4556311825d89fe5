#include "token_source.hpp"

#include <pwd.h>
#include <sys/fsuid.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "pam_conversation.hpp"
#include "squadcast/file_store.hpp"
#include "squadcast/private_file.hpp"

namespace squadcast::pam {
namespace {

// Runs file access with the user's filesystem identity, so the kernel checks what the
// user could read, not what root could. Per thread; restored on destruction.
class FsIdentity {
 public:
  static Result<FsIdentity> become(uid_t uid, gid_t gid) {
    if (::geteuid() != 0) {
      if (uid != ::geteuid()) return Error{ErrorKind::permission, "cannot read another user's store without root"};
      return FsIdentity(false, 0, 0);
    }
    auto old_gid = static_cast<gid_t>(::setfsgid(gid));
    auto old_uid = static_cast<uid_t>(::setfsuid(uid));
    FsIdentity id(true, old_uid, old_gid);
    // setfsuid reports the previous value; asking again (with an invalid id) reports the current one.
    if (static_cast<uid_t>(::setfsuid(static_cast<uid_t>(-1))) != uid ||
        static_cast<gid_t>(::setfsgid(static_cast<gid_t>(-1))) != gid) {
      return Error{ErrorKind::permission, "could not switch to the user's filesystem identity"};
    }
    return id;
  }
  FsIdentity(FsIdentity&& other) noexcept : active_(other.active_), uid_(other.uid_), gid_(other.gid_) {
    other.active_ = false;
  }
  FsIdentity(const FsIdentity&) = delete;
  FsIdentity& operator=(const FsIdentity&) = delete;
  FsIdentity& operator=(FsIdentity&&) = delete;
  ~FsIdentity() {
    if (active_) {
      ::setfsuid(uid_);
      ::setfsgid(gid_);
    }
  }

 private:
  FsIdentity(bool active, uid_t uid, gid_t gid) : active_(active), uid_(uid), gid_(gid) {}
  bool active_;
  uid_t uid_;
  gid_t gid_;
};

// try_first_pass must not send someone's Unix password to Squadcast: only a stacked item
// that looks like a published token (lowercase hex, 32+ characters) is tried.
bool looks_like_squadcast_token(std::string_view s) {
  return s.size() >= 32 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

Result<Secret> stacked_authtok(pam_handle_t* pamh) {
  const void* item = nullptr;
  if (pam_get_item(pamh, PAM_AUTHTOK, &item) != PAM_SUCCESS || item == nullptr) {
    return Error{ErrorKind::not_found, "no PAM_AUTHTOK from a previous module"};
  }
  Secret token(static_cast<const char*>(item));
  if (token.empty()) return Error{ErrorKind::invalid_input, "empty PAM_AUTHTOK"};
  return token;
}

}  // namespace

Result<LocalAccount> find_local_account(const std::string& name) {
  std::vector<char> buffer(16384);
  struct passwd pw {};
  struct passwd* found = nullptr;
  if (::getpwnam_r(name.c_str(), &pw, buffer.data(), buffer.size(), &found) != 0 || found == nullptr) {
    return Error{ErrorKind::not_found, "no local user " + name};
  }
  return LocalAccount{found->pw_name, found->pw_uid, found->pw_gid, found->pw_dir ? found->pw_dir : ""};
}

std::string user_store_path(const LocalAccount& account) {
  return account.home + "/.config/squadcast/credentials";
}

Result<Secret> read_user_store(const LocalAccount& account, const std::string& profile) {
  if (account.home.empty() || account.home.front() != '/') {
    return Error{ErrorKind::not_found, "user has no home directory"};
  }
  auto path = user_store_path(account);
  Result<Secret> text = Error{ErrorKind::io, "not read"};
  {
    auto identity = FsIdentity::become(account.uid, account.gid);
    if (!identity) return identity.error();
    text = read_private_file(path, account.uid, credentials_file_max_size);
  }
  if (!text) return Error{text.error().kind, path + ": " + text.error().message};
  auto credentials = parse_credentials_file(text.value().reveal());
  if (!credentials) return Error{credentials.error().kind, path + ": " + credentials.error().message};
  auto it = credentials.value().find(profile);
  if (it == credentials.value().end()) return Error{ErrorKind::not_found, path + ": no profile " + profile};
  return it->second.refresh_token;
}

Result<SourcedToken> token_from_user_store(const std::string& pam_user, const std::string& profile) {
  auto account = find_local_account(pam_user);
  if (!account) return account.error();
  auto token = read_user_store(account.value(), profile);
  if (!token) return token.error();
  return SourcedToken{std::move(token).value(), "user_store"};
}

Result<SourcedToken> token_for_auth(pam_handle_t* pamh, const PamOptions& options) {
  // A stored token proves nothing about who is asking (check_options_for_phase refuses
  // this configuration already; this keeps auth from ever reading a store regardless).
  if (options.token_source == TokenSource::user_store) {
    return Error{ErrorKind::config, "token_source=user_store cannot authenticate"};
  }
  if (options.token_source == TokenSource::authtok || options.use_first_pass) {
    auto token = stacked_authtok(pamh);
    if (!token) return token.error();
    return SourcedToken{std::move(token).value(), "PAM_AUTHTOK"};
  }
  if (options.try_first_pass) {
    auto token = stacked_authtok(pamh);
    if (token && looks_like_squadcast_token(token.value().reveal())) {
      return SourcedToken{std::move(token).value(), "PAM_AUTHTOK"};
    }
  }
  auto token = prompt_echo_off(pamh, options.prompt);
  if (!token) return token.error();
  return SourcedToken{std::move(token).value(), "prompt"};
}

}  // namespace squadcast::pam
