// squadcast-pam-check: the options, the files the module reads, and the network.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string_view>

#include "host_credential.hpp"
#include "pam_check.hpp"
#include "squadcast/private_file.hpp"
#include "squadcast/reachability.hpp"

namespace squadcast::pam::check {
namespace {

std::string octal(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

std::string describe_file(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return path;
  return path + " (uid " + std::to_string(st.st_uid) + ", mode " + octal(st.st_mode) + ")";
}

// The module's rule for files an administrator writes (read_admin_file): regular, not a
// symlink, owned by root, writable by nobody else.
void check_admin_file(CheckReport& report, const std::string& name, const std::string& path, bool required) {
  auto read = read_admin_file(path);
  if (read) {
    report.ok(name, describe_file(path) + ": root's, writable by nobody else");
    return;
  }
  const std::string why = read.error().message;
  std::string fix = "chown root:root " + path + " && chmod 644 " + path;
  if (::access(path.c_str(), F_OK) != 0) fix = "create " + path + " (owned by root, mode 0644) or fix the path";
  if (required) {
    report.fail(name, describe_file(path) + ": " + why + "; the module refuses it", fix);
  } else {
    report.warn(name, describe_file(path) + ": " + why, fix);
  }
}

}  // namespace

std::optional<PamOptions> check_options(CheckReport& report, const std::vector<std::string>& args) {
  std::vector<std::string_view> views(args.begin(), args.end());
  auto parsed = parse_pam_options(views);
  if (!parsed) {
    report.fail("options", parsed.error().message, "fix this option (see pam_squadcast(8)); the module refuses "
                                                   "everyone (PAM_SERVICE_ERR) until then");
    return std::nullopt;
  }
  const PamOptions& o = parsed.value();
  std::string summary = (o.any_org ? std::string("any_org") : "org_id=" + o.org_id) +
                        " min_role=" + std::string(to_string(o.min_role)) + " token_source=" + to_string(o.token_source) +
                        " timeout=" + std::to_string(o.timeout_seconds) + "s " +
                        (o.token_source == TokenSource::host ? "roster_ttl=" + std::to_string(o.roster_ttl_seconds)
                                                             : "cache_ttl=" + std::to_string(o.cache_ttl_seconds)) +
                        "s offline_grace=" +
                        std::to_string(o.offline_grace_seconds) + "s; auth " + o.endpoints.auth_url + ", api " +
                        o.endpoints.api_url;
  report.ok("options", summary);
  return parsed.value();
}

void check_admin_files(CheckReport& report, const std::vector<std::string>& args, const PamOptions* parsed) {
  for (const std::string& arg : args) {
    if (arg.starts_with("config=") && arg.size() > 7) check_admin_file(report, "config file", arg.substr(7), true);
  }
  if (parsed == nullptr) return;  // the options row says why; the other files are named by options
  const PamOptions& options = *parsed;
  if (options.user_map.kind == UserMapKind::file) check_admin_file(report, "user map", options.user_map.file, true);

  if (!options.ca_file.empty()) {
    int fd = ::open(options.ca_file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      report.fail("ca file", options.ca_file + " cannot be read; every TLS handshake will fail",
                  "point ca_file at the PEM file of the CA that signs the Squadcast hosts");
    } else {
      char head[4096] = {};
      const ssize_t got = ::read(fd, head, sizeof head - 1);
      ::close(fd);
      if (got <= 0 || std::string_view(head).find("-----BEGIN CERTIFICATE-----") == std::string_view::npos) {
        report.fail("ca file", options.ca_file + " holds no PEM certificate",
                    "point ca_file at a PEM file (-----BEGIN CERTIFICATE-----)");
      } else {
        // Whoever can write the CA file can make the module trust their own server.
        check_admin_file(report, "ca file", options.ca_file, false);
      }
    }
  }

  struct stat st {};
  if (::lstat(options.cache_dir.c_str(), &st) != 0) {
    report.ok("cache dir", options.cache_dir + " does not exist yet; the module creates it 0700 on first use");
  } else if (auto safe = check_private_dir(options.cache_dir); !safe) {
    report.fail("cache dir", safe.error().message + "; the module will not cache or single-flight",
                "chown root:root " + options.cache_dir + " && chmod 700 " + options.cache_dir);
  } else if (auto chain = check_directory_chain(options.cache_dir); !chain) {
    report.fail("cache dir", chain.error().message + "; the module will not cache or single-flight",
                "put cache_dir under directories only root can write (the default is /var/cache/squadcast-pam)");
  } else {
    report.ok("cache dir", describe_file(options.cache_dir) + ": root's, 0700");
  }
  if (options.token_source == TokenSource::host) check_host_token_file(report, options);
}

void check_host_token_file(CheckReport& report, const PamOptions& options) {
  const std::string& path = options.host_token;
  if (auto token = read_host_token(path); !token) {
    const std::string enrol = "enrol this host: squadcast-credential tokens assign HOSTUSER --print | ssh root@HOST "
                              "squadcast-pam-check --enroll";
    struct stat st {};
    std::string fix = enrol;  // missing, or no token in it
    if (::lstat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
      fix = "rm -f " + path + ", then " + enrol;  // chmod would follow a symlink
    } else if (::lstat(path.c_str(), &st) == 0 && (st.st_uid != 0 || (st.st_mode & 077) != 0)) {
      fix = "chown root:root " + path + " && chmod 600 " + path;
    }
    report.fail("host token", token.error().message + "; the module refuses everyone (PAM_SERVICE_ERR)", fix);
    return;
  }
  report.ok("host token", describe_file(path) + ": root's, no access for others, not a symlink");
}

void check_connectivity(CheckReport& report, const PamOptions& options) {
  ReachabilityOptions reach;
  reach.ca_file = options.ca_file;
  reach.timeout = std::chrono::seconds(options.timeout_seconds);
  check_reachability(report, options.endpoints, reach);
}

}  // namespace squadcast::pam::check
